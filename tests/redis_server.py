"""A real redis-server for the tests: the one CI started (DEDUP_TEST_REDIS), or
one started here from PATH on a free port with a temporary data directory."""

from __future__ import annotations

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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server process on 127.0.0.1 with AOF on, stopped by its pid."""

    def __init__(self, folder: Path, *, appendfsync: str = "everysec") -> None:
        self.folder = folder
        self.port = free_port()
        self.appendfsync = appendfsync
        self.pid: int | None = None

    def start(self) -> RedisServer:
        pidfile = self.folder / "redis.pid"
        pidfile.unlink(missing_ok=True)
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                        "--dir", str(self.folder), "--appendonly", "yes",
                        "--appendfsync", self.appendfsync, "--save", "", "--daemonize", "yes",
                        "--pidfile", str(pidfile), "--logfile", str(self.folder / "redis.log")],
                       check=True, capture_output=True)
        redis = _redis()
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    break
            except (redis.ConnectionError, redis.exceptions.BusyLoadingError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.pid = int(pidfile.read_text())
        return self

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
