"""Facts about a Redis index for ``dedup index stats``, and whether one exists.

Kept apart from ``dedup.storage.redis_store`` (the store itself) to keep each module
short; ``dedup.storage.backends`` (describe_index, index_exists) uses these.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..errors import IndexFormatError, StoreError, StoreUnavailable
from .redis_store import _LOAD_CHUNK, RedisStore


def describe_location(location: str) -> dict[str, Any]:
    """Facts about a Redis index for ``dedup index stats`` (read-only, no lock).

    Raises:
        StoreUnavailable, StoreError, IndexFormatError: as ``RedisStore``.
    """
    store = RedisStore(location, create=False, readonly=True)
    try:
        facts = store.describe()
        sizes = [len(orjson.loads(raw)["members"]) for _, raw in
                 store._link.redis.hscan_iter(store._k["clusters"], count=_LOAD_CHUNK)]
        with_copies = [n for n in sizes if n > 1]
        facts["clusters_with_copies"] = len(with_copies)
        facts["copies"] = sum(with_copies) - len(with_copies)
        return facts
    finally:
        store.close()


def index_exists(location: str) -> bool:
    """Whether the prefix at ``location`` holds an index header.

    Raises:
        StoreUnavailable: the server cannot be reached.
    """
    try:
        RedisStore(location, create=False, readonly=True).close()
    except IndexFormatError:
        return True  # something is there: opening it will say what is wrong
    except StoreUnavailable:
        raise
    except StoreError:
        return False
    return True
