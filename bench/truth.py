"""Exact Jaccard and containment on shingles for sampled pairs: the ground truth of the benchmark.

`Shingler` turns a text into a sorted array of 64-bit shingle hashes the way dedup's engine
specifies (credit lines and datelines removed, NFKC + casefold, word tokens for spaced scripts, one
token per Han/Kana/Hangul character, word or CJK n-grams by the document's dominant script). Any
callable text -> sorted array can replace it (e.g. one built on `dedup.shingle`). `sample_pairs`
picks the pairs to judge and `evaluate` scores a system's pairs against their exact similarity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0002ebef"
)
TOKEN = re.compile(f"[{CJK}]|[^\\W_{CJK}]+")  # letters and digits; "_" is not a word character here
_CJK_CHAR = re.compile(f"[{CJK}]")
_WORD = re.compile(r"[^\W_]+")

# Credit lines and datelines as the wires and syndicators write them; removed before shingling so a
# copy that only added "Source: Xinhua" or dropped a dateline stays identical to its original.
_CREDIT_LINE = re.compile(
    r"^\s*(?:\(?Source: [^\n]{1,40}?\)?|来源[:：][^\n]{1,20}|\(Reporting by [^\n]*\)"
    r"|Associated Press writers? [^\n]* contributed to this report\.|Enditem|（完）"
    r"|（编辑：[^\n]{1,12}）|[a-z]{2,4}(?:/[a-z]{2,4})+|原标题[:：][^\n]*)\s*$",
    re.MULTILINE,
)
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z .'-]{1,40}?(?:, [A-Z][a-z]{2,4}\.? \d{1,2})?"
    r" \((?:Xinhua|AP|Reuters|AFP)\) (?:--|\u2014|-) "
    r"|(?:新华社|路透|法新社|美联社)[^\s，。]{1,12}?\d{1,2}月\d{1,2}日电?"
    r"(?:（[^）\n]{0,30}）)?\s*(?:- )?)",
    re.MULTILINE,
)

Shingles = Callable[[str], np.ndarray]


def strip_credits(text: str) -> str:
    """Remove wire credit lines and datelines."""
    return _DATELINE.sub("", _CREDIT_LINE.sub("", text))


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def tokenize(text: str) -> list[str]:
    """Runs of word characters for spaced scripts, single characters for Han, Kana and Hangul."""
    return TOKEN.findall(text)


class Shingler:
    """Text -> sorted unique uint64 shingle hashes, as dedup's engine specifies.

    Args:
        n_word: n-gram size for documents whose tokens are mostly not CJK.
        n_cjk: n-gram size for CJK-dominant documents.
        tokenize: text -> tokens (after `strip` and `normalize`).
        strip: removes credit lines and datelines; pass `lambda t: t` to keep them.
        normalize: NFKC + casefold by default.

    Example:
        >>> s = Shingler()
        >>> len(s("one two three four five six"))
        2
    """

    def __init__(
        self,
        n_word: int = 5,
        n_cjk: int = 5,
        tokenize: Callable[[str], list[str]] = tokenize,
        strip: Callable[[str], str] = strip_credits,
        normalize: Callable[[str], str] = normalize,
    ) -> None:
        self.n_word, self.n_cjk = n_word, n_cjk
        self._tokenize, self._strip, self._normalize = tokenize, strip, normalize
        self._token_hash: dict[str, int] = {}

    def tokens(self, text: str) -> list[str]:
        return self._tokenize(self._normalize(self._strip(text)))

    def __call__(self, text: str) -> np.ndarray:
        normalized = self._normalize(self._strip(text))
        if self._tokenize is tokenize and not _CJK_CHAR.search(normalized):
            tokens, cjk = _WORD.findall(normalized), 0  # same tokens, 2x faster for CJK-free text
        else:
            tokens = self._tokenize(normalized)
            cjk = len(_CJK_CHAR.findall(normalized))
        if not tokens:
            return np.zeros(0, dtype=np.uint64)
        n = self.n_cjk if 2 * cjk > len(tokens) else self.n_word
        cache = self._token_hash
        ids = list(map(cache.get, tokens))
        if None in ids:
            for k, t in enumerate(tokens):
                if ids[k] is None:
                    ids[k] = cache.setdefault(t, xxhash.xxh3_64_intdigest(t.encode()))
        return ngram_hashes(np.array(ids, dtype=np.uint64), n)


def ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """Sorted unique hashes of the n-grams of a token-hash sequence (whole sequence if shorter)."""
    m = len(ids) - n + 1
    if m <= 0:
        n, m = len(ids), 1
    with np.errstate(over="ignore"):
        h = np.zeros(m, dtype=np.uint64)
        for k in range(n):
            h = h * np.uint64(0x100000001B3) + ids[k : k + m]
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    h.sort()
    return h[np.r_[True, h[1:] != h[:-1]]]


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(Jaccard, containment of a in b, containment of b in a) of two sorted unique arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter), inter / len(a), inter / len(b)


def exact(
    pairs: np.ndarray,
    texts: Sequence[str],
    shingles: Shingles | None = None,
    group: np.ndarray | None = None,
) -> np.ndarray:
    """Exact similarity of each pair of row indices: array (k, 3) of Jaccard, C(i in j), C(j in i).

    Each text is shingled once and its shingles dropped after their last pair; pass `group` (e.g.
    the story of every row) to visit pairs group by group, which keeps few shingle sets alive at a
    time (a million articles' shingles would take ~4 GB).
    """
    shingles = shingles or Shingler()
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    order = (
        np.lexsort((pairs[:, 0], group[pairs[:, 0]]))
        if group is not None
        else np.arange(len(pairs))
    )
    last_use = {}
    for k, (i, j) in enumerate(pairs[order].tolist()):
        last_use[i] = last_use[j] = k
    cache: dict[int, np.ndarray] = {}
    out = np.zeros((len(pairs), 3), dtype=np.float64)
    for k, (row, (i, j)) in enumerate(zip(order.tolist(), pairs[order].tolist(), strict=True)):
        a = cache.get(i)
        if a is None:
            a = cache[i] = shingles(texts[i])
        b = cache.get(j)
        if b is None:
            b = cache[j] = shingles(texts[j])
        out[row] = similarity(a, b)
        if last_use[i] == k:
            del cache[i]
        if last_use[j] == k and j != i:
            del cache[j]
    return out


# ------------------------------------------------------------------------------- sampling ---


def pair_keys(pairs: np.ndarray, n: int) -> np.ndarray:
    """Unordered pairs of row indices -> unique int64 keys lo * n + hi (self-pairs dropped)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    keep = lo != hi
    return np.unique(lo[keep] * n + hi[keep])


def keys_to_pairs(keys: np.ndarray, n: int) -> np.ndarray:
    return np.stack([keys // n, keys % n], axis=1)


def _within_groups(groups: np.ndarray, rng: np.random.Generator, cap: int) -> np.ndarray:
    """All pairs of rows sharing a group label (>= 0), groups sampled down to about `cap` pairs."""
    rows = np.flatnonzero(groups >= 0)
    order = rows[np.argsort(groups[rows], kind="stable")]
    labels = groups[order]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    npairs = sizes * (sizes - 1) // 2
    chosen = np.flatnonzero(npairs > 0)
    if npairs.sum() > cap:
        chosen = rng.permutation(chosen)
        chosen = np.sort(chosen[np.cumsum(npairs[chosen]) <= cap])
    out = []
    for g in chosen.tolist():
        members = order[starts[g] : starts[g] + sizes[g]]
        i, j = np.triu_indices(len(members), 1)
        out.append(np.stack([members[i], members[j]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def sample_pairs(
    truth: Sequence[dict],
    seed: int = 0,
    cluster_cap: int = 300_000,
    random_pairs: int = 20_000,
    hard_cap: int = 20_000,
    extra: Iterable[np.ndarray] = (),
) -> np.ndarray:
    """Pairs of row indices to judge exactly.

    All pairs within a story (its original and copies, up to `cluster_cap`), `random_pairs`
    random pairs, hard negatives (sibling stories against their base story, templated reports of
    the same template, up to `hard_cap` each) and every pair in `extra` (what the systems
    reported, so precision is exact). Returns unique (i, j) rows with i < j.
    """
    n = len(truth)
    rng = np.random.default_rng([seed, 0x7A17])
    story = np.array([t["story"] for t in truth], dtype=np.int64)
    parts = [_within_groups(story, rng, cluster_cap)]
    parts.append(rng.integers(0, n, (random_pairs, 2)))
    template = {}
    tgroup = np.array(
        [
            template.setdefault(t["related"], len(template))
            if isinstance(t["related"], str)
            else -1
            for t in truth
        ],
        dtype=np.int64,
    )
    tpairs = _within_groups(tgroup, rng, 10 * hard_cap)
    if len(tpairs) > hard_cap:
        tpairs = tpairs[rng.choice(len(tpairs), hard_cap, replace=False)]
    parts.append(tpairs)
    rows_of_story: dict[int, list[int]] = {}
    for i, s in enumerate(story.tolist()):
        rows_of_story.setdefault(s, []).append(i)
    sib = [
        (i, j)
        for i, t in enumerate(truth)
        if isinstance(t["related"], int)
        for j in rows_of_story.get(t["related"], ())
    ]
    sib_pairs = np.array(sib, dtype=np.int64).reshape(-1, 2)
    if len(sib_pairs) > hard_cap:
        sib_pairs = sib_pairs[rng.choice(len(sib_pairs), hard_cap, replace=False)]
    parts.append(sib_pairs)
    parts.extend(np.asarray(e, dtype=np.int64).reshape(-1, 2) for e in extra)
    return keys_to_pairs(pair_keys(np.concatenate(parts), n), n)


# ----------------------------------------------------------------------------- evaluation ---


@dataclass(frozen=True)
class Judged:
    """Sampled pairs with their exact similarity, ready to score systems against."""

    n: int
    keys: np.ndarray  # sorted pair keys
    jaccard: np.ndarray
    containment: np.ndarray  # max of the two directions
    same_story: np.ndarray


def judge(
    pairs: np.ndarray, texts: Sequence[str], truth: Sequence[dict], shingles: Shingles | None = None
) -> Judged:
    n = len(texts)
    keys = pair_keys(pairs, n)
    pairs = keys_to_pairs(keys, n)
    story = np.array([t["story"] for t in truth], dtype=np.int64)
    sim = exact(pairs, texts, shingles, group=story)
    return Judged(
        n, keys, sim[:, 0], sim[:, 1:].max(axis=1), story[pairs[:, 0]] == story[pairs[:, 1]]
    )


def _components(pairs: np.ndarray, n: int) -> np.ndarray:
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs.tolist():
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([find(x) for x in range(n)])


def evaluate(found: np.ndarray, judged: Judged, threshold: float = 0.8) -> dict:
    """Score reported pairs (row indices) against exact Jaccard on the judged pairs.

    recall: judged pairs with J >= threshold that the system reported directly.
    recall_connected: ... that ended in one connected component of the reported pairs; the
        fair measure for systems that report each duplicate against one representative (dedup).
    precision: reported pairs with exact J >= threshold / reported pairs.
    precision_story: reported pairs within one true story / reported pairs (copies below the
        threshold, e.g. excerpts, count as right here).
    """
    n = judged.n
    keys = pair_keys(found, n) if len(found) else np.zeros(0, dtype=np.int64)
    pos = np.searchsorted(judged.keys, keys)
    pos = np.clip(pos, 0, max(len(judged.keys) - 1, 0))
    known = judged.keys[pos] == keys if len(judged.keys) else np.zeros(len(keys), bool)
    positive = judged.jaccard >= threshold
    hit = np.zeros(len(judged.keys), bool)
    hit[pos[known]] = True
    true_keys = judged.keys[positive]
    comp = _components(keys_to_pairs(keys, n), n) if len(keys) else np.arange(n)
    tp = keys_to_pairs(true_keys, n)
    connected = comp[tp[:, 0]] == comp[tp[:, 1]] if len(tp) else np.zeros(0, bool)
    n_found = len(keys)
    return {
        "reported_pairs": int(n_found),
        "unjudged_pairs": int((~known).sum()),
        "true_pairs": int(positive.sum()),
        "recall": float(hit[positive].mean()) if positive.any() else float("nan"),
        "recall_connected": float(connected.mean()) if len(connected) else float("nan"),
        "precision": float(positive[pos[known]].sum() / n_found) if n_found else float("nan"),
        "precision_story": float(judged.same_story[pos[known]].sum() / n_found)
        if n_found
        else float("nan"),
    }
