"""``dedup stream`` and ``dedup index``: order, events, bad lines, persistence, signals, kill -9."""

import json
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from dedup import Article, Index
from dedup.cli import EXIT_SKIPPED, cli

from .textgen import edit, story, vocabulary

VOCAB = vocabulary()


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def line(**record) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def records(stdout: str) -> list[dict]:
    return [json.loads(x) for x in stdout.splitlines()]


@pytest.fixture(scope="module")
def texts():
    rng = random.Random(2)
    base = [story(rng, VOCAB, 200) for _ in range(4)]
    return base, [edit(rng, VOCAB, b, 0.01) for b in base]


def test_one_verdict_per_record_in_order_and_reattribution_events(texts):
    base, copy = texts
    stdin = (line(id="harbor-1", text=copy[0], source="Daily Harbor",
                  published="2025-05-08T12:00:00Z")
             + line(id="other", text=base[1])
             + line(id="xinhua-1", text=base[0], source="Xinhua",
                    published="2025-05-08T12:30:00Z")
             + "\n"
             + line(id="ledger-1", text=copy[0], source="Metro Ledger")
             + line(id="late-2", text=copy[1], published="2025-05-08T10:00:00Z"))
    result = run("stream", input=stdin)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r.get("id") or r["event"] for r in out] == \
        ["harbor-1", "other", "xinhua-1", "reattributed", "ledger-1", "late-2", "reattributed"]
    assert out[3] == {"event": "reattributed", "cluster": out[0]["cluster"],
                      "old_original": "harbor-1", "new_original": "xinhua-1",
                      "why": ["original: published by wire Xinhua (source 'Xinhua')"]}
    assert out[4]["original"] == "xinhua-1" and out[4]["origin_source"] == "Xinhua"
    assert out[6]["old_original"] == "other" and out[6]["new_original"] == "late-2"
    assert "5 records: 5 verdicts (1 copies, 2 re-attributions, 0 cluster merges), 0 errors" \
        in result.stderr


def test_a_source_that_merges_clusters_gives_a_merged_event():
    words = story(random.Random(9), VOCAB, 600).split()
    stdin = (line(id="head", text=" ".join(words[:450]), source="Site A")
             + line(id="tail", text=" ".join(words[150:]), source="Site B")
             + line(id="wire", text=" ".join(words), source="AP"))
    result = run("stream", input=stdin)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r.get("id") or r["event"] for r in out] == \
        ["head", "tail", "wire", "reattributed", "merged"]
    home, gone = out[3]["cluster"], ({"head", "tail"} - {out[3]["old_original"]}).pop()
    assert out[4] == {"event": "merged", "cluster": home, "merged_cluster": out[
        ["head", "tail"].index(gone)]["cluster"], "old_original": gone, "new_original": "wire",
        "members": [gone]}
    assert "(0 copies, 1 re-attributions, 1 cluster merges)" in result.stderr


def test_bad_lines_give_error_lines_and_the_stream_goes_on(texts):
    base, _ = texts
    stdin = (line(id="a", text=base[0]).encode()
             + b"{not json\n"
             + b"[1, 2]\n"
             + line(id="b", title="no text").encode()
             + line(id="c", text=base[1], published="yesterday").encode()
             + b'{"id": "d", "text": "caf\xe9"}\n'
             + line(id="e", text="   ").encode()
             + line(id="a", text=base[2]).encode()
             + line(id="f", text=base[3]).encode())
    result = run("stream", input=stdin)
    assert result.exit_code == EXIT_SKIPPED
    out = records(result.stdout)
    assert [r.get("id") for r in out if "error" not in r] == ["a", "f"]
    errors = {r["line"]: r for r in out if "error" in r}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8]
    assert "not valid JSON" in errors[2]["error"]
    assert "expected a JSON object" in errors[3]["error"]
    assert 'no "text"' in errors[4]["error"] and errors[4]["id"] == "b"
    assert "not an ISO 8601 date" in errors[5]["error"]
    assert "not valid UTF-8" in errors[6]["error"]
    assert "empty article" in errors[7]["error"]
    assert "duplicate id" in errors[8]["error"] and errors[8]["id"] == "a"
    assert "error: <stdin>:5: id 'c': \"published\" is not an ISO 8601 date" in result.stderr
    assert "error: <stdin>:8: id 'a': duplicate id" in result.stderr
    assert "9 records: 2 verdicts" in result.stderr and "7 errors" in result.stderr


