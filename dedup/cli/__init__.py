"""The ``dedup`` command: a thin client of the library.

Each command opens an ``Index`` or calls a library function and formats the
result. Library errors become ``click.ClickException`` here and only here.
Data goes to stdout; progress, notices and errors go to stderr.

The package: ``common`` (what the commands share), then one module per command
(``batch``, ``stream``, ``index_commands``, ``tools``: report, trace, explain; ``run``:
signals, progress); this module builds the group from them. Imports go one way:
here -> commands -> common.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from .. import __version__
from ..report import printable
from .batch import batch
from .common import EXIT_SKIPPED
from .index_commands import index_group
from .stream import stream
from .tools import explain_command, report, trace_command

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # a write that no retry mends


class _Commands(click.Group):
    """The command group: what a failure says is escaped like every message
    (file names, ids and sources in it are input); output that cannot be
    written (a full disk under ``> out.jsonl``) is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = printable(exc.message)
            raise
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python's exit flush would fail
            raise click.ClickException(f"cannot write {exc.filename or 'the output'}: "
                                       f"{exc.strerror}") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def cli() -> None:
    """Find near-duplicate and syndicated news articles and their original source.

    \b
    Example:
        dedup batch examples/ --clusters --format table
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedup")


for command in (batch, stream, index_group, report, trace_command, explain_command):
    cli.add_command(command)

__all__ = ["EXIT_SKIPPED", "cli", "main"]
