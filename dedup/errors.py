"""Exceptions raised by the dedup library.

One small hierarchy, named as conditions. The CLI turns them into
``click.ClickException``; library code never prints or exits.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""


class ConfigError(DedupError, ValueError):
    """A configuration value (or a user-supplied data file) is invalid."""


class BadRecord(DedupError):
    """One input record cannot be used; the run skips it and goes on.

    Attributes:
        where: the file (or ``<stdin>``) the record came from, if known.
        line: 1-based line number inside ``where``, if the format has lines.
        record_id: the record's id, if it could be read.
        reason: what is wrong and how to fix it.
    """

    def __init__(
        self,
        reason: str,
        *,
        where: str | None = None,
        line: int | None = None,
        record_id: str | None = None,
    ) -> None:
        self.reason = reason
        self.where = where
        self.line = line
        self.record_id = record_id
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return ``file:line: id 'x': reason`` with the parts that are known."""
        place = ""
        if self.where is not None:
            place = self.where
            if self.line is not None:
                place += f":{self.line}"
        elif self.line is not None:
            place = f"line {self.line}"
        parts = [p for p in (place, f"id {self.record_id!r}" if self.record_id else "") if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class ConfigMismatch(DedupError):
    """A saved index was built with a configuration other than the one asked for."""


class IndexFormatError(DedupError):
    """A saved index is corrupted, truncated, or written by a newer format."""


class StoreError(DedupError):
    """An index store cannot be used as asked: missing, opened read-only, locked by
    another process, or a write failed (disk full); nothing acknowledged is lost."""


class StoreUnavailable(StoreError):
    """An index server (Redis) cannot be reached or did not answer in time; the
    message names the server. Nothing acknowledged is lost: retry the call."""
