"""Facts about an SQLite index file read by SQL alone, and compacting it.

Kept apart from ``dedup.storage.sqlite_store`` (the store itself) to keep each module
short; ``dedup index describe`` and ``dedup index vacuum`` use these.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import orjson

from ..errors import IndexFormatError, StoreError
from ..filesystem import path_problem, read_only_uri
from .header import FORMAT
from .snapshot import SnapshotDamaged, file_stamp, open_snapshot, snapshot_path
from .sqlite_format import connect_checked, counter
from .sqlite_store import SqliteStore, _checksum


def disk_size(path: str) -> int:
    """Bytes on disk of the index file and its WAL and shared-memory files."""
    return sum(os.path.getsize(path + s) for s in ("", "-wal", "-shm")
               if os.path.exists(path + s))


def describe_file(path: str, conn: sqlite3.Connection | None = None) -> dict[str, Any]:
    """Facts about an index file from SQL alone (nothing is loaded).

    Raises:
        IndexFormatError: not a dedup index, or damaged.
        StoreError: no such file.
    """
    if not os.path.exists(path):
        raise StoreError(f"no index at {path}")
    if os.path.isdir(path):
        raise StoreError(f"cannot open the index {path}: {path_problem(path, writing=False)}")
    own = conn is None
    if own:
        # the schema is dedup's (no view or trigger runs) before any table is read
        conn = connect_checked(read_only_uri(path), path)
    try:
        header = dict(conn.execute("SELECT key, value FROM header").fetchall())
        if header.get("format") != FORMAT:
            raise IndexFormatError(f"{path} is an SQLite file but not a dedup index")
        try:
            config, wires = orjson.loads(header["config"]), orjson.loads(header["wires"])
        except (KeyError, orjson.JSONDecodeError) as exc:
            raise IndexFormatError(f"{path}: the header is damaged ({exc})") from None
        one = conn.execute
        sizes = one("SELECT count(*), sum(n > 1), sum(n) - count(*) FROM "
                    "(SELECT count(*) AS n FROM articles GROUP BY cluster)").fetchone()
        texts = one("SELECT count(*), coalesce(sum(length(text)), 0) FROM texts").fetchone()
        return {
            "backend": "sqlite", "location": path,
            "format_version": counter(header.get("format_version", 0),
                                      "the header's format_version", path),
            "dedup_version": header.get("dedup_version"), "created": header.get("created"),
            "articles": one("SELECT count(*) FROM articles").fetchone()[0],
            "clusters": sizes[0], "clusters_with_copies": sizes[1] or 0, "copies": sizes[2] or 0,
            "texts_stored": texts[0], "text_bytes": texts[1],
            "config": config, "wire_agencies": len(wires) if isinstance(wires, list) else 0,
            "size_on_disk": disk_size(path),
            "snapshot_bytes": current_snapshot_size(path, header.get("generation")),
        }
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "no such table" in str(exc):
            raise IndexFormatError(f"{path} is not a dedup index ({exc})") from None
        raise IndexFormatError(f"{path} is corrupted or truncated ({exc})") from None
    finally:
        if own:
            conn.close()


def current_snapshot_size(path: str, generation: str | None) -> int:
    """Bytes of the snapshot beside ``path`` if it is of the file as it is (the next
    open reads it instead of the rows), else 0."""
    try:
        snap = open_snapshot(snapshot_path(path), generation, file_stamp(path))
    except SnapshotDamaged:
        return 0
    if snap is None:
        return 0
    with snap:
        return snap.size


def vacuum(path: str) -> tuple[int, int]:
    """Rewrite an index file compactly (after many removals or evictions).

    Returns:
        ``(bytes before, bytes after)``.

    Raises:
        StoreError: another process has it open for writing, or no such file.
        IndexFormatError: not a dedup index.
    """
    store = SqliteStore(path, create=False)  # verifies it and takes the writer's lock
    try:
        before = disk_size(path)
        store._conn.execute("VACUUM")
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return before, disk_size(path)
    finally:
        store.close()


def damaged_texts(path: str) -> list[str]:
    """Ids of the articles whose stored text fails its checksum (read-only; one pass
    over the texts, which opening an index does not read).

    A writer opening such an index goes on (the texts are only read for reports and
    exports); ``dedup stream``/``batch --index`` say so once.

    Raises:
        IndexFormatError: not a dedup index, or damaged beyond its texts.
    """
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        rows = conn.execute("SELECT a.id, t.arrival, t.text, t.checksum FROM texts AS t "
                            "JOIN articles AS a ON a.arrival = t.arrival ORDER BY t.arrival")
        return [aid for aid, arrival, blob, checksum in rows
                if checksum != _checksum(arrival, blob)]
    except sqlite3.DatabaseError as exc:
        raise IndexFormatError(f"{path} is corrupted or truncated ({exc})") from None
    finally:
        conn.close()
