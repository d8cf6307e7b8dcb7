"""Hostile input: every bad record gets a clear error naming it, the rest is processed.

Also the faults (read-only index folder, a full disk, SIGKILL/SIGTERM/SIGINT
during ``dedup batch --index``) and the security scan of the package source.
The truncated / bit-flipped index file cases live in tests/test_store.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.errors import BadRecord
from dedup.index import Index
from dedup.records import Article
from dedup.sources import MAX_RECORD_BYTES, Skipped, read_lines, read_paths
from tests.conftest import mount_tmpfs
from tests.textgen import story, vocabulary

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def good_text(seed: int) -> str:
    return story(random.Random(seed), vocabulary(), words=120)


def items_by_kind(paths) -> tuple[list[Article], list[BadRecord], list[Skipped]]:
    items = list(read_paths(paths))
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, BadRecord)],
            [i for i in items if isinstance(i, Skipped)])


def run_dedup(*args: str, input: bytes | None = None, timeout: float = 120):
    return subprocess.run([sys.executable, "-m", "dedup", *args], input=input,
                          capture_output=True, timeout=timeout)


# --- files in a folder -------------------------------------------------------

def test_a_folder_of_hostile_files_reports_each_and_reads_the_rest(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text(good_text(1))
    (root / "latin1.txt").write_bytes("caf\xe9 au lait ".encode("latin-1") * 20)
    (root / "mixed.md").write_bytes(b"good start " * 30 + "r\xe9sum\xe9".encode("latin-1"))
    (root / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("  \n\t\n   \n")
    (root / "array.json").write_text("[1, 2, 3]")
    (root / "scalar.json").write_text('"just a string"')
    (root / "nested.json").write_text("[" * 5000 + "]" * 5000)
    (root / "typed.json").write_text(json.dumps({"text": ["not", "a", "string"]}))
    (root / "unknown.json").write_text(json.dumps({"text": good_text(2), "lang": "en",
                                                   "extra": {"deep": [1, 2]}}))
    (root / "folder.txt").mkdir()  # a folder with a file-like name is walked, not read
    (root / "folder.txt" / "inner.txt").write_text(good_text(3))
    (root / "loop.txt").symlink_to(root / "loop.txt")  # a symlink loop
    (root / "dangling.txt").symlink_to(root / "missing-target.txt")
    os.mkfifo(root / "pipe.txt")  # reading it would block forever
    arts, bads, _ = items_by_kind([root, tmp_path / "does-not-exist"])
    assert sorted(a.id for a in arts) == ["folder.txt/inner.txt", "good.txt", "unknown.json"]
    reasons = {Path(b.where).name: b.reason for b in bads}
    assert "byte 3" in reasons["latin1.txt"]
    assert "re-encode the file as UTF-8" in reasons["latin1.txt"]
    assert f"byte {len(b'good start ') * 30 + 1}" in reasons["mixed.md"]
    assert "binary data" in reasons["binary.txt"]
    assert "empty article" in reasons["empty.txt"] and "empty article" in reasons["blank.md"]
    assert "got a number" in reasons["array.json"]
    assert "got a string" in reasons["scalar.json"]
    assert "not valid JSON" in reasons["nested.json"]
    assert '"text" must be a string, got an array' in reasons["typed.json"]
    assert "cannot read file" in reasons["loop.txt"]
    assert "cannot read file" in reasons["dangling.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert reasons["does-not-exist"] == "no such file or folder"
    assert len(bads) == 15  # 3 array entries + one per other bad file/path (12)


def test_a_fifo_given_directly_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    [bad] = list(read_paths([fifo]))
    assert isinstance(bad, BadRecord) and "not a regular file" in bad.reason


def unprivileged(work):
    """Run ``work()`` as a user the file modes refuse, and return what it returns (JSON
    data). Root reads and writes whatever the mode (CI runs as root), so there it runs in
    a forked child that dropped to ``nobody`` (the interpreter is already loaded: nothing
    under root's home needs to be readable); otherwise in this process."""
    if not IS_ROOT:
        return work()
    import pwd
    import traceback

    from dedup import wires as wires_module
    nobody = pwd.getpwnam("nobody")
    # The package's data may sit where nobody cannot read it (a clone in a private
    # temporary folder, as CI makes): the child gets the wire list read here.
    agencies = wires_module._default_agencies()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            wires_module._default_agencies = lambda: agencies
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            with os.fdopen(write_end, "wb") as out:
                out.write(json.dumps(work()).encode())
            code = 0
        except BaseException:  # noqa: BLE001 - shown on stderr, the parent fails below
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_end)
    data, deadline = b"", time.monotonic() + 120
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while chunk := _read_before(pipe, deadline, pid):
            data += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the unprivileged child failed (stderr)"
    return json.loads(data)


