"""The Redis backend against a real server: processes sharing one index, a server
restart, errors that name the server, datasketch's layout, round trips, CLI."""

import json
import multiprocessing
import random
import shutil
import signal
import socket
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Article, BadRecord, Config, ConfigMismatch, Index, IndexFormatError, StoreError
from dedup.cli import cli
from dedup.errors import ConfigError, StoreUnavailable
from dedup.prepare import Preparer
from dedup.storage.redis_datasketch import datasketch_lsh
from dedup.storage.redis_link import parse_location
from dedup.storage.redis_records import REDIS_FORMAT_VERSION
from dedup.wires import WireRegistry

from .conftest import final_state
from .redis_server import RedisServer, fresh_location, refusing_port, server_url
from .textgen import edit, short_edited_pair, story, vocabulary

redis = pytest.importorskip("redis", reason="the redis package is not installed "
                                            "(pip install -e '.[test]')")

VOCAB = vocabulary()
T0 = datetime(2025, 5, 8, tzinfo=UTC)
FORK = multiprocessing.get_context("fork")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from server_url(tmp_path_factory)


@pytest.fixture
def location(redis_url):
    yield from fresh_location(redis_url)


def stories(seed: int, count: int, copies: int) -> list[list[Article]]:
    """Per story: the story and its copies. Every pair of versions is a near copy
    and dates are distinct, so clusters and originals do not depend on the order;
    single-line texts, so no line becomes site chrome."""
    rng = random.Random(seed)
    out = []
    for s in range(count):
        base = story(rng, VOCAB, 250).replace("\n", " ")
        versions = [Article(id=f"r{seed}s{s}", text=base, published=T0 + timedelta(hours=s))]
        for c in range(copies):
            text = base if c % 3 == 2 else edit(rng, VOCAB, base, 0.004)
            versions.append(Article(id=f"r{seed}s{s}c{c}", text=text,
                                    published=T0 + timedelta(hours=s, minutes=c - 3)))
        out.append(versions)
    return out


def _add_all(url: str, articles: list[Article], barrier, per_article: bool) -> None:
    index = Index.open(url)
    if not per_article:
        barrier.wait(timeout=60)
    for article in articles:
        if per_article:
            barrier.wait(timeout=60)
        index.add(article)
    index.close()


def run_processes(url: str, shares: list[list[Article]], per_article: bool = False) -> None:
    barrier = FORK.Barrier(len(shares))
    workers = [FORK.Process(target=_add_all, args=(url, share, barrier, per_article))
               for share in shares]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * len(workers)


# -- processes sharing one index ---------------------------------------------------


def test_two_processes_adding_copies_at_the_same_moment_make_one_cluster(location):
    versions = stories(1, 12, 1)
    # Process 0 adds each story while process 1 adds its copy, both released by a barrier.
    run_processes(location, [[v[0] for v in versions], [v[1] for v in versions]],
                  per_article=True)
    with Index.open(location) as index:
        clusters = index.clusters()
        assert {frozenset(m.id for m in c.members) for c in clusters} == \
            {frozenset(a.id for a in v) for v in versions}
        for cluster in clusters:
            assert sum(not m.duplicate for m in cluster.members) == 1


def test_four_processes_end_with_the_clusters_of_a_serial_run(location):
    rng = random.Random(9)
    versions = stories(2, 24, 4) + [[a] for a in stories(3, 16, 0)[0]] + \
        [v for v in stories(4, 16, 0)]
    articles = [a for v in versions for a in v]
    serial = Index()
    for article in articles:
        serial.add(article)
    # Copies of a story go to different processes, in a shuffled order.
    shares = [[] for _ in range(4)]
    for v in versions:
        for k, article in enumerate(v):
            shares[(k + rng.randrange(4)) % 4].append(article)
    for share in shares:
        rng.shuffle(share)
    run_processes(location, shares)
    with Index.open(location) as index:
        assert len(index) == len(articles)
        partition, verdicts = final_state(index)
    assert (partition, verdicts) == final_state(serial)
    assert sum(len(c) > 1 for c in partition) == 24


def test_a_writer_that_lost_the_lock_writes_nothing(location):
    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    versions = stories(5, 2, 0)
    stalled, other = Index.open(location), Index.open(location)
    with pytest.raises(StoreError, match="lost the lock"):
        with stalled.batch():
            stalled.add(versions[0][0])
            client.delete(f"{prefix}:lock")  # its lease ran out while it stalled
            other.add(versions[1][0])  # another process takes the lock and writes
    assert versions[0][0].id not in other and versions[1][0].id in other
    assert versions[0][0].id not in stalled and len(stalled) == 1
    stalled.add(versions[0][0])  # the next call works again
    assert len(other) == 2
    stalled.close()
    other.close()


