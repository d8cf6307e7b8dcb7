"""datasketch's view of a Redis index: its whole-text LSH bands are datasketch's layout."""

from __future__ import annotations

from typing import Any

from .redis_store import RedisStore


def datasketch_lsh(location: str) -> Any:
    """A ``datasketch.MinHashLSH`` on the same Redis tables as the index.

    Query it with ``LeanMinHash(seed=config.seed, hashvalues=signature,
    scheme="affine32")``; keys are article ids as UTF-8 bytes.

    Example:
        >>> lsh = datasketch_lsh("redis://127.0.0.1:6379/0?prefix=news")
        >>> lsh.query(LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
        [b'xinhua-20250508-cn-pt-talks', ...]
    """
    from datasketch import MinHashLSH
    store = RedisStore(location, create=False, readonly=True)
    try:
        kwargs = store._link.redis.connection_pool.connection_kwargs
        return MinHashLSH(num_perm=store.config.num_perm, params=store.config.bands,
                          prepickle=False, storage_config={
                              "type": "redis", "basename": store.where.prefix.encode(),
                              "redis": {k: kwargs[k] for k in ("host", "port", "db", "password")
                                        if kwargs.get(k) is not None}})
    finally:
        store.close()