def _read_before(pipe, deadline: float, pid: int) -> bytes:
    """The next bytes from the child, or fail (the child killed) once ``deadline`` passed."""
    import select
    ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the unprivileged child did not finish within 120 s")
    return pipe.read(65536)


@pytest.fixture
def open_tmp():
    """A temporary folder every user may enter (pytest's own is root's alone under root)."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="dedup-modes-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def test_an_unreadable_file_is_reported(open_tmp):
    (open_tmp / "a.txt").write_text(good_text(1))
    secret = open_tmp / "b.txt"
    secret.write_text(good_text(2))
    secret.chmod(0)

    def read():
        arts, bads, _ = items_by_kind([open_tmp])
        return [a.id for a in arts], [(b.reason, b.where) for b in bads]

    ids, bads = unprivileged(read)
    assert ids == ["a.txt"]
    [(reason, where)] = bads
    assert "cannot read file" in reason and where == str(secret)


def test_duplicate_ids_keep_the_first_and_report_the_rest(tmp_path):
    lines = [json.dumps({"id": "x", "text": good_text(1)}),
             json.dumps({"id": "x", "text": good_text(2)})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    result = run_dedup("batch", str(tmp_path))
    assert result.returncode == 3
    verdicts = [json.loads(x) for x in result.stdout.decode().splitlines()]
    assert [v["id"] for v in verdicts] == ["x"]
    assert "duplicate" in result.stderr.decode() and "'x'" in result.stderr.decode()


# --- size caps: bounded memory ------------------------------------------------

def peak_rss_mb(code: str) -> float:
    """Run ``code`` in a fresh interpreter; return its peak RSS in MB (ru_maxrss)."""
    probe = code + "\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=True)
    return int(out.stdout.split()[-1]) / 1024


def test_a_100_mb_article_is_refused_without_reading_it_whole(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:  # sparse: 100 MB of NULs that take no disk and no time
        f.truncate(100 * 1024 * 1024)
    (tmp_path / "small.txt").write_text(good_text(1))
    arts, bads, _ = items_by_kind([tmp_path])
    assert [a.id for a in arts] == ["small.txt"]
    assert "record too large (104,857,600 bytes" in bads[0].reason
    base = peak_rss_mb("import dedup.sources")
    peak = peak_rss_mb(f"from dedup.sources import read_paths\nlist(read_paths([{str(big)!r}]))")
    assert peak - base < 3 * MAX_RECORD_BYTES / 2**20  # the cap, not the file, bounds memory


def test_a_50_mb_json_line_is_refused_and_the_next_lines_are_read(tmp_path):
    feed = tmp_path / "feed.jsonl"
    with feed.open("wb") as f:
        f.write(json.dumps({"id": "a", "text": good_text(1)}).encode() + b"\n")
        f.write(b'{"id": "huge", "text": "' + b"word " * (10 * 1024 * 1024) + b'"}\n')
        f.write(json.dumps({"id": "c", "text": good_text(2)}).encode() + b"\n")
    arts, bads, _ = items_by_kind([feed])
    assert [a.id for a in arts] == ["a", "c"]
    assert bads[0].line == 2 and "record too large (52,428," in bads[0].reason
    peak = peak_rss_mb(f"from dedup.sources import read_paths\nlist(read_paths([{str(feed)!r}]))")
    base = peak_rss_mb("import dedup.sources")
    assert peak - base < 3 * MAX_RECORD_BYTES / 2**20


def test_the_stream_skips_an_over_long_line_and_goes_on():
    lines = [json.dumps({"id": "a", "text": good_text(1)}).encode(),
             b'{"id": "huge", "text": "' + b"x" * (MAX_RECORD_BYTES + 10) + b'"}',
             json.dumps({"id": "c", "text": good_text(2)}).encode()]
    result = run_dedup("stream", input=b"\n".join(lines) + b"\n")
    assert result.returncode == 3
    out = [json.loads(x) for x in result.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "c"]
    assert out[1]["line"] == 2 and "record too large" in out[1]["error"]


def test_a_line_exactly_at_the_cap_is_read():
    import io

    from dedup.sources import bounded_lines
    line = b"y" * (MAX_RECORD_BYTES - 1) + b"\n"
    assert list(bounded_lines(io.BytesIO(line + b"z\n"))) == [line, b"z\n"]


# --- JSON lines in a stream ---------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (b'{"text": "bad \xff\xfe bytes"}', "not valid UTF-8 (byte 14"),
    (b'{"text": "nul \x00 raw"}', "binary data"),
    (b'{"text": "lone \\ud800 surrogate"}', "not valid JSON"),
    (b'[1, 2]', "got an array"),
    (b'42', "got a number"),
    (b'{"text": 12}', '"text" must be a string, got a number'),
    (b'{"text": "ok", "id": [1]}', '"id" must be a string or an integer'),
    (b'{"text": "ok", "id": 1' + b"0" * 400 + b'}', "not valid JSON"),
    (b'{"text": "   \\t\\n  "}', "empty article"),
    (b'{"text": "ok", "published": "yesterday"}', "not an ISO 8601 date"),
    (b'{"text": "ok", "title": {"a": 1}}', '"title" must be a string'),
    (b'{"a": ' * 3000 + b"1" + b"}" * 3000, "not valid JSON"),
])
def test_each_kind_of_bad_line_gets_its_error(raw, expected):
    [(number, item)] = list(read_lines([raw]))
    assert number == 1 and isinstance(item, BadRecord), item
    assert expected in item.reason
    assert item.describe().startswith("<stdin>:1")


def test_nul_and_control_characters_escaped_in_json_are_text():
    text = good_text(4) + " \u0000 \u0007 \u001b[31m"
    [(_, item)] = list(read_lines([json.dumps({"id": "n", "text": text, "lang": "xx"})]))
    assert isinstance(item, Article) and item.text == text  # unknown "lang" ignored
    index = Index()
    assert index.add(item).id == "n"


# --- faults -------------------------------------------------------------------

def batch_folder(tmp_path: Path, count: int, seed: int = 0) -> Path:
    folder = tmp_path / f"articles-{seed}"
    folder.mkdir()
    rng = random.Random(seed)
    vocab = vocabulary()
    with (folder / "feed.jsonl").open("w") as f:
        for i in range(count):
            f.write(json.dumps({"id": f"s{seed}-{i}", "text": story(rng, vocab, 150)}) + "\n")
    return folder


def batch_as_nobody(folder: Path, index: Path) -> tuple[int, str]:
    """``dedup batch FOLDER --index INDEX`` (click's runner) run by :func:`unprivileged`:
    its exit code and stderr. The same run into a scratch index first, as root, imports
    every module it needs: the child cannot read root's home, where Python's library is."""
    import tempfile

    from click.testing import CliRunner

    from dedup.cli import cli

    with tempfile.TemporaryDirectory() as scratch:
        warm = CliRunner().invoke(cli, ["batch", str(folder), "--index", f"{scratch}/warm.db"])
        assert warm.exit_code == 0, warm.output

    def work():
        result = CliRunner().invoke(cli, ["batch", str(folder), "--index", str(index)])
        crash = "" if isinstance(result.exception, (SystemExit, type(None))) else \
            f"Traceback: {result.exception!r}"
        return result.exit_code, result.stderr + crash

    return unprivileged(work)


def test_a_read_only_index_folder_is_a_clear_error(open_tmp):
    folder = batch_folder(open_tmp, 3)
    locked = open_tmp / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    code, err = batch_as_nobody(folder, locked / "news.db")
    assert code == 1, err
    assert f"cannot create the index {locked / 'news.db'}" in err and "Traceback" not in err
    assert list(locked.iterdir()) == []


def test_an_unwritable_index_file_is_a_clear_error_and_still_opens(open_tmp):
    folder = batch_folder(open_tmp, 4)
    db = open_tmp / "news.db"
    assert run_dedup("batch", str(folder), "--index", str(db)).returncode == 0
    db.chmod(0o444)
    more = batch_folder(open_tmp, 2, seed=1)
    code, err = batch_as_nobody(more, db)
    db.chmod(0o644)
    assert code == 1 and "Traceback" not in err, err
    assert str(db) in err
    stats = json.loads(run_dedup("index", "stats", str(db), "--json").stdout)
    assert stats["articles"] == 4


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    mount_tmpfs(mount, "1M")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_a_clear_error_and_the_index_still_opens(tmp_path, tiny_disk):
    db = tiny_disk / "news.db"
    first = batch_folder(tmp_path, 3)
    assert run_dedup("batch", str(first), "--index", str(db)).returncode == 0
    flood = batch_folder(tmp_path, 1500, seed=2)
    result = run_dedup("batch", str(flood), "--index", str(db))
    err = result.stderr.decode()
    assert result.returncode == 1, err[-2000:]
    assert "Traceback" not in err and re.search(r"full|space", err, re.I), err[-2000:]
    stats = run_dedup("index", "stats", str(db), "--json")
    assert stats.returncode == 0, stats.stderr.decode()
    added = json.loads(stats.stdout)["articles"] - 3
    assert added % 512 == 0 and added < 1500  # whole committed chunks of 512, nothing half-done


def index_ids(db: Path) -> list[str]:
    out = run_dedup("index", "export", str(db))
    assert out.returncode == 0, out.stderr.decode()
    return [json.loads(x)["id"] for x in out.stdout.decode().splitlines()]


def committed_rows(db: Path) -> int:
    """Articles committed so far (read through SQLite, as another reader would)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def wait_for_rows(db: Path, proc: subprocess.Popen, more_than: int) -> int:
    """Poll the file (as another reader would) until more than ``more_than`` articles are
    committed, or the process ended; return the count seen."""
    deadline = time.monotonic() + 120
    while (rows := committed_rows(db)) <= more_than and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.002)
    return rows