def test_a_batch_session_that_fails_writes_nothing(location):
    versions = stories(6, 3, 0)
    with Index.open(location) as index:
        index.add(versions[0][0])
        with pytest.raises(RuntimeError):
            with index.batch():
                index.add(versions[1][0])
                raise RuntimeError("the crawler broke")
        index.add(versions[2][0])
    with Index.open(location) as index:
        assert sorted(v.id for v in index.verdicts()) == [versions[0][0].id, versions[2][0].id]


# -- a server restart ----------------------------------------------------------------


def test_a_killed_and_restarted_server_loses_no_acknowledged_article(tmp_path):
    """appendfsync always: the AOF is fsynced before Redis replies, so an article
    whose add returned is on disk even when the server is killed (SIGKILL) the
    moment after; the writer rides out the outage (retry window) and goes on."""
    if not shutil.which("redis-server"):
        pytest.skip("this test restarts its own server: put redis-server on PATH "
                    "(apt-get install redis-server)")
    server = RedisServer(tmp_path, appendfsync="always").start()
    url = f"{server.url}?prefix=restart&retry=20"
    articles = [a for v in stories(7, 25, 2) for a in v]
    acknowledged: list[str] = []
    errors: list[Exception] = []
    twenty = threading.Event()

    def writer() -> None:
        index = Index.open(url)
        for article in articles:
            while True:
                try:
                    index.add(article)
                    break
                except BadRecord:  # an add that failed after it was written
                    break
                except StoreError as exc:  # not acknowledged: add it again
                    errors.append(exc)
            acknowledged.append(article.id)
            if len(acknowledged) == 20:
                twenty.set()
        index.close()

    thread = threading.Thread(target=writer)
    try:
        thread.start()
        assert twenty.wait(60)
        server.stop(signal.SIGKILL)
        killed_after = len(acknowledged)
        server.start()
        thread.join(120)
        assert not thread.is_alive()
        with Index.open(url) as index:
            assert all(a in index for a in acknowledged[:killed_after])
            assert len(index) == len(articles)
            serial = Index()
            for article in articles:
                serial.add(article)
            assert final_state(index) == final_state(serial)
        assert killed_after < len(articles)
    finally:
        server.stop()


