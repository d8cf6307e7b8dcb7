"""An index file outside its rows: made atomically, its header read and checked, an
older format upgraded when it is opened for writing.

The header table holds the format, the configuration, the wire registry and the
counters, each entry with its checksum (``dedup.storage.sqlite_format``);
``SqliteStore`` opens a file through these.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson

from ..config import Config
from ..errors import ConfigError, IndexFormatError, StoreError
from ..filesystem import path_problem
from ..wires import WireRegistry
from .header import FORMAT, FORMAT_VERSION, dedup_version, wires_from_json, wires_json
from .sqlite_format import SCHEMA, SHINGLES, checksum, counter


def format_error(path: str, exc: Exception) -> IndexFormatError:
    """The error for a file SQLite cannot read as it should."""
    text = str(exc)
    if "not a database" in text:
        return IndexFormatError(f"{path} is not a dedup index (not an SQLite database)")
    return IndexFormatError(f"{path} is corrupted or truncated ({text}); restore it "
                            f"from a backup or rebuild it")


def create(path: str, config: Config, wires: WireRegistry) -> None:
    """Write an empty index next to ``path`` and link it into place atomically, so a
    crash never leaves a half-made index under the name (another process that
    created it first wins: its file is the one opened).

    Raises:
        StoreError: the folder refuses the file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)  # a private temporary file: no transaction needed
            if config.verify == "exact":
                conn.execute(SHINGLES)
            conn.execute("BEGIN")
            rows = {"format": FORMAT, "format_version": str(FORMAT_VERSION),
                    "dedup_version": dedup_version(), "created": datetime.now().astimezone()
                    .isoformat(timespec="seconds"),
                    "config": orjson.dumps(config.to_dict()).decode(),
                    "wires": wires_json(wires), "next_arrival": "0", "next_cluster": "1"}
            conn.executemany("INSERT INTO header VALUES (?, ?, ?)",
                             [(k, v, checksum(k, v)) for k, v in rows.items()])
            conn.execute("COMMIT")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: open theirs
    except (OSError, sqlite3.Error) as exc:  # SQLite: "unable to open database file"
        reason = path_problem(path, writing=True) or getattr(exc, "strerror", None)
        raise StoreError(f"cannot create the index {path}: {reason or exc}") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(tmp + suffix)
            except OSError:  # not there, or a read-only file system
                pass


@dataclass(frozen=True)
class Header:
    """What an index file's header says."""

    config: Config
    wires: WireRegistry
    version: int
    next_arrival: int
    next_cluster: int
    chrome_seen: int
    generation: str | None  # every commit's token (format 5; None before)


def read_header(conn: sqlite3.Connection, path: str) -> Header:
    """The header of the file ``conn`` is open on, every entry checked.

    Raises:
        IndexFormatError: not a dedup index, damaged, or of a newer format.
    """
    try:
        rows = conn.execute("SELECT key, value, checksum FROM header").fetchall()
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            raise IndexFormatError(f"{path} is an SQLite file but not a dedup index "
                                   f"(no header table)") from None
        raise format_error(path, exc) from None
    header = {}
    for key, value, check in rows:
        if check != checksum(key, value):
            raise IndexFormatError(f"{path} is corrupted: header entry {key!r} fails "
                                   f"its checksum; restore it from a backup or rebuild it")
        header[key] = value
    if header.get("format") != FORMAT:
        raise IndexFormatError(f"{path} is an SQLite file but not a dedup index")
    try:
        version = int(header["format_version"])
    except (KeyError, ValueError):
        raise IndexFormatError(f"{path}: the header has no valid format_version") from None
    if version > FORMAT_VERSION:
        raise IndexFormatError(
            f"{path} was written by a newer dedup ({header.get('dedup_version', '?')}, "
            f"index format {version}; this dedup {dedup_version()} reads format "
            f"{FORMAT_VERSION}); upgrade dedup")
    try:
        next_arrival = counter(header["next_arrival"], "the header's next_arrival", path)
        return Header(
            Config.from_dict(orjson.loads(header["config"])), wires_from_json(header["wires"]),
            version, next_arrival,
            # every cluster is opened by an arrival
            counter(header["next_cluster"], "the header's next_cluster", path, low=1,
                    high=next_arrival + 2),
            counter(header.get("chrome_seen", "0"), "the header's chrome_seen", path),
            header.get("generation"))
    except (KeyError, ValueError, TypeError, ConfigError, orjson.JSONDecodeError) as exc:
        raise IndexFormatError(f"{path}: the header is damaged ({exc})") from None


def has_fine(conn: sqlite3.Connection) -> bool:
    """Whether the articles table has format 4's ``fine`` column (a file an older
    dedup wrote has not; its articles have no fine passages)."""
    return any(row[1] == "fine" for row in conn.execute("PRAGMA table_info(articles)"))


def upgrade(conn: sqlite3.Connection, path: str, version: int) -> None:
    """Bring a file of format ``version`` to this one, for writing: format 1 gets a
    ``numbers`` column (empty for the stored articles, which the number check lets
    through); format 2's global chrome counts are dropped (chrome is learnt per site
    from now on) and the table gets its version-3 columns; format 3 gets a ``fine``
    column (empty for the stored articles, whose edited check then runs on their
    passages); format 4 gets its generation at its first commit.

    Raises:
        StoreError: the file could not be written.
    """
    if version >= FORMAT_VERSION:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        if version < 2:
            conn.execute("ALTER TABLE articles ADD COLUMN numbers BLOB NOT NULL DEFAULT x''")
        if not has_fine(conn):
            conn.execute("ALTER TABLE articles ADD COLUMN fine BLOB NOT NULL DEFAULT x''")
        if version < 3:
            conn.execute("DELETE FROM chrome")
            have = {row[1] for row in conn.execute("PRAGMA table_info(chrome)")}
            for column, kind in (("last_seen", "INTEGER NOT NULL DEFAULT 0"),
                                 ("witnesses", "BLOB NOT NULL DEFAULT x''")):
                if column not in have:
                    conn.execute(f"ALTER TABLE chrome ADD COLUMN {column} {kind}")
        value = str(FORMAT_VERSION)
        conn.execute("INSERT OR REPLACE INTO header VALUES (?, ?, ?)",
                     ("format_version", value, checksum("format_version", value)))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise StoreError(f"cannot upgrade the index {path} to format "
                         f"{FORMAT_VERSION}: {exc}") from None
