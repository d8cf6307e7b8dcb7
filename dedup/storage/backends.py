"""Which storage an index location names, chosen once: a file path is an SQLite
index file (`dedup.storage.sqlite_store`), ``redis://``/``rediss://`` a Redis index
(`dedup.storage.redis_store`). Everything that opens, finds or describes a stored index
asks :func:`backend_for`; nothing else looks at the location's scheme.
"""

from __future__ import annotations

import os
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..wires import WireRegistry
from .store import Store


class Backend:
    """The storage an index location names, decided once (:func:`backend_for`):
    a file path is an SQLite index file, ``redis://``/``rediss://`` a Redis index.

    Attributes:
        name: ``"sqlite"`` or ``"redis"``.
        is_file: the index is one file (it can be vacuumed, its texts checked).
    """

    __slots__ = ("name", "is_file")

    def __init__(self, name: str, is_file: bool) -> None:
        self.name, self.is_file = name, is_file

    def open(self, location: str, *, create: bool = True, config: Config | None = None,
             wires: WireRegistry | None = None, keep_text: bool = True, fsync: bool = False,
             readonly: bool = False) -> Store:
        """The store at ``location`` (see ``Index.open``)."""
        options = dict(create=create, config=config, wires=wires, keep_text=keep_text,
                       fsync=fsync, readonly=readonly)
        if self.is_file:
            from .sqlite_store import SqliteStore
            return SqliteStore(location, **options)
        from .redis_store import RedisStore
        return RedisStore(location, **options)

    def exists(self, location: str) -> bool:
        """Whether ``location`` holds an index."""
        if self.is_file:
            return os.path.exists(location)
        from .redis_admin import index_exists as redis_index_exists
        return redis_index_exists(location)

    def describe(self, location: str) -> dict[str, Any]:
        """Facts about the index at ``location``, read without loading it."""
        if self.is_file:
            from .sqlite_files import describe_file
            return describe_file(location)
        from .redis_admin import describe_location
        return describe_location(location)


_SQLITE, _REDIS = Backend("sqlite", is_file=True), Backend("redis", is_file=False)


def backend_for(location: str | os.PathLike[str]) -> Backend:
    """The backend ``location`` names: ``redis://host:port/db?prefix=NAME`` (or
    ``rediss://``, TLS) a Redis index shared by processes, a file path an SQLite
    index file.

    Raises:
        ConfigError: another ``scheme://``, a backend this dedup does not have.
    """
    text = str(location)
    if text.startswith(("redis://", "rediss://")):
        return _REDIS
    if "://" in text:
        raise ConfigError(f"no index backend for {text.split('://', 1)[0]}:// locations; "
                          f"give a file path (an SQLite index file)")
    return _SQLITE


def open_store(location: str, **options: Any) -> Store:
    """Open the backend that ``location`` names (see ``Index.open``, :func:`backend_for`)."""
    return backend_for(location).open(str(location), **options)


def index_exists(location: str) -> bool:
    """Whether ``location`` (a file path or a ``redis://`` URL) holds an index."""
    return backend_for(location).exists(str(location))


def describe_index(location: str) -> dict[str, Any]:
    """Facts about a stored index, read without loading it (``dedup index stats``).

    Raises:
        StoreError: no index there (``StoreUnavailable``: its server is unreachable).
        IndexFormatError: not a dedup index, or damaged.
        ConfigError: the location names no backend this dedup has.
    """
    return backend_for(location).describe(str(location))