def test_plain_text_lines(texts):
    base, copy = texts
    stdin = base[0].replace("\n", " ") + "\n" + copy[0].replace("\n", " ") + "\n"
    result = run("stream", "--text", input=stdin)
    assert result.exit_code == 0
    out = records(result.stdout)
    assert [r["id"] for r in out] == ["1", "2"]
    assert out[1]["original"] == "1" and out[1]["relation"] == "near"


def test_an_index_carries_over_between_runs_and_exports_current_verdicts(texts, tmp_path):
    base, copy = texts
    path = str(tmp_path / "news.db")
    first = run("stream", "--index", path, input=line(id="site", text=copy[0], source="Site"))
    assert first.exit_code == 0 and records(first.stdout)[0]["original"] == "site"
    second = run("stream", "--index", path,
                 input=line(id="wire", text=base[0], source="Reuters") + line(id="x", text=base[1]))
    out = records(second.stdout)
    assert out[1] == {"event": "reattributed", "cluster": out[0]["cluster"], "old_original": "site",
                      "new_original": "wire", "why": out[1]["why"]}
    assert "3 articles in the index" in second.stderr
    exported = {r["id"]: r for r in records(run("index", "export", path).stdout)}
    assert list(exported) == ["site", "wire", "x"]
    assert exported["site"]["original"] == "wire" and exported["site"]["duplicate"]
    assert exported["site"]["origin_source"] == "Reuters"
    with Index.open(path, readonly=True) as index:
        assert exported == {v.id: v.to_dict() for v in index.verdicts()}
    stats = json.loads(run("index", "stats", path, "--json").stdout)
    assert (stats["articles"], stats["clusters"], stats["clusters_with_copies"]) == (3, 2, 1)
    assert stats["config"]["threshold"] == 0.8 and stats["size_on_disk"] > 0
    table = run("index", "stats", path).stdout
    assert "articles" in table and "threshold=0.8" in table
    with_text = records(run("index", "export", path, "--with-text").stdout)
    assert with_text[2]["text"] == base[1]
    assert run("index", "vacuum", path).exit_code == 0


def test_batch_builds_an_index_that_stream_extends(texts, tmp_path):
    base, copy = texts
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(line(id="a", text=base[0]) + line(id="b", text=base[1]),
                                    "utf-8")
    path = str(tmp_path / "news.db")
    batch = run("batch", str(folder), "--index", path)
    assert batch.exit_code == 0 and [r["id"] for r in records(batch.stdout)] == ["a", "b"]
    again = run("batch", str(folder), "--index", path)
    assert again.exit_code == EXIT_SKIPPED and "duplicate id" in again.stderr
    streamed = run("stream", "--index", path, input=line(id="c", text=copy[1]))
    assert records(streamed.stdout)[0]["original"] == "b"


def test_options_that_contradict_the_stored_config_are_an_error(tmp_path, texts):
    path = str(tmp_path / "news.db")
    run("stream", "--index", path, "--threshold", "0.7", input=line(id="a", text=texts[0][0]))
    mismatch = run("stream", "--index", path, "--threshold", "0.9", input="")
    assert mismatch.exit_code == 1
    assert "threshold: 0.7 != 0.9" in mismatch.stderr
    same = run("stream", "--index", path, "--threshold", "0.7", input="")
    assert same.exit_code == 0
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00not an index" * 100)
    bad = run("index", "stats", str(garbage))
    assert bad.exit_code == 1 and "not a dedup index" in bad.stderr
    assert run("stream", "--fsync", input="").exit_code == 2
    assert run("stream", "--max-age", "soon", input="").exit_code == 2


