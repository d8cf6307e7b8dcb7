"""Script-aware shingling: normalized texts in, sets of 32-bit shingle hashes out.

Spaced scripts (Latin, Cyrillic, Arabic/Urdu, Devanagari, …) are cut into
words; Han, Kana and Hangul have no spaces, so every character is a token.
Whole batches of documents are tokenised and hashed at once: each token is
hashed once from its UTF-8 bytes, and n-gram hashes are combined
arithmetically from token hashes, so no string is built per token or shingle.
Two engines give identical results: a compiled kernel (``dedup[fast]``, numba)
that reads each document's bytes once, and plain numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
# One token per Han/Kana/Hangul character, one per run of other letters/digits.
TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W_{_CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
ENGINES = ("auto", "numba", "numpy")
# engine="auto" turns to the compiled kernels after this many documents: about
# where the kernels have won back numba's start-up cost (~1 s of CPU against
# ~150 µs saved per article, measured on the benchmark corpus), so a run never
# spends much more than twice the CPU of the better choice for its size.
AUTO_MIN_DOCS = 4096

# Bytes that are part of a token once a text is in "token form": ASCII letters
# and digits, plus every byte of a multi-byte UTF-8 character (non-ASCII
# texts are first rewritten by the regex as space-separated tokens).
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True

# Polynomial token hash: T = Σ byte_i · P^i (mod 2^64), then a 64-bit finalizer.
_P = 0x100000001B3 * 2 + 1
_POWERS = np.array([pow(_P, i, 2**64) for i in range(64)], dtype=np.uint64)
# Odd multipliers, one per position in an n-gram, so "a b" and "b a" differ.
_POSITION = np.array([(0x9E3779B97F4A7C15 * (2 * i + 1)) % 2**64 | 1 for i in range(16)],
                     dtype=np.uint64)
_U32 = np.uint64(32)
# The numpy engine works on sub-batches of about this many bytes of text, so
# that its whole-array temporaries (8 bytes per byte of text each) stay in the
# CPU caches: measured 1.35x faster than one pass over a 512-article chunk
# (1.8 MB of text); 16 KB sub-batches are as slow as none (per-call overhead).
_SUB_BATCH_BYTES = 1 << 18


def tokens(normalized: str) -> list[str]:
    """Split normalized text into tokens (words, or single CJK characters)."""
    return TOKEN.findall(normalized)


def token_form(normalized: str, word_ngram: int, cjk_ngram: int) -> tuple[bytes, int]:
    """Rewrite a text so that tokens are maximal runs of word bytes.

    Returns:
        ``(data, n)``: the UTF-8 bytes to tokenise and the shingle size,
        ``cjk_ngram`` when most tokens are Han/Kana/Hangul characters.
    """
    if normalized.isascii():
        return normalized.encode("ascii"), word_ngram
    toks = TOKEN.findall(normalized)
    cjk = len(_CJK_CHAR.findall(normalized))
    n = cjk_ngram if toks and 2 * cjk >= len(toks) else word_ngram
    return " ".join(toks).encode("utf-8"), n


def char_classes() -> np.ndarray:
    """Class of every BMP code point for the compiled tokeniser.

    0: not part of a token; 1: a letter or digit that joins its neighbours
    into a word; 2: a Han/Kana/Hangul character, a token by itself. Built with
    the same regular expression as :data:`TOKEN`, so both engines agree.
    """
    bmp = "".join(map(chr, range(0x10000)))
    classes = np.zeros(0x10000, dtype=np.uint8)
    for m in re.finditer(r"[^\W_]+", bmp):
        classes[m.start():m.end()] = 1
    for m in re.finditer(f"[{_CJK_RANGES}]+", bmp):
        classes[m.start():m.end()] = 2
    classes.flags.writeable = False
    return classes


class Engine:
    """Which code runs the hot loops: the compiled kernels or numpy.

    Both give identical results. ``"numba"`` always uses the kernels,
    ``"numpy"`` never does, and ``"auto"`` (the default) switches to them once
    :data:`AUTO_MIN_DOCS` documents went through it, when numba is installed:
    loading numba and the cached kernels costs ~0.5–1 s of CPU per process,
    which the kernels win back only over thousands of articles.

    Example:
        >>> Engine("numpy").kernels(10) is None
        True
    """

    __slots__ = ("name", "_seen", "_module", "_settled")

    def __init__(self, name: str = "auto") -> None:
        if name not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")
        self.name = name
        self._seen = 0
        self._module: ModuleType | None = None
        self._settled = name == "numpy"

    def expect(self, docs: int, *, only: bool = False) -> None:
        """Decide ``"auto"`` up front when the caller knows ``docs`` are coming.

        Twice :data:`AUTO_MIN_DOCS` or more (past the break-even of numba's
        start-up cost): the kernels from the first batch on. Fewer and ``only``
        (this engine sees no others, e.g. a worker process of one
        ``add_many``): numpy for good. Otherwise it keeps counting.
        """
        if self._settled or self.name != "auto":
            return
        if docs >= 2 * AUTO_MIN_DOCS:
            self._seen = max(self._seen, AUTO_MIN_DOCS)
        elif only:
            self._settled = True

    def kernels(self, docs: int) -> ModuleType | None:
        """The kernels module to use for a batch of ``docs`` documents, or None for numpy.

        Raises:
            ImportError: ``"numba"`` was asked for and numba cannot be imported.
            RuntimeError: ``"numba"`` was asked for and numba has nowhere to
                cache the compiled kernels (``"auto"`` then stays on numpy).
        """
        self._seen += docs
        if not self._settled and (self.name == "numba" or self._seen >= AUTO_MIN_DOCS):
            self._settled = True
            try:
                from . import _kernels
            except ImportError:
                if self.name == "numba":
                    raise ImportError('engine="numba" needs numba: pip install "dedup[fast]"'
                                      ) from None
            except RuntimeError as exc:  # numba found no writable directory for its cache
                if self.name == "numba":
                    raise RuntimeError(f"{exc}; set NUMBA_CACHE_DIR to a writable directory"
                                       ) from None
            else:
                self._module = _kernels
        return self._module


@dataclass
class Shingler:
    """Turns batches of normalized texts into shingle-hash sets.

    Attributes:
        word_ngram: shingle size in words for spaced scripts.
        cjk_ngram: shingle size in characters for Han/Kana/Hangul texts.
        engine: ``"numba"`` (compiled kernel), ``"numpy"``, or ``"auto"``
            (see `Engine`). Both give identical shingles.

    Holds no state but its settings (and which engine it has settled on).
    """

    word_ngram: int = 5
    cjk_ngram: int = 4
    engine: str = "auto"
    _engine: Engine = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._engine = Engine(self.engine)

    def shingles(self, normalized: str) -> np.ndarray:
        """Sorted distinct uint32 shingle hashes of one normalized text.

        Example:
            >>> len(Shingler(5, 4).shingles("the quick brown fox jumps over the lazy dog"))
            5
        """
        values, offsets = self.batch([normalized])
        return values[offsets[0]:offsets[1]]

    def batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Shingle many texts at once.

        Returns:
            ``(values, offsets)``: document ``i``'s sorted distinct hashes are
            ``values[offsets[i]:offsets[i + 1]]``.
        """
        sets, _ = self.batch_with_sequence(texts)
        return sets

    def batch_with_sequence(self, texts: list[str]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                             tuple[np.ndarray, np.ndarray]]:
        """Like :meth:`batch`, also returning the shingles in text order.

        Returns:
            ``((values, offsets), (sequence, sequence_docs))``: the sets as in
            :meth:`batch`, and every shingle in text order with its document
            number (for passage fingerprints).
        """
        compiled = self._engine.kernels(len(texts))
        if compiled is not None:
            return self._compiled_batch(compiled, texts)
        forms = [token_form(t, self.word_ngram, self.cjk_ngram) for t in texts]
        return _numpy_batch(forms)

    def expect(self, docs: int, *, only: bool = False) -> None:
        """See :meth:`Engine.expect`."""
        self._engine.expect(docs, only=only)

    def kernels(self) -> ModuleType | None:
        """The compiled kernels this shingler's last batch used (None: numpy)."""
        return self._engine.kernels(0)

    def _compiled_batch(self, compiled: ModuleType, texts: list[str]):
        """`batch_with_sequence` through the kernel: each text's UTF-8 bytes, read once."""
        parts = []
        for text in texts:
            if text.isascii():
                parts.append(text.encode("ascii"))
            elif _BEYOND_BMP.search(text) is None:
                # Lone surrogates (from JSON escapes) are not tokens; keep them encodable.
                parts.append(text.encode("utf-8", "surrogatepass"))
            else:  # the kernel's class table covers the BMP: give it the tokens only
                parts.append(" ".join(TOKEN.findall(text)).encode("utf-8"))
        ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
        starts = ends - np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        data = np.frombuffer(b"".join(parts), dtype=np.uint8)
        values, offsets, sequence, docs = compiled.shingle_docs(
            data, starts, ends, compiled.CLASSES, self.word_ngram, self.cjk_ngram,
            _POWERS, _POSITION)
        return (values, offsets), (sequence, docs)


