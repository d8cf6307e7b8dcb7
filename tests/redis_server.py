"""A real redis-server for the tests: the one CI started (DEDUP_TEST_REDIS), or
one started here from PATH on a free port with a temporary data directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest


def _redis():
    return pytest.importorskip("redis", reason="the redis package is not installed "
                                               "(pip install -e '.[test]')")


def _running(pid: int) -> bool:
    """Alive and not a zombie (a daemon's exit is reaped by whoever is PID 1)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def free_port() -> int:
    """A port nothing listens on now. Released at once: another process may take it
    before the caller does, so :meth:`RedisServer.start` checks that the server it
    reaches is its own, and :func:`refusing_port` holds its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def refusing_port():
    """A port that refuses connections for as long as the block runs: bound, never
    listening, so no other process can start listening on it meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


class RedisServer:
    """A redis-server process on 127.0.0.1 with AOF on, stopped by its pid."""

    def __init__(self, folder: Path, *, appendfsync: str = "everysec") -> None:
        self.folder = folder
        self.port: int | None = None
        self.appendfsync = appendfsync
        self.pid: int | None = None

    def start(self) -> RedisServer:
        """Start it on a free port (tried again on another one when a process took the
        port between the pick and the bind); a restart keeps its port."""
        tried = []
        for _ in range(1 if self.port is not None else 5):
            port = self.port if self.port is not None else free_port()
            tried.append(port)
            if self._start_on(port):
                self.port = port
                return self
        raise RuntimeError(f"redis-server did not start on port(s) {tried}: see "
                           f"{self.folder / 'redis.log'}")

    def _start_on(self, port: int) -> bool:
        pidfile, log = self.folder / "redis.pid", self.folder / "redis.log"
        pidfile.unlink(missing_ok=True)
        log.unlink(missing_ok=True)
        subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                        "--dir", str(self.folder), "--appendonly", "yes",
                        "--appendfsync", self.appendfsync, "--save", "", "--daemonize", "yes",
                        "--pidfile", str(pidfile), "--logfile", str(log)],
                       check=True, capture_output=True)
        redis = _redis()
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                if log.exists() and "already in use" in log.read_text(errors="replace"):
                    return False
                try:
                    if client.ping():  # ours, or a server that held the port already?
                        theirs = client.config_get("dir").get("dir")
                        if Path(theirs).resolve() != self.folder.resolve():
                            return False
                        self.pid = int(pidfile.read_text())
                        return True
                except (redis.ConnectionError, redis.exceptions.BusyLoadingError):
                    time.sleep(0.02)
            return False
        finally:
            client.close()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGKILL: a crash) and wait until the process is gone."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(self.pid):
            time.sleep(0.005)
        self.pid = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def server_url(tmp_path_factory: pytest.TempPathFactory):
    """Yield a server URL: DEDUP_TEST_REDIS, or a server started here (skip if neither)."""
    _redis()
    url = os.environ.get("DEDUP_TEST_REDIS")
    if url:
        yield url
        return
    if not shutil.which("redis-server"):
        pytest.skip("no Redis server: set DEDUP_TEST_REDIS=redis://host:port/db or put "
                    "redis-server on PATH (apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


def fresh_location(url: str):
    """Yield ``url?prefix=<unique>`` and delete that prefix's keys afterwards."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield f"{url}?prefix={prefix}"
    client = _redis().Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
    client.close()