@pytest.mark.parametrize("chunks", [1, 3])
def test_sigkill_during_batch_index_leaves_whole_chunks(tmp_path, chunks):
    """kill -9 a running ``batch --index`` once ``chunks`` chunks are committed: the
    process must still be working when killed (it never got to exit), the index holds a
    prefix of whole 512-article chunks in input order, and it opens for writing again."""
    db = tmp_path / "news.db"
    base = batch_folder(tmp_path, 5)
    assert run_dedup("batch", str(base), "--index", str(db)).returncode == 0
    total = 6000  # 12 chunks: seconds of work, far more than the wait for the first ones
    folder = batch_folder(tmp_path, total, seed=21)
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "batch", str(folder),
                             "--index", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = wait_for_rows(db, proc, 5 + (chunks - 1) * 512)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the batch ended before it was killed"
    assert seen >= 5 + chunks * 512
    ids = index_ids(db)
    added = len(ids) - 5
    assert len(set(ids)) == len(ids)
    assert set(ids[:5]) == {f"s0-{i}" for i in range(5)}
    # batch commits chunks of 512 in input order: the index holds a prefix of whole chunks
    assert added % 512 == 0 and chunks * 512 <= added < total, added
    assert ids[5:] == [f"s21-{i}" for i in range(added)]
    with Index.open(str(db), create=False) as index:  # opens for writing: no lock left
        assert len(index) == 5 + added
        index.add(Article(id="after", text=good_text(99)))
    assert committed_rows(db) == 6 + added


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_batch_index_stops_it_cleanly(tmp_path, signum):
    db = tmp_path / "news.db"
    base = batch_folder(tmp_path, 5)
    assert run_dedup("batch", str(base), "--index", str(db)).returncode == 0
    folder = batch_folder(tmp_path, 3000, seed=31)
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "batch", str(folder),
                             "--index", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while committed_rows(db) == 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # wait for the first chunk's commit: the run is mid-way
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    err = err.decode()
    assert "Traceback" not in err, err[-3000:]
    ids = index_ids(db)
    added = len(ids) - 5
    assert len(set(ids)) == len(ids)
    assert added == 3000 or added % 512 == 0, added  # whole committed chunks of 512
    assert set(ids) >= {f"s31-{i}" for i in range(added)}  # a prefix, in input order
    if proc.returncode == 0:  # it had finished before the signal
        assert added == 3000
    else:  # stopped between committed chunks, with a message saying how far it got
        assert proc.returncode == 1
        assert f"stopped by {signal.Signals(signum).name} after {added} of 3000" in err


