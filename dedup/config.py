"""The frozen configuration of an index.

Everything that changes a fingerprint or a verdict lives here, is validated on
construction, and is written into every saved index so that an index is never
read with settings other than the ones that built it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .fingerprint import PASSAGE_MEAN

SCHEMES = ("oph32", "affine32")
VERIFY_MODES = ("estimate", "exact")

# Word 5-grams for spaced scripts: the common choice for news reuse (COUNTER,
# METER) and what measurement on our generated corpus supports — 3-grams make
# templated market reports share ~35 % of their shingles, 5-grams ~8 %, while a
# copy with 2 % edited words keeps J ≈ 0.83 (7-grams drop it to 0.75).
# Han/Kana/Hangul are written without spaces; one character carries about as
# much as a short English word, so character 4-grams play the part of word
# 5-grams: on Chinese reprints they keep reprint J above 0.85 while unrelated
# same-topic Xinhua items stay below 0.2 (3-grams: up to 0.3).
DEFAULT_WORD_NGRAM = 5
DEFAULT_CJK_NGRAM = 4


def choose_bands(threshold: float, num_perm: int, min_recall: float = 0.995) -> tuple[int, int]:
    """Pick LSH bands × rows for ``threshold``.

    The largest ``rows`` (fewest false candidates) whose candidate probability
    ``1 - (1 - t^rows)^bands`` at ``t = threshold`` is still ≥ ``min_recall``,
    with ``bands = num_perm // rows``. datasketch's default for t=0.8 is 9×13,
    which only finds 40 % of pairs at exactly J=0.8 (84 % of copies with
    J ≥ 0.8); for num_perm=128 this picks 21×6 (99.8 % at J=0.8).

    Args:
        threshold: Jaccard similarity the index must not miss pairs above.
        num_perm: signature length.
        min_recall: required candidate probability at ``threshold``.

    Returns:
        ``(bands, rows)``.
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands < 1:
            break
        if 1.0 - (1.0 - threshold**rows) ** bands >= min_recall:
            best = (bands, rows)
    return best


