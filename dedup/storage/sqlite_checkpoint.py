"""An index file's write-ahead log copied back into the file off the writer's path.

SQLite in WAL mode appends each commit to ``PATH-wal``; by default the committing
connection copies the log back into the file once it holds 1,000 pages (a
*checkpoint*), inside that commit. For an index taking one article a commit that is
about one add in 80 paying 5–10 ms instead of ~0.2 ms: `python -m bench.stream_bench
--direct 1000000` measured the in-process ``add`` p99 at 2.7–6 ms, all of the tail
in those commits (the writer with ``wal_autocheckpoint=0``: p99 1.3 ms).

So the writer's connection does not checkpoint, and a thread of the store's with a
connection of its own runs ``PRAGMA wal_checkpoint(PASSIVE)`` after commits, at most
every ``PAUSE`` seconds: a passive checkpoint copies what no reader still needs and
never blocks the writer, which keeps appending meanwhile and starts the log over
once it has all been copied. Durability is SQLite's either way (a commit is in the
log before ``commit`` returns); closing the store stops the thread first, so that
the writer's connection is the last and its close checkpoints the rest and removes
the log, as before.
"""

from __future__ import annotations

import sqlite3
import threading

PAUSE = 0.05  # seconds between two checkpoints, at least


class Checkpointer:
    """Checkpoints of one index file on a daemon thread, asked for by `after_commit`."""

    def __init__(self, uri: str) -> None:
        """Start the thread; ``uri`` is the file's ``file:`` URI, as the writer opened it."""
        self._uri = uri
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.checkpoints = 0  # completed calls (tests read it)
        self.error: str | None = None  # the last failure, if any (the next may succeed)
        self._thread = threading.Thread(target=self._run, name="dedup-checkpoint", daemon=True)
        self._thread.start()

    def after_commit(self) -> None:
        """A commit added to the log: checkpoint soon."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread and close its connection (before the writer's closes)."""
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._uri, uri=True)
        except sqlite3.Error as exc:  # the writer's own close checkpoints, as without us
            self.error = str(exc)
            return
        try:
            while True:
                self._wake.wait()
                if self._stop.is_set():
                    return
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # e.g. busy or disk full: the log keeps
                    self.error = str(exc)      # growing and a later call copies it
                self._stop.wait(PAUSE)
        finally:
            conn.close()