def test_fsync_needs_a_server_that_fsyncs_every_write(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("this test configures its own server: put redis-server on PATH "
                    "(apt-get install redis-server)")
    server = RedisServer(tmp_path, appendfsync="always").start()
    try:
        Index.open(f"{server.url}?prefix=f", fsync=True).close()
        redis.Redis(port=server.port).config_set("appendfsync", "everysec")
        with pytest.raises(ConfigError, match="appendfsync everysec.*appendfsync always"):
            Index.open(f"{server.url}?prefix=f", fsync=True)
    finally:
        server.stop()


# -- errors ------------------------------------------------------------------------------


def test_an_unreachable_server_is_named_in_the_error():
    with refusing_port() as port:  # held: nothing can start listening on it meanwhile
        with pytest.raises(StoreUnavailable,
                           match=f"^cannot reach Redis at 127.0.0.1:{port}: Connection refused$"):
            Index.open(f"redis://127.0.0.1:{port}/0?prefix=x")
        result = CliRunner().invoke(cli, ["stream", "--index", f"redis://127.0.0.1:{port}/0"],
                                    input="")
    assert result.exit_code == 1
    assert f"Error: cannot reach Redis at 127.0.0.1:{port}: Connection refused" in result.stderr


def test_a_server_that_does_not_answer_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(StoreUnavailable,
                           match=f"Redis at 127.0.0.1:{port} did not answer within 0.3 s"):
            Index.open(f"redis://127.0.0.1:{port}/0?timeout=0.3")


def test_locations_are_checked():
    where = parse_location("redis://:secret@10.0.0.5:6390/2?prefix=news&timeout=2")
    assert (where.server, where.db, where.prefix, where.timeout) == ("10.0.0.5:6390", 2, "news", 2)
    assert "secret" not in where.display and where.display.endswith("/2?prefix=news")
    for bad, message in [("redis://h/0?prefx=a", "unknown parameter 'prefx'"),
                         ("redis://h/zero", "database must be a number"),
                         ("redis://h/0?prefix=", "prefix is empty"),
                         ("redis://h/0?timeout=soon", "not a number of seconds")]:
        with pytest.raises(ConfigError, match=message):
            parse_location(bad)


def test_headers_are_checked_like_index_files(location):
    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    with pytest.raises(StoreError, match="no index at"):
        Index.open(location, create=False)
    Index.open(location, config=Config(threshold=0.8)).close()
    with pytest.raises(ConfigMismatch, match="threshold"):
        Index.open(location, config=Config(threshold=0.7))
    with pytest.raises(ConfigMismatch, match="wire registry"):
        Index.open(location, wires=WireRegistry([], "none"))
    client.hset(f"{prefix}:header", "format_version", 99)
    with pytest.raises(IndexFormatError, match="newer dedup"):
        Index.open(location)
    client.hset(f"{prefix}:header", "format", "something-else")
    with pytest.raises(IndexFormatError, match="not a dedup index"):
        Index.open(location)
    client.delete(f"{prefix}:header")
    client.set(f"{prefix}:header", "a string")
    with pytest.raises(IndexFormatError, match="another kind of value"):
        Index.open(location)


def test_a_format_1_index_reads_and_says_the_current_format_once_written(location):
    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    versions = stories(14, 2, 1)
    with Index.open(location) as index:
        index.add(versions[0][0])
    client.hset(f"{prefix}:header", "format_version", 1)
    with Index.open(location, readonly=True) as index:
        assert index.get(versions[0][0].id) is not None
    assert client.hget(f"{prefix}:header", "format_version") == b"1"
    with Index.open(location) as index:
        copy = index.add(versions[0][1])
        assert copy.cluster == index.get(versions[0][0].id).cluster
    assert client.hget(f"{prefix}:header", "format_version") == \
        str(REDIS_FORMAT_VERSION).encode()


def test_a_readonly_index_refuses_writes(location):
    Index.open(location).close()
    with Index.open(location, readonly=True) as index:
        with pytest.raises(StoreError, match="read-only"):
            index.add(Article(id="a", text=story(random.Random(1), VOCAB, 100)))


# -- datasketch's layout, round trips, CLI -----------------------------------------------


def test_datasketch_sees_the_same_lsh_tables(location):
    from datasketch import LeanMinHash

    config = Config(scheme="affine32")
    versions = stories(8, 6, 2)
    with Index.open(location, config=config) as index:
        index.add_many([a for v in versions for a in v])
        index.remove(versions[0][1].id)
    lsh = datasketch_lsh(location)
    assert (lsh.b, lsh.r) == config.bands
    preparer = Preparer(config, WireRegistry.default())
    for v in versions[1:]:
        signature = preparer.run([v[0].text]).signatures[0]
        found = lsh.query(LeanMinHash(seed=config.seed, hashvalues=signature, scheme="affine32"))
        assert sorted(found) == sorted(a.id.encode() for a in v)
    gone = versions[0][1].id.encode()
    assert gone not in lsh and versions[0][0].id.encode() in lsh


def test_an_add_is_a_constant_number_of_round_trips(location, monkeypatch):
    from redis.connection import AbstractConnection

    sends = []
    send = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sends.append(1)
        return send(self, command, check_health)

    versions = stories(9, 40, 0)
    big = stories(10, 1, 30)[0]
    index = Index.open(location)
    index.add_many([v[0] for v in versions[:30]] + big[:-1])
    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)

    def count(call, *args):
        sends.clear()
        call(*args)
        return len(sends)

    alone = count(index.add, versions[30][0])  # a new story, small index
    copy_of_big = count(index.add, big[-1])  # a copy joining a 30-member cluster
    index.add_many([v[0] for v in versions[31:39]])
    later = count(index.add, versions[39][0])  # a new story, larger index
    assert alone == copy_of_big == later == 4
    assert count(index.query, big[0]) == 3
    assert count(index.get, big[5].id) == 2
    more = stories(13, 15, 2)  # 45 articles, copies among them and of stored ones
    assert count(index.add_many, [a for v in more for a in v] + big[:2]) == 4
    index.close()


