"""What the ``dedup`` commands share: library errors become ``click.ClickException``
here (`_library_errors`) and only in the command modules; messages to stderr; the
options several commands take; opening an index and reading input paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..config import Config
from ..errors import BadRecord, DedupError
from ..index import Index
from ..records import Article
from ..report import printable
from ..sources import Skipped, read_paths
from ..storage.backends import backend_for, describe_index, index_exists
from ..wires import WireRegistry

EXIT_SKIPPED = 3  # the run finished but some input records were skipped


def _say(message: str) -> None:
    click.echo(printable(message), err=True)  # file names and ids in it are input


@contextmanager
def _library_errors() -> Iterator[None]:
    try:
        yield
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def _build_config(threshold: float | None, containment: float | None,
                  verify: str | None = None) -> Config:
    values: dict[str, Any] = {}
    if threshold is not None:
        values["threshold"] = threshold
    if containment is not None:
        values["containment_threshold"] = containment
    if verify is not None:
        values["verify"] = verify
    return Config(**values)


def _load_wires(path: str | None) -> WireRegistry:
    return WireRegistry.load(path) if path else WireRegistry.default()


def threshold_option(f: Callable) -> Callable:
    f = click.option("--containment", "-c", type=click.FloatRange(0.05, 1.0), default=None,
                     help="Share of the shorter article found in the longer one at which it "
                          "is a copy (trimmed, excerpt, expanded) [default: 0.8; 1 = off].")(f)
    return click.option("--threshold", "-t", type=click.FloatRange(0.05, 1.0), default=None,
                        help="Estimated Jaccard at which articles are near-duplicates "
                             "[default: 0.8].")(f)


def verify_option(f: Callable) -> Callable:
    return click.option("--verify", type=click.Choice(["estimate", "exact"]), default=None,
                        help="How candidates are measured: from the MinHash signatures, or "
                             "exactly on stored shingles near the thresholds (+~2 KB per "
                             "article; not with Redis) [default: estimate].")(f)


def wires_option(f: Callable) -> Callable:
    return click.option("--wires", "wires_file", type=click.Path(exists=True, dir_okay=False),
                        help="JSON file of extra wire agencies (same format as the built-in "
                             "registry), merged over it.")(f)


def _open_index(index_path: str | None, threshold: float | None, containment: float | None,
                wires_file: str | None, verify: str | None = None, **policy: Any) -> Index:
    """An in-memory index, or the persistent one at ``index_path``.

    For a persistent index, options left out take the stored values; options
    given must match them (else ``ConfigMismatch`` names the fields).
    """
    if index_path is None:
        return Index(_build_config(threshold, containment, verify), wires=_load_wires(wires_file),
                     max_docs=policy.get("max_docs"), max_age=policy.get("max_age"))
    stored = index_exists(index_path)
    config = None
    if threshold is not None or containment is not None or verify is not None or not stored:
        config = _build_config(threshold, containment, verify)
        if stored:  # compare only what was asked for; the rest is the stored config
            base = Config.from_dict(describe_index(index_path)["config"])
            config = base.replace(**{k: v for k, v in (("threshold", threshold),
                                    ("containment_threshold", containment),
                                    ("verify", verify)) if v is not None})
    index = Index.open(index_path, config=config,
                       wires=WireRegistry.load(wires_file) if wires_file else None, **policy)
    if stored and backend_for(index_path).is_file:
        try:
            _say_damaged_texts(index_path)
        except BaseException:
            index.close()
            raise
    return index


def _say_damaged_texts(path: str) -> None:
    """Say once that an index being written holds stored texts failing their checksum
    (the writer goes on: texts are read only by reports and exports)."""
    from ..storage.sqlite_files import damaged_texts

    damaged = damaged_texts(path)
    if damaged:
        named = ", ".join(repr(d) for d in damaged[:3]) + (", …" if len(damaged) > 3 else "")
        _say(f"warning: {path}: the stored text of {len(damaged)} article"
             f"{'s' if len(damaged) > 1 else ''} fails its checksum ({named}); new articles "
             "are added, and dedup report shows those without their text; restore the file "
             "from a backup to mend it")


def _some_path_exists(paths: tuple[str, ...]) -> None:
    """A missing path among others is reported and skipped (exit 3, by ``read_paths``);
    when none of the paths given exists there is nothing to do: exit 1 before any work."""
    if paths and not any(os.path.exists(p) for p in paths):
        raise click.ClickException(f"{', '.join(paths)}: no such file or folder; nothing "
                                   "was read")


def _read_articles(paths: tuple[str, ...]) -> tuple[list[Article], int]:
    _some_path_exists(paths)
    skipped = [0]
    articles = list(_good_articles(paths, skipped))
    return articles, skipped[0]


def _good_articles(paths: tuple[str, ...], skipped: list[int]) -> Iterator[Article]:
    """The articles read from ``paths``; what was skipped is said on stderr (and a
    bad record counted in ``skipped[0]``)."""
    for item in read_paths(paths):
        if isinstance(item, Skipped):
            _say(item.describe())
        elif isinstance(item, BadRecord):
            _say(f"error: {item.describe()}")
            skipped[0] += 1
        else:
            yield item