def _numpy_batch(forms: list[tuple[bytes, int]]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                          tuple[np.ndarray, np.ndarray]]:
    """The numpy engine over token forms, in cache-sized sub-batches."""
    groups, size, first = [], 0, 0
    for i, (form, _) in enumerate(forms):
        size += len(form) + 1
        if size >= _SUB_BATCH_BYTES:
            groups.append((first, i + 1))
            first, size = i + 1, 0
    if first < len(forms) or not groups:
        groups.append((first, len(forms)))
    if len(groups) == 1:
        return _numpy_group(forms)
    values, offsets, sequence, docs = [], [np.zeros(1, dtype=np.int64)], [], []
    done = 0
    for lo, hi in groups:
        (v, o), (s, d) = _numpy_group(forms[lo:hi])
        values.append(v)
        offsets.append(o[1:] + done)
        done += len(v)
        sequence.append(s)
        docs.append(d + lo)
    return ((np.concatenate(values), np.concatenate(offsets)),
            (np.concatenate(sequence), np.concatenate(docs)))


def _numpy_group(forms: list[tuple[bytes, int]]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                          tuple[np.ndarray, np.ndarray]]:
    data = b"\n".join(f for f, _ in forms) + b"\n"
    buf = np.frombuffer(data, dtype=np.uint8)
    doc_end = np.cumsum([len(f) + 1 for f, _ in forms])  # byte after each doc's "\n"
    token_hash, token_start = _token_hashes(buf)
    token_doc = np.searchsorted(doc_end, token_start, side="right")
    sizes = np.array([n for _, n in forms], dtype=np.int64)
    return _ngram_sets(token_hash, token_doc, sizes, len(forms))


