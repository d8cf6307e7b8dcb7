"""The connection under ``RedisStore``: locations, round trips, the index lock.

``parse_location`` reads ``redis://host:port/db?prefix=NAME``; a ``RedisLink``
sends pipelines and Lua scripts (``dedup.storage.redis_lua``), turns network failures
into errors that name the server, rides out short outages, and takes, renews
and releases the index lock in the same round trips as the store's own calls.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ..errors import ConfigError, IndexFormatError, StoreError, StoreUnavailable
from .redis_lua import SCRIPTS

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as _Down
    from redis.exceptions import NoScriptError, ResponseError
    from redis.exceptions import TimeoutError as _Slow
    from redis.retry import Retry
except ImportError:  # pragma: no cover - the [redis] extra is not installed
    redis = None

LOCK_TTL = 10.0  # seconds a holder that stopped keeps the index locked
_RENEW_AFTER = LOCK_TTL / 5  # a held lock is renewed (piggybacked on a call) this often
# Every key of an index is the prefix then ':' or '_' (redis_records): with neither in a
# prefix, no index's keys can be another's (an index at "news_keys" next to one at "news").
_PREFIX_MAX = 64
_PREFIX = re.compile(rf"[A-Za-z0-9.-]{{1,{_PREFIX_MAX}}}", re.ASCII)
_PARAMS = {"prefix": str, "timeout": float, "retry": float, "lock_wait": float}


@dataclass(frozen=True)
class RedisLocation:
    """A parsed ``redis://[:password@]host:port/db?prefix=NAME`` index location.

    Attributes:
        url: the server URL for redis-py (dedup's parameters removed).
        server: ``host:port``, for messages.
        db: the database number.
        prefix: namespace of every key (and datasketch's ``basename``).
        timeout: seconds a connection or a reply may take (``?timeout=``, 5).
        retry: seconds to keep retrying while the server is unreachable in
            the middle of a run, e.g. restarting (``?retry=``, 10; 0: fail at
            once). Opening an index never retries.
        lock_wait: seconds to wait for the index lock (``?lock_wait=``, 60).
    """

    url: str
    server: str
    db: int
    prefix: str = "dedup"
    timeout: float = 5.0
    retry: float = 10.0
    lock_wait: float = 60.0

    @property
    def display(self) -> str:
        """The location without its password."""
        parts = urlsplit(self.url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, netloc, parts.path, f"prefix={self.prefix}", ""))


def parse_location(text: str) -> RedisLocation:
    """Parse a ``redis://`` or ``rediss://`` (TLS) index location.

    Raises:
        ConfigError: another scheme, an unknown parameter, a bad number or
            database, or an empty prefix.

    Example:
        >>> parse_location("redis://127.0.0.1:6379/0?prefix=news").server
        '127.0.0.1:6379'
    """
    parts = urlsplit(text)
    if parts.scheme not in ("redis", "rediss"):
        raise ConfigError(f"{text!r} is not a redis:// location")
    params = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(params) - set(_PARAMS))
    if unknown:
        raise ConfigError(f"{text}: unknown parameter {unknown[0]!r}; a Redis index location "
                          f"takes {', '.join(_PARAMS)} (e.g. redis://127.0.0.1:6379/0?prefix=news)")
    values: dict[str, Any] = {}
    for name, kind in _PARAMS.items():
        if name in params:
            raw = params[name][-1]
            try:
                values[name] = kind(raw)
            except ValueError:
                raise ConfigError(f"{text}: {name}={raw!r} is not a number of seconds") from None
            if kind is float and not 0 <= values[name] < 1e6:
                raise ConfigError(f"{text}: {name} must be between 0 and 1e6 seconds")
    if not values.get("prefix", "dedup").strip():
        raise ConfigError(f"{text}: the prefix is empty; name the index, e.g. ?prefix=news")
    if not _PREFIX.fullmatch(values.get("prefix", "dedup")):
        raise ConfigError(f"{text}: the prefix may have at most {_PREFIX_MAX} letters, digits, "
                          f"'.' and '-' (e.g. ?prefix=news-eu.v2)")
    path = parts.path.strip("/") or "0"
    if not path.isdigit():
        raise ConfigError(f"{text}: the database must be a number (redis://host:port/0)")
    try:
        server = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
    except ValueError as exc:  # a port that is not a number
        raise ConfigError(f"{text}: {exc}") from None
    url = urlunsplit((parts.scheme, parts.netloc, f"/{path}", "", ""))
    return RedisLocation(url, server, int(path), **values)


class RedisLink:
    """One store's connection: scripts, one-round-trip calls, the index lock.

    The lock (``P:lock``, a random token with a ``LOCK_TTL`` lease) is taken by
    the ``acquire`` script in the same pipeline as the first call that needs
    it, renewed on later calls when due, and released by ``release`` or by
    the ``apply`` script that writes. ``apply`` checks the token first, so a
    process that stalled past its lease writes nothing, and records a
    sequence number, so a write retried after a lost reply is applied once.

    Args:
        where: the parsed location.
        on_acquire: called with ``(next_arrival, next_cluster, articles)``
            from the header each time the lock is taken.

    Attributes:
        held: this link holds the index lock.
        counters: this process's round trips and waits for the lock.
    """

    def __init__(self, where: RedisLocation, on_acquire: Callable[[int, int, int], None]) -> None:
        if redis is None:
            raise ConfigError("a redis:// index needs the redis package: "
                              "pip install 'dedup[redis]'")
        self.where = where
        self.held = False
        self.closed = False
        self.counters = {"round_trips": 0, "locks": 0, "lock_waits": 0, "lock_wait_seconds": 0.0,
                         "lock_held_seconds": 0.0}
        self._held_since = 0.0
        self._on_acquire = on_acquire
        self._lock_key = f"{where.prefix}:lock"
        self._token = uuid.uuid4().hex
        self._applied = f"{where.prefix}:applied:{self._token}"
        self._seq = 0
        self._renewed = 0.0
        self._shas: dict[str, str] = {}
        # redis-py's own retries are off: a retried write must be one of ours
        # (idempotent by sequence number), and opening must fail fast.
        self.redis = redis.Redis.from_url(
            where.url, socket_timeout=where.timeout, socket_connect_timeout=where.timeout,
            retry=Retry(NoBackoff(), 0))

    def load_scripts(self) -> None:
        """Load the Lua scripts (one round trip; also the reachability check).

        Raises:
            StoreUnavailable: the server cannot be reached.
        """
        names = list(SCRIPTS)
        try:
            shas = self.send([("SCRIPT", "LOAD", SCRIPTS[n]) for n in names])
        except (_Down, _Slow) as exc:
            raise self.unreachable(exc) from None
        self._shas = {n: s.decode() if isinstance(s, bytes) else s
                      for n, s in zip(names, shas, strict=True)}

    def send(self, ops: Sequence[tuple]) -> list[Any]:
        """One round trip: ``ops`` in one pipeline (``("script", name, *args)`` is
        an EVALSHA); a server error reply is raised as a dedup error."""
        self.counters["round_trips"] += 1
        pipe = self.redis.pipeline(transaction=False)
        for op in ops:
            if op[0] == "script":
                pipe.execute_command("EVALSHA", self._shas.get(op[1], "0"), 0, *op[2:])
            else:
                pipe.execute_command(*op)
        results = pipe.execute(raise_on_error=False)
        for result in results:
            if isinstance(result, NoScriptError):
                raise result
            if isinstance(result, ResponseError):
                text = str(result)
                if text.startswith("WRONGTYPE"):
                    raise IndexFormatError(f"{self.where.display}: a key under the prefix holds "
                                           f"another kind of value; it is not (only) a dedup "
                                           f"index ({text})")
                raise StoreError(f"Redis at {self.where.server} refused a command: {text}")
        return results

    def unreachable(self, exc: Exception) -> StoreUnavailable:
        """The error for a failed connection or a reply that did not come."""
        if isinstance(exc, _Slow):
            return StoreUnavailable(f"Redis at {self.where.server} did not answer within "
                                    f"{self.where.timeout:g} s ({exc})")
        cause = exc.__context__
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(exc)
        return StoreUnavailable(f"cannot reach Redis at {self.where.server}: {reason}")

    def _let_go(self) -> None:
        self.held = False
        self.counters["lock_held_seconds"] += time.monotonic() - self._held_since

    def lost_lock(self) -> StoreError:
        """The error for writes refused because the lock is no longer ours."""
        self._let_go()
        return StoreError(f"lost the lock on {self.where.display} (no contact for more than "
                          f"{LOCK_TTL:g} s: a stalled process or a server outage); the writes "
                          f"since the last acknowledged one are not saved: retry them")

    def run(self, ops: Sequence[tuple], *, locked: bool) -> list[Any]:
        """Send ``ops`` in one round trip and return their replies.

        With ``locked``, the index lock is taken in the same round trip if not
        held (while another process holds it, waiting for its release), or
        renewed when due. An unreachable server is
        retried for ``retry`` seconds (every script is safe to repeat).

        Raises:
            StoreUnavailable: the server stayed unreachable.
            StoreError: the lock stayed taken for ``lock_wait`` seconds, or
                was lost.
        """
        if self.closed:
            raise StoreError(f"the index {self.where.display} is closed")
        ttl = int(LOCK_TTL * 1000)
        down_since, waiting_since = None, None
        while True:
            head: list[tuple] = []
            if locked and not self.held:
                head = [("script", "acquire", self._lock_key, self._token, ttl, self.where.prefix)]
            elif locked and time.monotonic() - self._renewed > _RENEW_AFTER:
                head = [("script", "renew", self._lock_key, self._token, ttl)]
            started = time.monotonic()
            try:
                results = self.send(head + list(ops))
            except NoScriptError:  # the server restarted and forgot the scripts
                self.load_scripts()
                continue
            except (_Down, _Slow) as exc:
                down_since = down_since or started
                if started - down_since >= self.where.retry:
                    raise self.unreachable(exc) from None
                self._renewed = -1e9  # after an outage, check the lock is still ours
                time.sleep(min(0.25, 0.02 + (started - down_since) / 4))
                continue
            if head and head[0][1] == "acquire":
                got = results[0]
                if int(got[0]) == 0:
                    waiting_since = waiting_since or started
                    if started - waiting_since > self.where.lock_wait:
                        raise StoreError(
                            f"the index {self.where.display} stayed locked by another process "
                            f"for {self.where.lock_wait:g} s (a long batch session? a holder "
                            f"that stopped releases it within {LOCK_TTL:g} s)")
                    # Wait for a release (first come, first served), or 0.1 s for a
                    # holder that stopped and whose lease runs out; then try again
                    # (the reads sent with a refused acquire are wasted, but only
                    # once per wake-up).
                    self.send([("BLPOP", self._lock_key + ":wake", 0.1)])
                    continue
                if not got[1]:
                    raise IndexFormatError(f"the index {self.where.display} was deleted (its "
                                           f"header is gone)")
                if waiting_since is not None:
                    self.counters["lock_waits"] += 1
                    self.counters["lock_wait_seconds"] += time.monotonic() - waiting_since
                self.held, self._renewed, self._held_since = True, started, started
                self.counters["locks"] += 1
                self._on_acquire(*(int(x) for x in got[1:4]))
            elif head:
                if int(results[0]) == 0:
                    raise self.lost_lock()
                self._renewed = started
            return results[len(head):]

    def apply(self, ops: bytes, *, release: bool) -> None:
        """Write ``ops`` (the ``apply`` script's operations) under the lock, and
        release it with the same call when ``release``.

        Raises:
            StoreError: the lock is no longer ours (nothing was written).
        """
        self._seq += 1
        done = self.run([("script", "apply", self._lock_key, self._token, self._applied,
                          str(self._seq), "1" if release else "0", int(LOCK_TTL * 1000),
                          ops)], locked=False)[0]
        if int(done) == 0:
            raise self.lost_lock()
        if release:
            self._let_go()
        else:
            self._renewed = time.monotonic()

    def release(self) -> None:
        """Release the lock if held (best effort: the lease expires anyway)."""
        if not self.held:
            return
        self._let_go()
        try:
            self.send([("script", "release", self._lock_key, self._token)])
        except (_Down, _Slow, StoreError, NoScriptError):
            pass  # the lease expires by itself within LOCK_TTL

    def persistence(self) -> dict[str, Any]:
        """``aof`` (bool), ``appendfsync`` (None if CONFIG is disabled) and
        ``mode``, a phrase for messages and stats."""
        info = self.run([("INFO", "persistence")], locked=False)[0]
        aof = bool(int(info.get("aof_enabled", 0)))
        try:
            got = self.run([("CONFIG", "GET", "appendfsync")], locked=False)[0]
            values = list(got.values()) if isinstance(got, dict) else got[1::2]
            fsync = values[0].decode() if values else None
        except StoreError:  # CONFIG disabled (a managed Redis): cannot tell
            fsync = None
        mode = f"AOF, appendfsync {fsync or 'unknown'}" if aof else "no AOF (RDB snapshots at most)"
        return {"aof": aof, "appendfsync": fsync if aof else "no AOF", "mode": mode}

    def close(self) -> None:
        """Release the lock if held and close the connections."""
        self.release()
        self.closed = True
        self.redis.close()


class SectionLock:
    """The engine's lock on a Redis index: a re-entrant thread lock here; the
    index lock on the server is taken by the first call that touches shared
    state and released (with the section's writes) by ``end_section`` at the
    outermost exit, told whether the section failed."""

    def __init__(self, end_section: Callable[..., None]) -> None:
        self._end_section = end_section
        self._thread = threading.RLock()
        self._depth = 0

    def __enter__(self) -> SectionLock:
        self._thread.acquire()
        self._depth += 1
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._end_section(failed=exc_type is not None)
        finally:
            self._thread.release()
