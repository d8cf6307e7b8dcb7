"""Articles parked on disk between a batch's two passes (read, learn, forget).

``dedup batch`` reads its input twice in effect: once to learn the site chrome
over the whole batch, once to fingerprint and place. Holding every article in
between cost the texts' size (and more, as Python strings) in RAM: 1M bench
articles are ~3.6 GB of text. A `Spill` keeps them in an anonymous temporary
file instead (one JSON line per article, in ``$TMPDIR``; it takes about the
extracted texts' size and vanishes when closed, also on a crash), so the batch
holds a chunk at a time: read an article, write it out, forget it; then read
the articles back in order, chunk by chunk, while the index takes them. HTML
and WARC input is extracted once, in the first pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import orjson

from .errors import DedupError
from .records import Article

_FIELDS = ("id", "text", "title", "url", "source", "published", "canonical", "extraction")


class SpillError(DedupError):
    """The temporary file could not be written or read (a full disk, most likely)."""


class Spill:
    """A write-once, read-in-order file of articles.

    Example:
        >>> with Spill() as spill:
        ...     spill.write(Article(id="a", text="some text"))
        ...     [a.id for a in spill]
        ['a']
    """

    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder or tempfile.gettempdir()
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="dedup-batch-", dir=self.folder)
        except OSError as exc:
            raise SpillError(self._problem("create", exc)) from None
        self.count = 0
        self.bytes = 0

    def _problem(self, doing: str, exc: OSError) -> str:
        return (f"cannot {doing} the batch's temporary file in {self.folder}: "
                f"{exc.strerror or exc}; set TMPDIR to a folder with room for the texts")

    def write(self, article: Article) -> None:
        """Park one article (after the last one written)."""
        line = orjson.dumps({name: _plain(getattr(article, name)) for name in _FIELDS}) + b"\n"
        try:
            self._file.write(line)
        except OSError as exc:
            raise SpillError(self._problem("write", exc)) from None
        self.count += 1
        self.bytes += len(line)

    def __iter__(self) -> Iterator[Article]:
        """The articles written, in order (one reading at a time)."""
        try:
            self._file.flush()
            self._file.seek(0)
            for _ in range(self.count):
                line = self._file.readline()
                if not line.endswith(b"\n"):  # someone else truncated our file
                    raise SpillError(f"the batch's temporary file in {self.folder} was cut "
                                     f"short")
                yield Article(**orjson.loads(line))
        except OSError as exc:
            raise SpillError(self._problem("read", exc)) from None

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.count


def _plain(value: Any) -> Any:
    """A field as JSON holds it: a ``datetime`` in ISO 8601 (its offset kept)."""
    return value.isoformat() if isinstance(value, datetime) else value