def _token_hashes(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hash every token (maximal run of word bytes) of ``buf`` at once.

    ``T = Σ byte_i · P^i`` over the token's bytes (position ``i`` from the
    token start, capped at 63), plus its length, through a 64-bit finalizer.
    """
    idx = np.flatnonzero(_WORD_BYTE[buf])
    if len(idx) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    new = np.empty(len(idx), dtype=bool)
    new[0] = True
    np.not_equal(idx[1:], idx[:-1] + 1, out=new[1:])
    first = np.flatnonzero(new)
    lengths = np.diff(first, append=len(idx))
    rel = np.arange(len(idx)) - np.repeat(first, lengths)
    vals = buf[idx].astype(np.uint64) * _POWERS[np.minimum(rel, 63)]
    h = np.add.reduceat(vals, first)
    h ^= lengths.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    return _fmix64(h), idx[first]


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _ngram_sets(token_hash: np.ndarray, token_doc: np.ndarray, sizes: np.ndarray,
                ndocs: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Combine token hashes into per-document n-gram sets, and the ordered sequence."""
    counts = np.bincount(token_doc, minlength=ndocs)
    n_of_token = sizes[token_doc]
    docs_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(len(token_hash)) - docs_first[token_doc]
    # A document shorter than its n yields one shingle of all its tokens: use
    # its own length as n (the window starting at its first token).
    n_eff = np.minimum(n_of_token, counts[token_doc])
    valid = position + n_eff <= counts[token_doc]
    total = len(token_hash)
    acc = token_hash * _POSITION[0]
    for i in range(1, min(int(sizes.max(initial=1)), total)):
        shifted = np.zeros(total, dtype=np.uint64)
        shifted[:total - i] = token_hash[i:]
        acc += np.where(i < n_eff, shifted * _POSITION[i % 16], np.uint64(0))
    acc ^= acc >> np.uint64(29)
    acc *= np.uint64(0xBF58476D1CE4E5B9)
    values = (acc >> _U32)[valid]
    sequence = values.astype(np.uint32)
    docs = token_doc[valid].astype(np.uint64)
    keyed = np.sort((docs << _U32) | values)  # by doc, then hash
    if len(keyed) > 1:  # np.unique is hash-based and 30x slower here (numpy 2.4)
        keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))]
    out_docs = keyed >> _U32
    offsets = np.searchsorted(out_docs, np.arange(ndocs + 1, dtype=np.uint64), side="left")
    sets = ((keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets)
    return sets, (sequence, token_doc[valid])
