"""Reading an index file's rows back, checked: the articles a chunk at a time (so a
file of ten million articles is read without holding a Python object per article),
the clusters, the chrome counts and the shingle sets, each row against its checksum.

``SqliteStore`` builds its in-memory state from these when the file has no snapshot
of itself (``dedup.storage.snapshot``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import orjson

from ..errors import IndexFormatError
from ..fingerprint import PASSAGE_BANDS, stored_passages, stored_signatures
from .doc_table import Doc
from .sqlite_format import (
    article_checksum,
    checksum,
    chrome_checksum,
    cluster_checksum,
    stored_meta,
    stored_notes,
)

CHUNK = 1 << 16  # article rows read at a time
_U64 = 1 << 64


@dataclass
class ArticleChunk:
    """Consecutive article rows (in arrival order) as columns; ragged columns are
    values with each row's length; signatures and passage keys as a store keeps them."""

    docs: list[Doc]
    signatures: np.ndarray
    sizes: np.ndarray
    hashes: np.ndarray
    passages: np.ndarray
    passage_lengths: np.ndarray
    numbers: np.ndarray
    number_lengths: np.ndarray
    fine: np.ndarray
    fine_lengths: np.ndarray


def _ragged(blobs: list[bytes], dtype: str) -> tuple[np.ndarray, np.ndarray]:
    width = np.dtype(dtype).itemsize
    return (np.frombuffer(b"".join(blobs), dtype=dtype),
            np.array([len(b) // width for b in blobs], dtype=np.int64))


def article_chunks(conn: sqlite3.Connection, path: str, num_perm: int, *, numbers: bool,
                   fine: bool) -> Iterator[ArticleChunk]:
    """The articles table in arrival order, ``CHUNK`` rows at a time (``numbers``,
    ``fine``: whether the file has those columns; without, the rows have none).

    Raises:
        IndexFormatError: a row fails its checksum or has fingerprints of the wrong
            length.
    """
    fromiso = datetime.fromisoformat
    empty = "x''"  # a column the file has not: an empty blob per row
    cursor = conn.execute(f"SELECT arrival, id, cluster, added, meta, signature, size, "
                          f"content_hash, passages, checksum, {'numbers' if numbers else empty}, "
                          f"{'fine' if fine else empty} FROM articles ORDER BY arrival")
    while rows := cursor.fetchmany(CHUNK):
        docs: list[Doc] = []
        sig_blobs, pk_blobs, nk_blobs, fk_blobs = [], [], [], []
        for (arrival, aid, cluster, added, meta, sig, size, chash, pks, check, nks,
             fks) in rows:
            if check != article_checksum(arrival, aid, cluster, added, meta, sig, size, chash,
                                         pks, nks, fks):
                raise IndexFormatError(f"{path} is corrupted: article {aid!r} (arrival "
                                       f"{arrival}) fails its checksum; restore the file "
                                       f"from a backup or rebuild it")
            if (len(sig) != 4 * num_perm or len(pks) % (8 * PASSAGE_BANDS) or len(nks) % 4
                    or len(fks) % 8):
                raise IndexFormatError(f"{path}: article {aid!r} has a signature or "
                                       f"passage list of the wrong length")
            f = stored_meta(orjson.loads(meta)).get
            published = f("published")
            docs.append(Doc(
                id=aid, title=f("title"), url=f("url"), source=f("source"),
                published=fromiso(published) if published else None, arrival=arrival,
                wire=f("wire"), wire_evidence=f("wire_evidence"),
                credited=tuple(f("credited") or ()), credit_text=f("credit_text"),
                mentions=tuple(f("mentions") or ()), cluster=cluster, added=added,
                canonical=f("canonical"), canonical_wire=f("canonical_wire"),
                extraction=f("extraction")))
            sig_blobs.append(sig)
            pk_blobs.append(pks)
            nk_blobs.append(nks)
            fk_blobs.append(fks)
        passages, passage_lengths = _ragged(pk_blobs, "<u8")
        yield ArticleChunk(
            docs, stored_signatures(np.frombuffer(b"".join(sig_blobs), dtype="<u4")
                                    .reshape(len(rows), num_perm)),
            np.array([r[6] for r in rows], dtype=np.uint32),
            np.array([r[7] for r in rows], dtype=np.int64).view(np.uint64),
            stored_passages(passages), passage_lengths, *_ragged(nk_blobs, "<u4"),
            *_ragged(fk_blobs, "<u8"))


def cluster_rows(conn: sqlite3.Connection, path: str
                 ) -> tuple[np.ndarray, np.ndarray, dict[int, list[str]]]:
    """The clusters table: ids ascending, each one's original (an arrival), and the
    notes of the clusters that have some.

    Raises:
        IndexFormatError: a row fails its checksum.
    """
    ids, originals, notes = [], [], {}
    for cid, original, stored, check in conn.execute(
            "SELECT id, original, notes, checksum FROM clusters ORDER BY id"):
        if check != cluster_checksum(cid, original, stored):
            raise IndexFormatError(f"{path} is corrupted: cluster {cid} fails its "
                                   f"checksum; restore the file from a backup or rebuild it")
        ids.append(cid)
        originals.append(original)
        if stored_list := stored_notes(orjson.loads(stored)):
            notes[cid] = stored_list
    return np.array(ids, dtype=np.uint64), np.array(originals, dtype=np.int64), notes


def chrome_rows(conn: sqlite3.Connection, path: str) -> list[tuple[int, int, int, bytes]]:
    """The chrome counts as ``ChromeCounts.load_packed`` takes them.

    Raises:
        IndexFormatError: a row fails its checksum.
    """
    rows = []
    for key, count, last_seen, witnesses, check in conn.execute(
            "SELECT key, count, last_seen, witnesses, checksum FROM chrome"):
        if check != chrome_checksum(key, count, last_seen, witnesses):
            raise IndexFormatError(f"{path} is corrupted: a chrome-line count fails "
                                   f"its checksum; restore it from a backup or rebuild it")
        rows.append((key % _U64, count, last_seen, witnesses))
    return rows


def shingle_rows(conn: sqlite3.Connection, path: str, arrivals: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """verify="exact": the stored shingle sets of the articles ``arrivals``
    (ascending), as values and lengths (an article without a row has none, and is
    measured by its estimate).

    Raises:
        IndexFormatError: a row fails its checksum.
    """
    blobs: list[bytes] = [b""] * len(arrivals)
    for arrival, hashes, check in conn.execute(
            "SELECT arrival, hashes, checksum FROM shingles ORDER BY arrival"):
        if check != checksum(arrival, hashes) or len(hashes) % 4:
            raise IndexFormatError(f"{path} is corrupted: the shingles of arrival "
                                   f"{arrival} fail their checksum; restore the file from "
                                   f"a backup or rebuild it")
        at = int(np.searchsorted(arrivals, arrival))
        if at < len(arrivals) and arrivals[at] == arrival:
            blobs[at] = hashes
    return _ragged(blobs, "<u4")
