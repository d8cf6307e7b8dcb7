"""The SQLite index file as input: its schema, row checksums and the checks on open.

An index file may come from anyone (issue 20), so nothing in it runs or is
trusted before it is checked: the schema must be exactly dedup's (no views,
triggers or extra objects), every number is range-checked before it sizes or
indexes anything, and stored texts are inflated with a bound. Used by
``dedup.storage.sqlite_store`` (the store) and ``dedup.storage.sqlite_files`` (describe).
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from collections.abc import Sequence
from functools import cache
from typing import Any

import xxhash

from .. import _core
from ..errors import IndexFormatError
from ..fingerprint import PASSAGE_BANDS
from ..sources import MAX_RECORD_BYTES

_U64 = 1 << 64
# An arrival number, a cluster id or a count read from a file is at most this: far
# above any real run, and small enough that no number read sizes a giant array.
MAX_COUNTER = 1 << 40
# A stored text inflates to at most this many bytes (every input record is at most
# MAX_RECORD_BYTES; a longer text given through the library is not stored), so a
# crafted 1 MB zlib blob that would inflate to 1 GiB is an error, not 1 GiB of memory.
MAX_TEXT_BYTES = 4 * MAX_RECORD_BYTES
_PIECE = 1 << 20
TEXT_LEVEL = 2  # the deflate level of stored texts (src/stored_text.rs says why)

SCHEMA = """
CREATE TABLE header (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE articles (
    arrival INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, cluster INTEGER NOT NULL,
    added REAL NOT NULL, meta BLOB NOT NULL, signature BLOB NOT NULL, size INTEGER NOT NULL,
    content_hash INTEGER NOT NULL, passages BLOB NOT NULL, checksum INTEGER NOT NULL,
    numbers BLOB NOT NULL DEFAULT x'', fine BLOB NOT NULL DEFAULT x'');
CREATE TABLE texts (arrival INTEGER PRIMARY KEY, text BLOB NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE clusters (id INTEGER PRIMARY KEY, original INTEGER NOT NULL, notes TEXT NOT NULL,
    checksum INTEGER NOT NULL);
CREATE TABLE chrome (key INTEGER PRIMARY KEY, count INTEGER NOT NULL, checksum INTEGER NOT NULL,
    last_seen INTEGER NOT NULL DEFAULT 0, witnesses BLOB NOT NULL DEFAULT x'');
"""
# verify="exact" only: every article's sorted distinct shingle hashes (uint32).
SHINGLES = """CREATE TABLE IF NOT EXISTS shingles (arrival INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL, checksum INTEGER NOT NULL)"""
# The tables as formats 1 (articles without numbers), 2 (chrome without
# last_seen and witnesses) and 3 (articles without fine passages) wrote them;
# opening such a file for writing adds the columns.
_FORMAT3_ARTICLES = """
CREATE TABLE articles (
    arrival INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, cluster INTEGER NOT NULL,
    added REAL NOT NULL, meta BLOB NOT NULL, signature BLOB NOT NULL, size INTEGER NOT NULL,
    content_hash INTEGER NOT NULL, passages BLOB NOT NULL, checksum INTEGER NOT NULL,
    numbers BLOB NOT NULL DEFAULT x'');
"""
_OLDER_TABLES = """
CREATE TABLE articles (
    arrival INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, cluster INTEGER NOT NULL,
    added REAL NOT NULL, meta BLOB NOT NULL, signature BLOB NOT NULL, size INTEGER NOT NULL,
    content_hash INTEGER NOT NULL, passages BLOB NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE chrome (key INTEGER PRIMARY KEY, count INTEGER NOT NULL, checksum INTEGER NOT NULL);
"""
_REQUIRED = ("header", "articles", "texts", "clusters", "chrome")


def checksum(*parts: Any) -> int:
    """64-bit xxh3 of a row's values (as a signed integer for SQLite), so that a flipped
    bit is an error, not an answer. Unkeyed: it catches damage, not forgery."""
    data = b"\x1f".join(p if isinstance(p, bytes) else b"\x00" if p is None
                        else repr(p).encode("utf-8") for p in parts)
    return signed(xxhash.xxh3_64_intdigest(data))


def article_checksum(arrival: int, aid: str, cluster: int, added: float, meta: bytes,
                     sig: bytes, size: int, chash: int, pks: bytes, nks: bytes = b"",
                     fks: bytes = b"") -> int:
    """:func:`checksum` of an article row, in one call (it runs once per row on open).
    Empty ``numbers`` leave it as format 1 computed it, empty ``fine`` as format 3."""
    head = f"{arrival}\x1f{aid}\x1f{cluster}\x1f{added!r}\x1f{size}\x1f{chash}".encode()
    parts: tuple[bytes, ...] = (head, meta, sig, pks, nks) if nks else (head, meta, sig, pks)
    if fks:
        parts = (head, meta, sig, pks, nks, fks)
    return signed(xxhash.xxh3_64_intdigest(b"\x1f".join(parts)))


def chrome_checksum(key: int, count: int, last_seen: int, witnesses: bytes) -> int:
    """:func:`checksum` of a chrome row, in one call (a row a line of chrome counts)."""
    if type(key) is not int or type(count) is not int or type(last_seen) is not int \
            or type(witnesses) is not bytes:  # a damaged row: the general rule says why
        return checksum(key, count, last_seen, witnesses)
    return signed(xxhash.xxh3_64_intdigest(b"%d\x1f%d\x1f%d\x1f" % (key, count, last_seen)
                                           + witnesses))


def cluster_checksum(cid: int, original: int, notes: str) -> int:
    """:func:`checksum` of a cluster row, in one call."""
    return signed(xxhash.xxh3_64_intdigest(f"{cid}\x1f{original}\x1f{notes}".encode()))


def signed(key: int) -> int:
    return key - _U64 if key >= 1 << 63 else key


# -- the schema ------------------------------------------------------------------------

def _normal(sql: str | None) -> str | None:
    """SQL with whitespace runs collapsed and none around ``( ) ,``: how SQLite rewrites
    a table's text on ``ALTER TABLE ADD COLUMN`` differs from ours only there."""
    if sql is None:
        return None
    return re.sub(r" ?([(),]) ?", r"\1", re.sub(r"\s+", " ", sql.strip()))


@cache
def _accepted() -> dict[str, frozenset[tuple[str, str, str | None]]]:
    """Every ``(type, table, normalised SQL)`` each schema object may have, read back
    from SQLite itself (so its autoindexes and its way of storing the text are known)."""
    out: dict[str, set[tuple[str, str, str | None]]] = {}
    for script in (SCHEMA + SHINGLES, _OLDER_TABLES, _FORMAT3_ARTICLES):
        conn = sqlite3.connect(":memory:")
        try:
            conn.executescript(script)
            for kind, name, table, sql in conn.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master"):
                out.setdefault(name, set()).add((kind, table, _normal(sql)))
        finally:
            conn.close()
    return {name: frozenset(forms) for name, forms in out.items()}


def connect_checked(uri: str, path: str) -> sqlite3.Connection:
    """Open an index file with its schema checked before any query reads a table.

    ``trusted_schema`` is off (no SQL function with side effects runs from the
    schema), and every object in ``sqlite_master`` must be one of dedup's with
    dedup's SQL: a view in place of a table (which may recurse forever), a trigger
    (which may drop or undo writes) or any other object is refused.

    Raises:
        IndexFormatError: not an SQLite file, or its schema is not dedup's.
    """
    conn = None
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA trusted_schema=OFF")
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        check_schema(rows, path)
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if "not a database" in str(exc):
            raise IndexFormatError(f"{path} is not a dedup index (not an SQLite database)") \
                from None
        raise IndexFormatError(f"{path} is corrupted or truncated ({exc}); restore it from "
                               f"a backup or rebuild it") from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn


def check_schema(rows: list[tuple[Any, ...]], path: str) -> None:
    """Refuse any schema object that is not dedup's (see :func:`connect_checked`)."""
    accepted = _accepted()
    names = set()
    for kind, name, table, sql in rows:
        names.add(name)
        if name not in accepted:
            raise IndexFormatError(f"{path} is not a dedup index: it holds a {kind} {name!r} "
                                   f"that dedup never creates; refusing to open it")
        if (kind, table, _normal(sql)) not in accepted[name]:
            raise IndexFormatError(f"{path} is not a dedup index: its {kind} {name!r} is not "
                                   f"the {_kind_of(name)} dedup creates (its SQL differs); "
                                   f"refusing to open it")
    if not names:
        return  # an empty SQLite file: the header check says it is not an index
    missing = [t for t in _REQUIRED if t not in names]
    if missing:
        raise IndexFormatError(f"{path} is an SQLite file but not a dedup index (no "
                               f"{' or '.join(missing)} table)")


def _kind_of(name: str) -> str:
    return next(iter(_accepted()[name]))[0]


def check_tables(conn: sqlite3.Connection, path: str, version: int, num_perm: int,
                 next_arrival: int, next_cluster: int, chrome_seen: int, *,
                 fine: bool = False) -> None:
    """Type- and range-check every stored number of every table (articles, clusters,
    chrome) before it sizes or indexes anything, from the header's counters
    (``fine``: the articles table has format 4's fine passage column).

    Raises:
        IndexFormatError: naming the first bad row, its column and its value.
    """
    params = {"arrivals": next_arrival, "clusters": next_cluster, "seen": chrome_seen + 1,
              "sig": 4 * num_perm, "passage": 8 * PASSAGE_BANDS, "most": MAX_COUNTER}
    article = {
        "arrival": integer("arrival", "0", ":arrivals"), "id": of_type("id", "text"),
        "cluster": integer("cluster", "1", ":clusters"),
        "added": "typeof(added) = 'real' AND added >= 0 AND added < 1e12",
        "meta": of_type("meta", "blob"),
        "signature": "typeof(signature) = 'blob' AND length(signature) = :sig",
        "size": integer("size", "0", "4294967296"),
        "content_hash": of_type("content_hash", "integer"),
        "passages": "typeof(passages) = 'blob' AND length(passages) % :passage = 0",
        "checksum": of_type("checksum", "integer")}
    if version >= 2:
        article["numbers"] = "typeof(numbers) = 'blob' AND length(numbers) % 4 = 0"
    if fine:
        article["fine"] = "typeof(fine) = 'blob' AND length(fine) % 8 = 0"
    check_rows(conn, path, "articles", article,
               "'article ' || quote(id) || ' (arrival ' || quote(arrival) || ')'", params)
    check_rows(conn, path, "clusters", {
        "id": integer("id", "1", ":clusters"),
        "original": integer("original", "0", ":arrivals"),
        "notes": of_type("notes", "text"), "checksum": of_type("checksum", "integer")},
        "'cluster ' || quote(id)", params)
    if version >= 3:
        check_rows(conn, path, "chrome", {
            "key": of_type("key", "integer"), "count": integer("count", "0", ":most"),
            "last_seen": integer("last_seen", "0", ":seen"),
            "witnesses": of_type("witnesses", "blob"),
            "checksum": of_type("checksum", "integer")},
            "'the chrome-line count ' || quote(key)", params)


_META_TEXTS = ("title", "url", "source", "published", "wire", "wire_evidence", "credit_text",
               "canonical", "canonical_wire", "extraction")


def stored_meta(meta: Any) -> dict[str, Any]:
    """An article's stored metadata, with each field of the type it is written with
    (it runs once per row on open: plain loops, no generators)."""
    if type(meta) is not dict:
        raise ValueError("an article's metadata is not a JSON object")
    get = meta.get
    for key in _META_TEXTS:
        value = get(key)
        if value is not None and type(value) is not str:
            raise ValueError(f"an article's metadata field {key!r} is not text")
    for key in ("credited", "mentions"):
        value = get(key)
        if value and (type(value) is not list or not all(type(x) is str for x in value)):
            raise ValueError(f"an article's metadata field {key!r} is not a list of text")
    return meta


def stored_notes(notes: Any) -> list[str]:
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ValueError("a cluster's notes are not a list of strings")
    return notes


# -- values read -----------------------------------------------------------------------

def counter(value: Any, what: str, path: str, *, low: int = 0, high: int = MAX_COUNTER) -> int:
    """An integer read from the file, checked to lie in ``[low, high)``.

    Raises:
        IndexFormatError: not an integer, or out of range.
    """
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            pass
    if type(value) is not int or not low <= value < high:
        raise IndexFormatError(f"{path} is corrupted: {what} is {value!r}, not an integer "
                               f"in [{low}, {high}); restore it from a backup or rebuild it")
    return value


def deflate_texts(texts: Sequence[str]) -> list[bytes | None]:
    """Each text deflated for storing (in the core, zlib's format: `inflate_text`
    reads it back), or None for one longer than ``MAX_TEXT_BYTES`` in UTF-8, which is
    not kept (it could not be read back)."""
    return _core.deflate_texts(texts, TEXT_LEVEL, MAX_TEXT_BYTES)


def inflate_text(blob: bytes, path: str, article_id: str, limit: int = MAX_TEXT_BYTES) -> str:
    """A stored text, inflated to at most ``limit`` bytes (a zlib bomb is never
    inflated whole).

    Raises:
        IndexFormatError: not zlib data, not UTF-8, or it inflates past ``limit``.
    """
    where = f"{path} is corrupted: the stored text of {article_id!r}"
    if not isinstance(blob, bytes):
        raise IndexFormatError(f"{where} is not a blob")
    inflater, parts, total, rest = zlib.decompressobj(), [], 0, blob
    try:
        while not inflater.eof:  # in pieces: a bomb costs the limit, not twice it
            piece = inflater.decompress(rest, _PIECE)
            rest = inflater.unconsumed_tail
            if not piece and not rest:
                break  # the input ended before the stream did
            parts.append(piece)
            total += len(piece)
            if total > limit:
                raise IndexFormatError(f"{where} inflates to over {limit:,} bytes (the most a "
                                       f"stored text may have); refusing to read it")
        if not inflater.eof:
            raise IndexFormatError(f"{where} is truncated zlib data")
        return b"".join(parts).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise IndexFormatError(f"{where} cannot be read ({exc})") from None


def check_rows(conn: sqlite3.Connection, path: str, table: str, rules: dict[str, str],
               name: str, params: dict[str, int]) -> None:
    """Check every row of ``table`` in one scan (in SQLite: no Python per row) before
    any value in it sizes or indexes anything.

    Args:
        rules: column → an SQL condition that holds for a good value (a parameter
            ``:x`` is taken from ``params``).
        name: an SQL expression naming the row in the message.

    Raises:
        IndexFormatError: naming the first bad row, its column and its value.
    """
    which = " ".join(f"WHEN NOT ({ok}) THEN '{col}'" for col, ok in rules.items())
    value = " ".join(f"WHEN NOT ({ok}) THEN substr(quote({col}), 1, 40)"
                     for col, ok in rules.items())
    row = conn.execute(f"SELECT {name}, CASE {which} END AS bad, CASE {value} END FROM {table} "
                       f"WHERE bad IS NOT NULL LIMIT 1", params).fetchone()
    if row is not None:
        raise IndexFormatError(f"{path} is corrupted: {row[0]} has a bad {row[1]} ({row[2]}); "
                               f"restore it from a backup or rebuild it")


def integer(column: str, low: str, high: str) -> str:
    """The condition that ``column`` is an integer in ``[low, high)``."""
    return f"typeof({column}) = 'integer' AND {column} >= {low} AND {column} < {high}"


def of_type(column: str, kind: str) -> str:
    return f"typeof({column}) = '{kind}'"