# --- security -----------------------------------------------------------------

FORBIDDEN = [
    (r"\bimport\s+pickle\b|\bpickle\.load|\bmarshal\.load|\bshelve\b", "pickle"),
    (r"(?<![\w.])eval\(|(?<![\w.])exec\(|(?<![\w.])compile\(", "eval/exec"),
    (r"\byaml\.load\(|\byaml\.unsafe_load", "yaml.load"),
    (r"shell\s*=\s*True|\bos\.system\(|\bos\.popen\(", "a shell"),
]


def test_the_package_never_unpickles_evaluates_or_shells_out():
    found = []
    for path in sorted((ROOT / "dedup").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            for pattern, what in FORBIDDEN:
                if re.search(pattern, code):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    assert found == []


def test_paths_in_records_are_never_opened(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET " + good_text(9))
    records = [{"id": str(secret), "url": f"file://{secret}", "source": str(secret),
                "text": "a short article that mentions nothing else at all"},
               {"id": "2", "html": f'<html><body><img src="file://{secret}">'
                                   f'<iframe src="{secret}"></iframe><p>{good_text(8)}</p>'
                                   "</body></html>", "url": str(secret)}]
    feed = "\n".join(json.dumps(r) for r in records) + "\n"
    result = run_dedup("stream", input=feed.encode())
    assert b"TOP SECRET" not in result.stdout + result.stderr
    for mod in ("sources", "extract", "warc", "records"):
        source = (ROOT / "dedup" / f"{mod}.py").read_text()
        for match in re.finditer(r"open\(([^)]*)\)", source):
            assert "url" not in match.group(1) and "record" not in match.group(1), match.group(0)


def test_a_gzip_bomb_record_in_a_warc_is_not_inflated_whole(tmp_path):
    pytest.importorskip("warcio", reason="WARC input needs warcio (pip install 'dedup[warc]')")
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    archive = tmp_path / "crawl.warc.gz"
    page = f"<html><body><p>{good_text(5)}</p></body></html>".encode()
    bomb = b"<html><body><p>" + b" " * (20 * 1024 * 1024) + b"</p></body></html>"
    with archive.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri, payload in (("http://a.example/bomb", bomb), ("http://a.example/ok", page)):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), http_headers=headers))
    assert archive.stat().st_size < 1024 * 1024  # 20 MB of page in well under 1 MB on disk
    arts, bads, _ = items_by_kind([archive])
    assert [a.id for a in arts] == ["http://a.example/ok"]
    assert bads[0].record_id == "http://a.example/bomb" and "record too large" in bads[0].reason
    code = f"from dedup.sources import read_paths\nlist(read_paths([{str(archive)!r}]))"
    assert peak_rss_mb(code) - peak_rss_mb("import dedup.sources, dedup.warc") \
        < 3 * MAX_RECORD_BYTES / 2**20
