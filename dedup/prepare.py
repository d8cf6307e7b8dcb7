"""The per-article stages composed: raw text in, fingerprint and credits out.

``Preparer.run`` takes a chunk of raw texts through credit/dateline removal,
site-chrome removal, normalization, shingling and MinHash, and hands the index
one ``Prepared`` chunk. It holds no index state, so worker processes can run it
(``--jobs``) while the index stays in one process.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import xxhash

from . import credits as credit_lines
from .config import Config
from .fingerprint import Fingerprinter, passage_keys
from .chrome import Observation, drop_chrome, observe
from .normalize import normalize
from .shingle import Shingler
from .wires import WireRegistry

# Numbers as written ("1,250.5", "2026", "8"; ASCII, Arabic-Indic, Urdu/Persian and
# Devanagari digits), once URLs are taken out. A leading digit class is several
# times faster to scan for than ``\\d``.
_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f"
_NUMBER = re.compile(f"[{_DIGITS}][{_DIGITS}.,]*")
_URL = re.compile(r"(?:https?://|www\.)\S+")
MAX_NUMBERS = 256  # per article, in order of appearance (a results table has more)


def number_keys(text: str) -> np.ndarray:
    """The distinct numbers of a normalized text as sorted 32-bit hashes.

    Templated reports (exchange rates, weather, market closes) share most of
    their words and differ in their numbers; the index compares these sets
    (see ``verify.numbers_agree``).
    """
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    found = dict.fromkeys(n.rstrip(".,") for n in _NUMBER.findall(text))
    if not found:
        return np.zeros(0, dtype=np.uint32)
    keys = {xxhash.xxh32_intdigest(n.encode()) for n in list(found)[:MAX_NUMBERS]}
    return np.array(sorted(keys), dtype=np.uint32)


@dataclass
class Prepared:
    """Fingerprints of a chunk of articles, row ``i`` for text ``i``.

    Attributes:
        signatures: ``(n, num_perm)`` uint32 MinHash signatures.
        sizes: number of distinct shingles per article.
        content_hashes: 64-bit hash of the shingle sequence of the credit- and
            chrome-free text (equal hashes mean an exact duplicate).
        credits: per article, the wire credits found (``credits.Credit``).
        mentions: per article, the wire mentions found (weaker evidence).
        passage_keys: band keys of every article's passages, concatenated.
        passage_offsets: article ``i``'s passage keys are
            ``passage_keys[passage_offsets[i]:passage_offsets[i + 1]]``.
        number_keys: every article's ``number_keys``, concatenated.
        number_offsets: offsets into ``number_keys``, as for passages.
        shingle_values: every article's sorted distinct shingle hashes,
            concatenated (only with ``Config.verify == "exact"``; else empty).
        shingle_offsets: offsets into ``shingle_values``, as for passages.
    """

    signatures: np.ndarray
    sizes: np.ndarray
    content_hashes: np.ndarray
    credits: list[tuple]
    mentions: list[tuple]
    passage_keys: np.ndarray
    passage_offsets: np.ndarray
    number_keys: np.ndarray
    number_offsets: np.ndarray
    shingle_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    shingle_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def passages(self, i: int) -> np.ndarray:
        """The passage band keys of article ``i``."""
        return self.passage_keys[self.passage_offsets[i]:self.passage_offsets[i + 1]]

    def numbers(self, i: int) -> np.ndarray:
        """The number keys of article ``i``."""
        return self.number_keys[self.number_offsets[i]:self.number_offsets[i + 1]]

    def shingles(self, i: int) -> np.ndarray | None:
        """The sorted distinct shingle hashes of article ``i`` (None unless kept)."""
        if not len(self.shingle_offsets):
            return None
        return self.shingle_values[self.shingle_offsets[i]:self.shingle_offsets[i + 1]]


class Preparer:
    """Runs the text stages for one configuration and wire registry."""

    def __init__(self, config: Config, wires: WireRegistry, engine: str = "auto") -> None:
        """Set up the stages.

        Args:
            config: the index configuration.
            wires: the wire registry.
            engine: ``"numba"``, ``"numpy"`` or ``"auto"`` (numba, when it is
                installed with ``pip install "dedup[fast]"``, after the first
                thousands of articles; see `shingle.Engine`). The fingerprints
                are identical; only the speed differs.
        """
        self.config = config
        self.wires = wires
        self._shingler = Shingler(config.word_ngram, config.cjk_ngram, engine)
        self._fingerprinter = Fingerprinter(config.num_perm, config.seed, config.scheme, engine)

    def expect(self, docs: int, *, only: bool = False) -> None:
        """Tell the ``"auto"`` engine how many articles are coming (`shingle.Engine.expect`)."""
        self._shingler.expect(docs, only=only)
        self._fingerprinter.expect(docs, only=only)

    def kernels(self) -> ModuleType | None:
        """The compiled kernels once this preparer runs on them (None: numpy);
        the index uses them too."""
        return self._shingler.kernels()

    def warm(self, docs: int) -> bool:
        """Load the compiled kernels now when ``docs`` articles are coming and
        warrant them (see `expect`); True when this preparer uses them.

        Worker processes forked afterwards inherit the loaded kernels and pay
        none of numba's start-up (~1 s of CPU each).
        """
        self.expect(docs)
        self.run(["Warm up 1 2 3: the kernels load on their first call.",
                  "新华社北京5月8日电 预热。"])
        return self.kernels() is not None

    def run(self, texts: Sequence[str], chrome: Collection[int] = (),
            sites: Sequence[int] = ()) -> Prepared:
        """Fingerprint ``texts`` after removing credits and the ``chrome`` lines.

        Args:
            texts: raw article texts.
            chrome: `chrome.chrome_key` keys known to be site chrome.
            sites: each text's `chrome.site_key` (default: all unknown, 0).
        """
        max_words = self.config.chrome_max_words
        bodies, found, mentioned = [], [], []
        sites = sites or [0] * len(texts)
        for text, site in zip(texts, sites, strict=True):
            detected = credit_lines.detect(text, self.wires)
            found.append(detected.credits)
            mentioned.append(detected.mentions)
            body = detected.body if detected.body.strip() else text
            bodies.append(normalize(drop_chrome(body, chrome, site, max_words)))
        (values, offsets), (sequence, sequence_docs) = self._shingler.batch_with_sequence(bodies)
        signatures = self._fingerprinter.signatures(values, offsets)
        pkeys, poffsets = passage_keys(sequence, sequence_docs, len(bodies), self.config.seed,
                                       kernels=self._shingler.kernels())
        # Exact = the same token sequence (punctuation and spacing aside).
        bounds = np.searchsorted(sequence_docs, np.arange(len(bodies) + 1))
        hashes = np.fromiter((xxhash.xxh3_64_intdigest(sequence[bounds[i]:bounds[i + 1]].tobytes())
                              for i in range(len(bodies))), dtype=np.uint64, count=len(bodies))
        numbers = [number_keys(body) for body in bodies]
        noffsets = np.zeros(len(bodies) + 1, dtype=np.int64)
        np.cumsum([len(n) for n in numbers], out=noffsets[1:])
        nkeys = np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.uint32)
        sizes = np.diff(offsets).astype(np.uint32)
        if self.config.verify != "exact":  # not sent back from a worker for nothing
            values, offsets = values[:0], offsets[:0]
        return Prepared(signatures, sizes, hashes, found, mentioned, pkeys, poffsets, nkeys,
                        noffsets, values, offsets)

    def observe(self, texts: Sequence[str], sites: Sequence[int]) -> list[Observation]:
        """What each raw text tells the site-chrome rule (`chrome.observe`)."""
        words = self.config.chrome_max_words
        return [observe(t, site, words) for t, site in zip(texts, sites, strict=True)]