def test_stream_batch_and_stats_work_on_a_redis_index(location):
    versions = stories(11, 3, 1)
    runner = CliRunner()
    lines = "".join(json.dumps({"id": a.id, "text": a.text}) + "\n" for a in
                    [v[0] for v in versions])
    first = runner.invoke(cli, ["stream", "--index", location], input=lines)
    assert first.exit_code == 0, first.stderr
    copies = "".join(json.dumps({"id": v[1].id, "text": v[1].text}) + "\n" for v in versions)
    second = runner.invoke(cli, ["stream", "--index", location], input=copies)
    assert second.exit_code == 0, second.stderr
    verdicts = [json.loads(x) for x in second.stdout.splitlines()]
    assert [v["original"] for v in verdicts] == [v[0].id for v in versions]
    stats = runner.invoke(cli, ["index", "stats", location, "--json"])
    assert stats.exit_code == 0, stats.stderr
    facts = json.loads(stats.stdout)
    assert (facts["backend"], facts["articles"], facts["clusters"], facts["copies"]) == \
        ("redis", 6, 3, 3)
    table = runner.invoke(cli, ["index", "stats", location])
    assert "persistence" in table.stdout and "articles" in table.stdout
    exported = runner.invoke(cli, ["index", "export", location])
    assert len(exported.stdout.splitlines()) == 6
    page = runner.invoke(cli, ["report", "--index", location, "-o", "-"])
    assert page.exit_code == 0, page.stderr
    assert "<html" in page.stdout and "3 clusters with copies, 3 copies" in page.stderr
    vacuum = runner.invoke(cli, ["index", "vacuum", location])
    assert vacuum.exit_code == 2 and "a Redis index frees its memory" in vacuum.stderr


def test_batch_index_on_redis_reports_and_closes_cleanly(location, tmp_path):
    versions = stories(14, 2, 1)
    for article in [a for v in versions for a in v]:
        (tmp_path / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), "--index", location])
    assert result.exit_code == 0, result.stderr
    verdicts = {v["id"]: v for v in map(json.loads, result.stdout.splitlines())}
    assert {v[1].id + ".txt": verdicts[v[1].id + ".txt"]["original"] for v in versions} == \
        {v[1].id + ".txt": v[0].id + ".txt" for v in versions}
    assert f"(index {location}: 4 articles)" in result.stderr
    with Index.open(location, create=False) as index:
        assert len(index) == 4


def test_signatures_round_trip_bit_for_bit(location):
    versions = stories(12, 2, 0)
    preparer = Preparer(Config(), WireRegistry.default())
    with Index.open(location) as index:
        index.add(versions[0][0])
    with Index.open(location) as index, index._lock:
        store = index._store
        slot = store.slot(versions[0][0].id)
        expected = preparer.run([versions[0][0].text])
        assert np.array_equal(store.probe(slot).sig, expected.signatures[0])
        assert np.array_equal(store.probe(slot).passages, expected.passages(0))
        assert np.array_equal(store.probe(slot).numbers, expected.numbers(0))


def test_fine_passages_round_trip_and_a_version_2_record_has_none(location):
    """Fingerprint records of version 3 keep a short article's fine passage keys
    (issue 15); a version 2 record, as a dedup before them wrote it, reads with none,
    and a short edited copy of it is judged on the passages (refused, as then)."""
    import struct

    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    (wire, copy), (wire2, copy2) = short_edited_pair(3, VOCAB), short_edited_pair(6, VOCAB)
    with Index.open(location) as index:
        index.add(Article(id="wire", text=wire))
        index.add(Article(id="wire2", text=wire2))
    expected = Preparer(Config(), WireRegistry.default()).run([wire])
    with Index.open(location) as index, index._lock:
        slot = index._store.slot("wire")
        probe = index._store.probe(slot)
        assert len(expected.fine(0)) and np.array_equal(probe.fine, expected.fine(0))
    client.hset(f"{prefix}:fp", slot, struct.pack("<BIQH", 2, probe.size, probe.content_hash,
                                                  len(probe.numbers))
                + probe.sig.astype("<u4").tobytes() + probe.numbers.astype("<u4").tobytes()
                + probe.passages.astype("<u8").tobytes())
    with Index.open(location) as index:
        old = index._store.probe(index._store.slot("wire"))
        assert not len(old.fine) and np.array_equal(old.passages, probe.passages)
        assert not index.add(Article(id="copy", text=copy)).duplicate
        index.add(Article(id="copy2", text=copy2))
        assert index.get("copy2").cluster == index.get("wire2").cluster
        assert {index.get("copy2").relation, index.get("wire2").relation} == {"edited", None}


