"""Why the file system will not let an index file (or a report) be opened or made, in words.

SQLite says only "unable to open database file" for a missing folder, a folder
given as the file, a read-only file system or a permission problem; the stores
turn that into one ``StoreError`` line naming the path and what to do
(issue 18 item 2).
"""

from __future__ import annotations

import os


def read_only_fs(path: str) -> bool:
    """Whether ``path`` (a file or folder that exists) is on a read-only file system."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def missing_folder(path: str) -> str | None:
    """Why no file can be made at ``path`` because its folder is not there, or None."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(folder):
        return None
    if os.path.exists(folder):
        return f"{folder} is not a folder"
    return f"the folder {folder} does not exist; create it first (mkdir -p {folder})"


def path_problem(path: str, *, writing: bool) -> str | None:
    """What stands in the way of an index file at ``path``, or None if nothing visible.

    Args:
        path: the index file.
        writing: it is to be written (created, or opened for writing), which
            needs its folder writable too (SQLite's ``-wal`` and ``-shm`` files).

    Returns:
        A reason with its fix, e.g. ``"the folder missing/dir does not exist;
        create it first (mkdir -p missing/dir)"``.
    """
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        return (f"{path} is a folder; give the index a file name "
                f"(e.g. {os.path.join(path, 'news.db')})")
    if (missing := missing_folder(path)) is not None:
        return missing
    if writing and read_only_fs(folder):
        return (f"{folder} is on a read-only file system; put the index on a writable one "
                f"(an existing index can still be read: dedup index export, dedup report --index)")
    if writing and not os.access(folder, os.W_OK | os.X_OK):
        return (f"no permission to write in the folder {folder} (the index keeps its "
                f"-wal file beside it)")
    if os.path.exists(path):
        if not os.access(path, os.R_OK):
            return f"no permission to read {path}"
        if writing and not os.access(path, os.W_OK):
            return (f"no permission to write {path}; fix its permissions, or read it without "
                    f"writing (dedup index export, dedup report --index)")
    return None


def read_only_uri(path: str) -> str:
    """The SQLite URI that opens ``path`` for reading only.

    On a read-only file system SQLite cannot make the ``-shm`` file a reader of a
    WAL-mode file needs; there nothing can write the file either, so it is
    opened as immutable (unless a write-ahead log is left beside it).
    """
    from pathlib import Path

    uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    wal = path + "-wal"
    if read_only_fs(path) and not (os.path.exists(wal) and os.path.getsize(wal)):
        uri += "&immutable=1"
    return uri