def dedup_stream(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dedup", "stream", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=unbuffered_free_env())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_stream_cleanly(tmp_path, texts, signum):
    path = str(tmp_path / "news.db")
    proc = dedup_stream("--index", path)
    proc.stdin.write((line(id="a", text=texts[0][0]) + line(id="b", text=texts[1][0])).encode())
    proc.stdin.flush()
    acknowledged = [json.loads(read_line(proc))["id"] for _ in range(2)]
    proc.send_signal(signum)  # while it waits for more input
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"stopped by {signal.Signals(signum).name}" in err.decode()
    with Index.open(path) as index:
        assert [v.id for v in index.verdicts()] == acknowledged


def kill_chain(path: str, rounds: int, seed: int) -> dict[str, dict]:
    """Start ``dedup stream --index path`` ``rounds`` times, SIGKILL it each time at a random
    moment, and return every verdict it printed, by id."""
    rng = random.Random(seed)
    bases = [story(rng, VOCAB, 40).replace("\n", " ") for _ in range(30)]
    inputs = [[line(id=f"{seed}-{r}-{i}", text=edit(rng, VOCAB, rng.choice(bases), 0.02)).encode()
               for i in range(400)] for r in range(rounds)]
    acknowledged: dict[str, dict] = {}
    for round_ in range(rounds):
        proc = dedup_stream("--index", path)
        lines: list[bytes] = []

        def feed(proc=proc, mine=inputs[round_]):
            try:
                for record in mine:
                    proc.stdin.write(record)
                proc.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass

        def read(proc=proc, lines=lines):
            lines.extend(proc.stdout)

        threads = [threading.Thread(target=feed, daemon=True),
                   threading.Thread(target=read, daemon=True)]
        for t in threads:
            t.start()
        if round_ % 2:  # a random moment of the run, start-up and opening included
            time.sleep(rng.uniform(0.0, 2.5))
        else:  # a random moment after the first verdicts, amid a burst of writes
            want, deadline = rng.randint(1, 40), time.monotonic() + 60
            while len(lines) < want and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.05))
        proc.kill()
        proc.wait(timeout=30)
        threads[1].join(timeout=30)
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert "Error" not in err, err  # every start opened the index a kill had left
        for raw in lines:
            verdict = json.loads(raw)
            if "id" in verdict:
                acknowledged[verdict["id"]] = verdict
    return acknowledged


def test_kill_9_at_random_moments_loses_no_acknowledged_article(tmp_path):
    """SIGKILL a real ``dedup stream --index`` 24 times (two indexes, two processes at a
    time): at random moments from start-up to the middle of a burst of writes. Every
    verdict it printed must be in the index, which must open every time."""
    chains = {seed: str(tmp_path / f"crash{seed}.db") for seed in (1, 2)}
    results: dict[int, dict] = {}
    failures: list[BaseException] = []

    def chain(seed: int) -> None:
        try:
            results[seed] = kill_chain(chains[seed], 12, seed)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=chain, args=(seed,)) for seed in chains]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for seed, path in chains.items():
        acknowledged = results[seed]
        assert len(acknowledged) >= 6  # every other round waited for at least one verdict
        with Index.open(path, create=False) as index:
            assert [i for i in acknowledged if i not in index] == []
            for verdict in acknowledged.values():  # the original it named was stored before it
                assert verdict["original"] in index


# --- retention, fsync, flushing and a closed pipe, end to end ---------------------------

def test_max_docs_keeps_the_newest_and_says_why_an_original_went(texts, tmp_path):
    base, copy = texts
    path = str(tmp_path / "news.db")
    stdin = (line(id="wire", text=base[0], source="Xinhua")
             + line(id="copy", text=copy[0], source="Site")
             + line(id="x1", text=base[1]) + line(id="x2", text=base[2]))
    result = run("stream", "--index", path, "--max-docs", "3", input=stdin)
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[1]["original"] == "wire"
    assert "3 articles in the index" in result.stderr
    exported = {r["id"]: r for r in records(run("index", "export", path).stdout)}
    assert list(exported) == ["copy", "x1", "x2"]
    assert exported["copy"]["original"] == "copy" and not exported["copy"]["duplicate"]
    assert ("original 'wire' was evicted (retention: max_docs=3); 'copy' re-chosen among the "
            "remaining members") in exported["copy"]["why"]
    more = run("stream", "--index", path, "--max-docs", "3", input=line(id="x3", text=base[3]))
    assert [r["id"] for r in records(run("index", "export", path).stdout)] == ["x1", "x2", "x3"]
    assert "3 articles in the index" in more.stderr