# -- record ids and prefixes are input (issue 20) ---------------------------------------------


def test_record_ids_cannot_name_keys_outside_the_index(location):
    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    planted = {f"{prefix}_keys:secret": b"someone else's", f"{prefix}_keys:header": b"theirs"}
    for key, value in planted.items():
        client.set(key, value)
    versions = stories(15, 2, 1)
    hostile = [Article(id=":secret", text=versions[0][0].text, published=T0),
               Article(id=":header", text=versions[1][0].text, published=T0),
               Article(id=":ids\nx", text=versions[1][1].text, published=T0)]
    with Index.open(location) as index:
        index.add_many(hostile)
        assert index.get(":ids\nx").original == ":header"
    with Index.open(location) as index:
        assert index.remove(":secret") and index.remove(":header")
    assert {k: client.get(k) for k in planted} == planted
    ours = set(client.scan_iter(match=f"{prefix}*", count=1000)) - {k.encode() for k in planted}
    keys_name = f"{prefix}_keys".encode()
    assert not [k for k in ours if k.startswith(keys_name) and k != keys_name]
    assert len([k for k in ours if k.startswith(f"{prefix}:bands:".encode())]) == 1  # ':ids\nx'


@pytest.mark.parametrize("prefix", ["news_keys", "a:b", "x" * 65, "news eu", "néws"])
def test_prefixes_are_short_names_without_separators(prefix):
    with pytest.raises(ConfigError, match="at most 64 letters, digits, '.' and '-'"):
        parse_location(f"redis://127.0.0.1:6379/0?prefix={prefix}")
    assert parse_location("redis://127.0.0.1:6379/0?prefix=news-eu.v2").prefix == "news-eu.v2"


def test_a_format_2_index_moves_its_band_lists_when_a_writer_opens_it(location):
    client = redis.Redis.from_url(location.split("?")[0])
    prefix = parse_location(location).prefix
    versions = stories(16, 3, 1)
    with Index.open(location) as index:
        index.add_many([a for v in versions for a in v])
    # as format 2 wrote it: each article's list at P_keys<id>, named in P_keys
    keys_name = f"{prefix}_keys".encode()
    for ident, listed in client.hgetall(keys_name).items():
        client.rename(listed, keys_name + ident)
        client.hset(keys_name, ident, keys_name + ident)
    client.set(keys_name + b":planted", b"not a list: not ours")
    client.hset(keys_name, b":planted", keys_name + b":planted")
    client.hset(f"{prefix}:header", "format_version", 2)
    with Index.open(location, readonly=True) as index:  # readers do not need the lists
        assert index.get(versions[0][1].id).cluster == index.get(versions[0][0].id).cluster
    assert client.hget(f"{prefix}:header", "format_version") == b"2"
    with Index.open(location) as index:
        assert index.remove(versions[0][1].id)
    assert client.hget(f"{prefix}:header", "format_version") == \
        str(REDIS_FORMAT_VERSION).encode()
    left = {k for k in client.scan_iter(match=f"{prefix}_keys*".encode()) if k != keys_name}
    assert left == {keys_name + b":planted"} and client.get(keys_name + b":planted")
    lists = client.hgetall(keys_name)
    assert len(lists) == 6 and versions[0][1].id.encode() not in lists
    for ident, listed in lists.items():
        if ident != b":planted":
            assert listed.startswith(f"{prefix}:bands:".encode())
            assert client.llen(listed) == Config().bands[0]
    with Index.open(location) as index:  # the moved lists are the ones a remove deletes
        assert index.remove(versions[1][0].id)
    assert len(list(client.scan_iter(match=f"{prefix}:bands:*"))) == 4


def test_a_zlib_bomb_in_a_stored_text_is_refused_without_inflating_it(location):
    import zlib

    story_text = stories(16, 1, 0)[0][0].text
    with Index.open(location, keep_text=True) as index:
        index.add(Article(id="a", text=story_text, published=T0))
        assert index.text("a") == story_text
    client = redis.Redis.from_url(location.split("?")[0])
    texts_key = f"{parse_location(location).prefix}:texts"
    [slot] = client.hkeys(texts_key)
    client.hset(texts_key, slot, zlib.compress(b"\0" * (64 << 20), 9))  # 64 MiB of zeros
    with Index.open(location) as index:
        with pytest.raises(IndexFormatError, match="inflates to over"):
            index.text("a")
