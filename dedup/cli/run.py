"""Running a ``dedup`` command: SIGINT/SIGTERM that stop it between records, the
progress bar on a terminal, and the ``--max-age`` duration type (part of ``dedup.cli``).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import click

from ..errors import BadRecord
from ..sources import bounded_lines


class _Duration(click.ParamType):
    """A duration: seconds, or a number with s, m, h, d or w."""

    name = "duration"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip().lower()
        unit = self._UNITS.get(text[-1:], None)
        try:
            number = float(text[:-1] if unit else text)
        except ValueError:
            number = -1.0
        if number <= 0:
            self.fail(f"{value!r} is not a duration; use e.g. 3600, 90m, 12h or 7d", param, ctx)
        return number * (unit or 1)


class _Stop(Exception):
    """SIGINT/SIGTERM arrived while the stream was waiting for input."""


class _Signals:
    """SIGINT/SIGTERM stop the stream between records, never in the middle of one."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.reading = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._old[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._old.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.signum = signum
        if self.reading:  # blocked on input: nothing is half done, stop now
            raise _Stop

    def lines(self, stream: Any) -> Iterator[bytes | BadRecord]:
        """Lines of ``stream``, each bounded by the per-article cap (``bounded_lines``)."""
        lines = bounded_lines(stream)
        while self.signum is None:
            self.reading = True
            try:
                line = next(lines, None)
            finally:
                self.reading = False
            if line is None:
                return
            yield line


class _Bar:
    """A progress bar on stderr, only when stderr is a terminal and the run is long."""

    def __init__(self, total: int) -> None:
        self._bar = click.progressbar(length=total, label="fingerprinting", file=sys.stderr)
        self._bar.__enter__()

    def __call__(self, done: int) -> None:
        self._bar.update(done)

    def finish(self) -> None:
        self._bar.__exit__(None, None, None)


def _progress(total: int) -> Callable[[int], None] | None:
    if total >= 2000 and sys.stderr.isatty():
        return _Bar(total)
    return None