@pytest.mark.parametrize("max_age", ["7d", "168h", "1w", "604800"])
def test_max_age_counts_from_the_stored_added_times(texts, tmp_path, max_age):
    """Articles added 8 and 6 days ago (their times stored in the file): ``--max-age 7d``
    evicts the first only, on the next write of a later run."""
    base, copy = texts
    path = str(tmp_path / "news.db")
    day, now = 86400.0, time.time()
    for age, record in ((8, dict(id="old", text=base[0], source="Xinhua")),
                        (6, dict(id="copy", text=copy[0], source="Site")),
                        (6, dict(id="recent", text=base[1]))):
        with Index.open(path, clock=lambda age=age: now - age * day) as index:
            index.add_many([Article(**record)])  # add_many stamps the clock as add does
    result = run("stream", "--index", path, "--max-age", max_age,
                 input=line(id="new", text=base[2]))
    assert result.exit_code == 0, result.stderr
    exported = {r["id"]: r for r in records(run("index", "export", path).stdout)}
    assert list(exported) == ["copy", "recent", "new"]
    assert ("original 'old' was evicted (retention: max_age=604800s); 'copy' re-chosen among "
            "the remaining members") in exported["copy"]["why"]


def synchronous_levels(monkeypatch) -> list[int]:
    """The ``PRAGMA synchronous`` each SQLite index opened from now on runs with."""
    from dedup.storage.sqlite_store import SqliteStore

    seen: list[int] = []
    connect = SqliteStore._connect

    def spy(self, fsync: bool) -> None:
        connect(self, fsync)
        seen.append(self._conn.execute("PRAGMA synchronous").fetchone()[0])

    monkeypatch.setattr(SqliteStore, "_connect", spy)
    return seen


def test_fsync_makes_every_commit_synchronous_full(texts, tmp_path, monkeypatch):
    path = str(tmp_path / "news.db")
    seen = synchronous_levels(monkeypatch)
    assert run("stream", "--index", path, "--fsync", input=line(id="a", text=texts[0][0])
               ).exit_code == 0
    assert run("stream", "--index", path, input=line(id="b", text=texts[0][1])).exit_code == 0
    assert seen == [2, 1]  # FULL: fsync on every commit; NORMAL: survives kill -9 only


def unbuffered_free_env() -> dict[str, str]:
    """This environment without PYTHONUNBUFFERED: a verdict must reach the reader because
    dedup flushes it, not because the interpreter was told to write through."""
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    return env


def read_line(proc: subprocess.Popen, timeout: float = 60) -> bytes:
    """One line of the process's stdout, or fail after ``timeout`` seconds (a verdict left
    in a buffer would otherwise hang the test)."""
    fd, data = proc.stdout.fileno(), b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, f"no complete line within {timeout} s (got {data!r}): not flushed"
        chunk = os.read(fd, 1)
        assert chunk, f"stdout closed after {data!r}"
        data += chunk
    return data


def test_each_verdict_is_flushed_before_the_next_line_is_read(texts):
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "stream"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=unbuffered_free_env())
    try:
        for i, text in enumerate((texts[0][0], texts[1][0], "   ")):
            proc.stdin.write(line(id=f"n{i}", text=text).encode())
            proc.stdin.flush()  # the stream is still open: only a flush hands the line on
            got = json.loads(read_line(proc))
            assert got["id"] == f"n{i}" and ("error" in got) == (i == 2)
    finally:
        proc.communicate(timeout=60)  # EOF ends it
    assert proc.returncode == EXIT_SKIPPED


@pytest.mark.parametrize("command", ["stream", "batch"])
def test_a_reader_that_goes_away_ends_the_run_with_exit_1_quietly(tmp_path, command):
    rng = random.Random(8)
    feed = "".join(line(id=f"p{i}", text=story(rng, VOCAB, 60)) for i in range(3000))
    (tmp_path / "feed.jsonl").write_text(feed, "utf-8")
    args = ["stream", "--index", str(tmp_path / "news.db")] if command == "stream" else \
        ["batch", str(tmp_path / "feed.jsonl")]
    read, write = os.pipe()
    with open(tmp_path / "feed.jsonl", "rb") as stdin:
        proc = subprocess.Popen([sys.executable, "-m", "dedup", *args], stdin=stdin,
                                stdout=write, stderr=subprocess.PIPE, env=unbuffered_free_env())
        os.close(write)
        with os.fdopen(read, "rb") as reader:
            first = reader.readline()  # take one verdict, then hang up
        _, err = proc.communicate(timeout=120)
    assert json.loads(first)["id"] == "p0"
    assert proc.returncode == 1, err.decode()[-2000:]
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()[-2000:]
    if command == "stream":  # what was printed is committed; the index opens
        with Index.open(str(tmp_path / "news.db"), create=False) as index:
            assert "p0" in index