@dataclass(frozen=True)
class Config:
    """Settings of an index; frozen, validated, saved with every index.

    Args:
        num_perm: MinHash signature length.
        seed: seed of the permutations (and so of every signature).
        scheme: MinHash scheme: ``oph32`` (one permutation, densified; fast)
            or ``affine32``, datasketch's
            (MurmurHash3 finalizer pre-mix, then ``a*h + b mod 2^32``), so a
            signature can be loaded into a ``datasketch.LeanMinHash``.
        word_ngram: shingle size, in words, for spaced scripts.
        cjk_ngram: shingle size, in characters, for Han/Kana/Hangul.
        threshold: estimated Jaccard at which two articles are near-duplicates.
        containment_threshold: share of the shorter article found in the longer
            one at which it is a copy: ``near`` for articles of about the same
            length (a trimmed copy with a local intro), ``excerpt`` or
            ``expanded`` when their lengths differ (measured on passages).
            Set it to 1.0 to judge by Jaccard alone.
        min_shingles: the smaller article of an excerpt/expanded pair needs at
            least this many shingles (a two-line brief is contained by chance).
            30 (it was 40): of Reuters-21578's items of 20-29 shingles, 9 of 761
            lie ≥ 80 % inside a longer item under another headline with numbers
            that agree, 3 of them prime-rate notices of different banks in the same
            words; of its 914 items of 30-39 shingles, 2 do, both the same story (a
            longer version, a correction). Wire briefs of 30-39 shingles republished
            after a line of a site's own or trimmed were refused
            (bench/accuracy.py --corpus-kind reuters: whole-story 0.987 -> 0.991).
        partial_size_ratio: an excerpt has at most this share of its original's
            shingles (an expansion at least 1/ratio times them); between the
            two, copies of about the same length are judged by Jaccard alone.
        bands: LSH bands × rows; chosen from ``threshold`` when not given.
        chrome_min_docs: a short line seen in at least this many articles is
            site chrome and is not fingerprinted.
        chrome_max_words: lines of at most this many tokens count as short
            (16: the WordPress comment form's "Save my name, email, and website
            in this browser for the next time I comment." is 15 tokens; at 12
            it stayed in every scraped copy and cost short Reuters copies
            ~11 shingles, bench/accuracy.py --corpus-kind reuters).
        passage_shingles: mean passage length (in shingles) of the passage
            fingerprints used for excerpts and expansions. Recorded so that an
            index is never read with passage keys cut another way; this version
            supports only its built-in value.
        verify: ``"estimate"`` judges similarity and containment from the
            MinHash signatures (128 values: σ ≈ 0.035 at J = 0.8, so pairs of
            true J 0.72–0.8 can pass and 0.8–0.88 fail). ``"exact"`` keeps every
            article's shingle hashes (~4 bytes per distinct shingle, ~2 KB for a
            500-word article) and measures each candidate that the estimate
            leaves within ``EXACT_MARGIN`` of a threshold exactly; similarity
            and containment in verdicts are then exact (up to 32-bit hash
            collisions). Memory and SQLite indexes support it; a Redis index
            does not store shingles.
    """

    num_perm: int = 128
    seed: int = 1
    scheme: str = "oph32"
    word_ngram: int = DEFAULT_WORD_NGRAM
    cjk_ngram: int = DEFAULT_CJK_NGRAM
    threshold: float = 0.8
    containment_threshold: float = 0.8
    min_shingles: int = 30
    partial_size_ratio: float = 0.85
    bands: tuple[int, int] | None = field(default=None)
    chrome_min_docs: int = 3
    chrome_max_words: int = 16
    passage_shingles: int = PASSAGE_MEAN
    verify: str = "estimate"

    def __post_init__(self) -> None:
        def need(ok: bool, message: str) -> None:
            if not ok:
                raise ConfigError(message)

        need(isinstance(self.num_perm, int) and 16 <= self.num_perm <= 1024,
             f"num_perm must be an integer from 16 to 1024, got {self.num_perm!r}")
        need(isinstance(self.seed, int) and 0 <= self.seed < 2**32,
             f"seed must be an integer in [0, 2**32), got {self.seed!r}")
        need(self.scheme in SCHEMES,
             f"scheme must be one of {', '.join(SCHEMES)}, got {self.scheme!r}")
        for name in ("word_ngram", "cjk_ngram"):
            value = getattr(self, name)
            need(isinstance(value, int) and 1 <= value <= 12,
                 f"{name} must be an integer from 1 to 12, got {value!r}")
        for name in ("threshold", "containment_threshold", "partial_size_ratio"):
            value = getattr(self, name)
            need(isinstance(value, (int, float)) and 0.05 <= value <= 1.0,
                 f"{name} must be a number from 0.05 to 1.0, got {value!r}")
        need(isinstance(self.min_shingles, int) and self.min_shingles >= 1,
             f"min_shingles must be a positive integer, got {self.min_shingles!r}")
        need(isinstance(self.chrome_min_docs, int) and self.chrome_min_docs >= 2,
             f"chrome_min_docs must be an integer ≥ 2, got {self.chrome_min_docs!r}")
        need(isinstance(self.chrome_max_words, int) and self.chrome_max_words >= 1,
             f"chrome_max_words must be a positive integer, got {self.chrome_max_words!r}")
        need(self.passage_shingles == PASSAGE_MEAN,
             f"passage_shingles must be {PASSAGE_MEAN} in this version of dedup, got "
             f"{self.passage_shingles!r} (an index made by another version)")
        need(self.verify in VERIFY_MODES,
             f"verify must be one of {', '.join(VERIFY_MODES)}, got {self.verify!r}")
        if self.bands is None:
            object.__setattr__(self, "bands", choose_bands(float(self.threshold), self.num_perm))
        else:
            bands = tuple(self.bands)
            need(len(bands) == 2 and all(isinstance(x, int) and x >= 1 for x in bands),
                 f"bands must be (bands, rows) positive integers, got {self.bands!r}")
            need(bands[0] * bands[1] <= self.num_perm,
                 f"bands × rows = {bands[0] * bands[1]} exceeds num_perm = {self.num_perm}")
            object.__setattr__(self, "bands", bands)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (bands as a list)."""
        data = dataclasses.asdict(self)
        data["bands"] = list(self.bands)  # type: ignore[arg-type]
        if data["verify"] == "estimate":  # as versions before it existed wrote it
            del data["verify"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """Build a Config from :meth:`to_dict` output; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"unknown configuration keys: {', '.join(unknown)}")
        values = dict(data)
        if values.get("bands") is not None:
            values["bands"] = tuple(values["bands"])
        return cls(**values)

    def replace(self, **changes: Any) -> Config:
        """Return a copy with ``changes``; ``bands`` is re-derived if threshold changes."""
        if "threshold" in changes and "bands" not in changes:
            changes["bands"] = None
        return dataclasses.replace(self, **changes)

    def differences(self, other: Config) -> list[str]:
        """Describe each field where ``other`` differs, as ``name: mine != theirs``."""
        mine, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return [f"{k}: {mine[k]!r} != {theirs[k]!r}" for k in mine if mine[k] != theirs[k]]
