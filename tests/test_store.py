"""Persistent index: round trip, config and format errors, corruption, locking, retention."""

import contextlib
import os
import random
import shutil
import sqlite3
import threading
import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dedup import (
    Article,
    BadRecord,
    Config,
    ConfigMismatch,
    Index,
    IndexFormatError,
    StoreError,
    WireRegistry,
)
from dedup.storage.sqlite_files import describe_file, vacuum
from dedup.storage.sqlite_store import FORMAT_VERSION, _article_checksum, _checksum

from .textgen import chinese_edit, chinese_story, edit, short_edited_pair, story, vocabulary

VOCAB = vocabulary()
T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)
CHROME = "Share this story\nBack to top\n"


def corpus(seed: int, stories: int = 40) -> list[Article]:
    """Stories with copies, late wire copies (re-attribution), chrome lines, Chinese text."""
    rng = random.Random(seed)
    out = []
    for s in range(stories):
        chinese = s % 5 == 4
        base = chinese_story(rng, 500) if chinese else story(rng, VOCAB, 250)
        out.append(Article(id=f"s{s}", text=CHROME + base, source="Daily Harbor",
                           published=T0 + timedelta(minutes=s)))
        for c in range(s % 4):
            text = chinese_edit(rng, base, 0.01) if chinese else edit(rng, VOCAB, base, 0.02)
            out.append(Article(id=f"s{s}c{c}", text=text + "\n" + CHROME, source=f"Site {c}",
                               published=T0 + timedelta(minutes=s - 1 + 2 * c)))
        if s % 6 == 0:  # the wire's own copy arrives after the republications
            out.append(Article(id=f"s{s}wire", text=base, source="Xinhua",
                               url="https://english.news.cn/x"))
    rng.shuffle(out)
    return out


def export(index: Index) -> list[tuple[dict, str | None]]:
    return [(v.to_dict(), index.text(v.id)) for v in index.verdicts()]


@pytest.fixture
def built(tmp_path):
    """An index file with a mix of single adds, a batch, and a removal; its export."""
    path = str(tmp_path / "news.db")
    articles = corpus(1)
    with Index.open(path) as index:
        for article in articles[:30]:
            index.add(article)
        index.add_many(articles[30:])
        index.remove(articles[5].id)
        expected = export(index)
    return path, expected


def test_round_trip_restores_the_same_verdicts_and_texts(built):
    path, expected = built
    with Index.open(path, create=False) as index:
        assert export(index) == expected
        assert any(v["duplicate"] for v, _ in expected)
        assert any("published by wire Xinhua" in w for v, _ in expected for w in v["why"])
        assert all(t is not None for _, t in expected)


def test_reopened_index_gives_the_same_new_verdicts_as_one_never_closed(tmp_path):
    articles = corpus(2, stories=50)
    first, later = articles[:60], articles[60:]
    memory = Index()
    memory.add_many(first)
    path = str(tmp_path / "a.db")
    with Index.open(path) as index:
        index.add_many(first)
    with Index.open(path) as index:
        reopened = [index.add(a).to_dict() for a in later]
    kept = [memory.add(a).to_dict() for a in later]
    assert reopened == kept
    assert [v.to_dict() for v in Index.open(path, readonly=True).verdicts()] == \
        [v.to_dict() for v in memory.verdicts()]


def test_an_add_is_in_the_file_when_it_returns(tmp_path):
    path = str(tmp_path / "a.db")
    writer = Index.open(path)
    writer.add(Article(id="a", text=story(random.Random(1), VOCAB, 200)))
    reader = Index.open(path, readonly=True)  # another connection sees the committed row
    assert "a" in reader and len(reader) == 1
    with pytest.raises(StoreError, match="read-only"):
        reader.add(Article(id="b", text="some other words here"))
    reader.close()
    writer.close()


def test_commits_leave_the_log_to_the_checkpoint_thread(tmp_path):
    # The writer's commits never copy the log back into the file themselves (that
    # made ~1 add in 80 take 5-10 ms at 1M articles); the store's checkpoint thread
    # does, while the index is open, and closing leaves no log behind.
    path = str(tmp_path / "a.db")
    rng = random.Random(4)
    index = Index.open(path)
    store = index._store
    assert store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    size = os.path.getsize(path)
    for i in range(60):
        index.add(Article(id=str(i), text=story(rng, VOCAB, 200)))
    for _ in range(200):  # the thread runs after commits: wait for one that copied
        if store._checkpointer.checkpoints and os.path.getsize(path) > size:
            break
        threading.Event().wait(0.05)
    assert os.path.getsize(path) > size  # pages copied into the file while open
    assert store._checkpointer.error is None
    reader = Index.open(path, readonly=True)
    assert len(reader) == 60
    reader.close()
    index.close()
    assert not os.path.exists(path + "-wal")
    with Index.open(path) as again:
        assert len(again) == 60 and again.get("59").id == "59"


def test_a_batch_session_commits_once_at_its_end(tmp_path):
    path = str(tmp_path / "a.db")
    rng = random.Random(3)
    with Index.open(path) as index:
        with index.batch():
            for i in range(5):
                index.add(Article(id=str(i), text=story(rng, VOCAB, 150)))
            assert describe_file(path)["articles"] == 0
        assert describe_file(path)["articles"] == 5


def test_a_second_writer_is_refused_and_a_missing_index_is_not_created(tmp_path):
    path = str(tmp_path / "a.db")
    with Index.open(path):
        with pytest.raises(StoreError, match="open for writing in another process"):
            Index.open(path)
    with pytest.raises(StoreError, match="no index at"):
        Index.open(str(tmp_path / "missing.db"), create=False)
    assert not os.path.exists(tmp_path / "missing.db")


def test_a_different_config_or_wire_registry_is_a_mismatch(built, tmp_path):
    path, _ = built
    with pytest.raises(ConfigMismatch, match=r"threshold: 0\.8 != 0\.7.*bands"):
        Index.open(path, config=Config(threshold=0.7))
    with pytest.raises(ConfigMismatch, match="num_perm: 128 != 64"):
        Index.open(path, config=Config(num_perm=64))
    extra = tmp_path / "wires.json"
    extra.write_text('[{"name": "Lakeside Wire", "aliases": ["Lakeside Wire Service"]}]', "utf-8")
    with pytest.raises(ConfigMismatch, match="wire registry"):
        Index.open(path, wires=WireRegistry.load(extra))
    with Index.open(path, config=Config(), wires=WireRegistry.default()) as index:
        assert len(index) > 0


def test_files_that_are_not_dedup_indexes_are_format_errors(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    with pytest.raises(IndexFormatError, match="not a dedup index"):
        Index.open(str(garbage))
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(IndexFormatError, match="not a dedup index"):
        Index.open(str(empty))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(IndexFormatError, match="not a dedup index"):
        Index.open(str(other))


def test_an_index_from_a_newer_dedup_asks_for_an_upgrade(built):
    path, _ = built
    conn = sqlite3.connect(path)
    newer = str(FORMAT_VERSION + 1)
    conn.execute("UPDATE header SET value = ?, checksum = ? WHERE key = 'format_version'",
                 (newer, _checksum("format_version", newer)))
    conn.commit()
    conn.close()
    with pytest.raises(IndexFormatError, match="written by a newer dedup.*upgrade dedup"):
        Index.open(path)


def test_a_truncated_index_is_a_format_error(built):
    path, _ = built
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(IndexFormatError, match="corrupted"):
        Index.open(path)


def test_a_flipped_bit_in_a_signature_fails_its_checksum(built):
    path, _ = built
    conn = sqlite3.connect(path)
    signature = conn.execute("SELECT signature FROM articles LIMIT 1").fetchone()[0]
    conn.close()
    data = bytearray(open(path, "rb").read())
    at = data.find(signature)
    assert at > 0
    data[at + 37] ^= 0x04
    open(path, "wb").write(bytes(data))
    with pytest.raises(IndexFormatError, match="fails its checksum"):
        Index.open(path)


def test_random_bit_flips_never_give_silently_different_answers(built, tmp_path):
    """Each flip either makes opening (or reading the text) fail, or changes nothing."""
    path, expected = built
    data = open(path, "rb").read()
    rng = random.Random(17)
    errors = 0
    for trial in range(60):
        copy = bytearray(data)
        at = rng.randrange(100, len(copy))  # past the file header's magic string
        copy[at] ^= 1 << rng.randrange(8)
        flipped = tmp_path / f"flip{trial}.db"
        flipped.write_bytes(bytes(copy))
        try:
            with Index.open(str(flipped), create=False) as index:
                assert export(index) == expected, f"bit flip at byte {at} changed the answers"
        except IndexFormatError:
            errors += 1
    assert errors > 0  # the flips did land on data


def test_a_cluster_row_naming_another_original_fails_its_checksum(built):
    """Only the checksum tells: the new original is a member, so every other check holds."""
    path, _ = built
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        cid, other = conn.execute(
            "SELECT c.id, a.arrival FROM clusters c JOIN articles a ON a.cluster = c.id "
            "AND a.arrival != c.original ORDER BY c.id LIMIT 1").fetchone()
        conn.execute("UPDATE clusters SET original = ? WHERE id = ?", (other, cid))
    with pytest.raises(IndexFormatError, match=f"cluster {cid} fails its checksum"):
        Index.open(path)


def test_a_stored_text_replaced_by_another_fails_its_checksum(built):
    """A well-formed zlib blob of another text: zlib's own check passes, the row's does not."""
    path, _ = built
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        arrival, aid = conn.execute("SELECT arrival, id FROM articles ORDER BY arrival "
                                    "LIMIT 1").fetchone()
        conn.execute("UPDATE texts SET text = ? WHERE arrival = ?",
                     (zlib.compress(b"A forged text that was never added."), arrival))
    with Index.open(path) as index:
        with pytest.raises(IndexFormatError, match=f"stored text of {aid!r} fails its checksum"):
            index.text(aid)


STALE_ROWS = {
    "header": ("UPDATE header SET value = replace(value, '\"threshold\":0.8', "
               "'\"threshold\":0.7') WHERE key = 'config' AND value LIKE '%\"threshold\":0.8,%'",
               "header entry 'config' fails"),
    "chrome": ("UPDATE chrome SET count = count + 7 WHERE key = (SELECT min(key) FROM chrome)",
               "a chrome-line count fails its checksum"),
    "shingles": ("UPDATE shingles SET hashes = CAST(substr(hashes, 5) || substr(hashes, 1, 4) "
                 "AS BLOB) "
                 "WHERE arrival = (SELECT min(arrival) FROM shingles)",
                 "the shingles of arrival 0 fail their checksum"),
}


@pytest.mark.parametrize("table", sorted(STALE_ROWS))
def test_a_row_changed_under_a_stale_checksum_is_an_error(built, tmp_path, table):
    """A well-formed value that is not the one written (the stored threshold, a chrome
    count, a shingle set rotated): only the row's checksum can tell."""
    path, _ = built
    if table == "shingles":  # only verify="exact" stores shingle sets
        path = str(tmp_path / "exact.db")
        with Index.open(path, config=Config(verify="exact")) as index:
            index.add_many(corpus(2, stories=6))
    sql, message = STALE_ROWS[table]
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute(sql).rowcount == 1
    with pytest.raises(IndexFormatError, match=message):
        Index.open(path)


def row_spans(path: str) -> dict[str, list[tuple[int, int]]]:
    """Where in the file each cluster row's ``original`` and checksum and each stored
    text lie (byte ranges), found by their bytes as SQLite's record format writes them."""
    data = open(path, "rb").read()
    spans: dict[str, list[tuple[int, int]]] = {"cluster": [], "text": []}
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        for original, notes, checksum in conn.execute(
                "SELECT original, notes, checksum FROM clusters"):
            if original <= 1:
                continue  # 0 and 1 live in the record header, not in its body
            width = 1 if original < 128 else 2 if original < 32768 else 3
            body = original.to_bytes(width, "big") + notes.encode() \
                + checksum.to_bytes(8, "big", signed=True)
            at = data.find(body)
            assert at > 0 and data.find(body, at + 1) < 0
            spans["cluster"] += [(at, at + width), (len(body) - 8 + at, at + len(body))]
        for (blob,) in conn.execute("SELECT text FROM texts"):
            at = data.find(blob)
            assert at > 0
            spans["text"].append((at, at + len(blob)))
    return spans


@pytest.mark.parametrize("kind", ["cluster", "text"])
def test_a_bit_flip_in_a_cluster_row_or_a_stored_text_is_an_error(built, tmp_path, kind):
    """Flips aimed at cluster rows (their original, their checksum) and at stored texts:
    every one is an error, on open or when the text is read, never another answer."""
    path, expected = built
    data = open(path, "rb").read()
    spans = row_spans(path)[kind]
    assert len(spans) >= 10
    rng = random.Random(23)
    for trial in range(24):
        start, end = rng.choice(spans)
        copy = bytearray(data)
        copy[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
        flipped = tmp_path / f"{kind}{trial}.db"
        flipped.write_bytes(bytes(copy))
        with pytest.raises(IndexFormatError, match="fails its checksum|cannot be read|has a bad"):
            with Index.open(str(flipped), create=False) as index:
                export(index)


def test_max_docs_evicts_the_oldest_and_says_so(tmp_path):
    rng = random.Random(4)
    text = story(rng, VOCAB, 250)
    path = str(tmp_path / "a.db")
    with Index.open(path, max_docs=3) as index:
        index.add(Article(id="wire", text=text, source="Xinhua"))
        index.add(Article(id="copy1", text=edit(rng, VOCAB, text, 0.01)))
        for i in range(2):
            index.add(Article(id=f"other{i}", text=story(rng, VOCAB, 250)))
        assert len(index) == 3 and "wire" not in index
        verdict = index.get("copy1")
        assert verdict.original == "copy1"
        assert any("original 'wire' was evicted (retention: max_docs=3); 'copy1' re-chosen"
                   in w for w in verdict.why)
        before = export(index)
    with Index.open(path) as index:
        assert export(index) == before


def test_max_age_evicts_by_the_clock(tmp_path):
    now = [1000.0]
    rng = random.Random(5)
    index = Index(max_age=timedelta(hours=1), clock=lambda: now[0])
    index.add(Article(id="old", text=story(rng, VOCAB, 200)))
    now[0] += 1800
    index.add(Article(id="middle", text=story(rng, VOCAB, 200)))
    now[0] += 2400
    index.add(Article(id="new", text=story(rng, VOCAB, 200)))
    assert "old" not in index and "middle" in index and "new" in index


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_eviction_compacts_memory_and_keeps_verdicts_right(monkeypatch, tmp_path, backend):
    monkeypatch.setattr("dedup.storage.memory_store._MIN_COMPACT", 20)
    rng = random.Random(6)
    path = str(tmp_path / "a.db")
    index = Index(max_docs=30) if backend == "memory" else Index.open(path, max_docs=30)
    texts = [story(rng, VOCAB, 120) for _ in range(150)]
    with index.batch():  # compactions renumber slots while writes wait for the commit
        for i, text in enumerate(texts[:100]):
            index.add(Article(id=f"a{i}", text=text))
            if i % 7 == 0:
                index.add(Article(id=f"a{i}copy", text=edit(rng, VOCAB, text, 0.01)))
    for i, text in enumerate(texts[100:], start=100):
        index.add(Article(id=f"a{i}", text=text))
    if backend == "sqlite":
        before = export(index)
        index.close()
        index = Index.open(path, max_docs=30)
        assert export(index) == before
    store = index._store
    assert len(index) == 30 and len(store._docs) < 90  # dead slots were reclaimed
    assert len(store._groups) <= 30  # and so were the evicted clusters
    for i in range(120, 150):  # the kept ones are still found, through the rebuilt tables
        verdict = index.query(Article(id=f"q{i}", text=edit(rng, VOCAB, texts[i], 0.01)))
        assert verdict.original == f"a{i}"
    assert index.query(Article(id="q0", text=texts[0])).cluster is None


def test_bad_records_are_not_stored(tmp_path):
    path = str(tmp_path / "a.db")
    with Index.open(path) as index:
        index.add(Article(id="a", text="some words to keep here"))
        with pytest.raises(BadRecord, match="duplicate id"):
            index.add(Article(id="a", text="other words"))
    with Index.open(path) as index:
        assert len(index) == 1 and index.text("a") == "some words to keep here"


def test_vacuum_and_stats(built):
    path, expected = built
    facts = describe_file(path)
    assert facts["articles"] == len(expected) and facts["format_version"] == FORMAT_VERSION
    assert facts["clusters_with_copies"] == len({v["cluster"] for v, _ in expected
                                                 if v["duplicate"]})
    before, after = vacuum(path)
    assert after <= before
    with Index.open(path) as index:
        assert export(index) == expected


def test_an_index_without_texts(tmp_path):
    path = str(tmp_path / "a.db")
    with Index.open(path, keep_text=False) as index:
        index.add(Article(id="a", text="some words to keep here"))
        assert index.text("a") is None
    shutil.copy(path, tmp_path / "b.db")
    with Index.open(str(tmp_path / "b.db")) as index:
        assert index.text("a") is None and len(index) == 1


def joined_as(index: Index, a: str, b: str) -> str | None:
    """The relation of whichever of two articles is the other's copy (None: apart)."""
    copies = [v for v in (index.get(a), index.get(b)) if v.duplicate and
              v.original in (a, b)]
    return copies[0].relation if copies else None


def write_format_version(conn: sqlite3.Connection, version: int) -> None:
    """Set the header's format version, with its checksum, as that format wrote it."""
    conn.execute("UPDATE header SET value = ?, checksum = ? WHERE key = 'format_version'",
                 (str(version), _checksum("format_version", str(version))))


def refile_without_fine(conn: sqlite3.Connection) -> None:
    """Drop format 4's ``fine`` column and give every article the checksum a dedup
    before it computed (its row without fine passage keys)."""
    numbers = "numbers" if any(r[1] == "numbers" for r in
                               conn.execute("PRAGMA table_info(articles)")) else "x''"
    rows = conn.execute("SELECT arrival, id, cluster, added, meta, signature, size, "
                        f"content_hash, passages, {numbers} FROM articles").fetchall()
    conn.execute("ALTER TABLE articles DROP COLUMN fine")
    conn.executemany("UPDATE articles SET checksum = ? WHERE arrival = ?",
                     [(_article_checksum(*row), row[0]) for row in rows])


def test_a_format_3_index_opens_and_its_articles_are_judged_by_their_passages(tmp_path):
    """Format 3 had no fine passage keys (issue 15): its articles load with none, and a
    short edited copy of one is judged on the passages, as that dedup judged it; the
    file gains the column when opened for writing, and the articles added from then
    on keep their fine passages across a reopen."""
    (wire, copy), (wire2, copy2), (wire3, copy3) = (short_edited_pair(s, VOCAB)
                                                    for s in (3, 6, 8))
    path = str(tmp_path / "old.db")
    with Index.open(path) as index:
        before = index.add(Article(id="wire", text=wire)).to_dict()
        assert len(index._store.probe(index._store.slot("wire")).fine)
    conn = sqlite3.connect(path)  # make it the file format 3 wrote
    refile_without_fine(conn)
    write_format_version(conn, 3)
    conn.commit()
    conn.close()
    with Index.open(path, readonly=True) as index:
        assert [v.to_dict() for v in index.verdicts()] == [before]
        assert not len(index._store.probe(index._store.slot("wire")).fine)
    assert describe_file(path)["format_version"] == 3
    with Index.open(path) as index:
        assert not index.add(Article(id="copy", text=copy)).duplicate  # passages: refused
        index.add(Article(id="wire2", text=wire2))
        index.add(Article(id="copy2", text=copy2))
        assert joined_as(index, "wire2", "copy2") == "edited"
        index.add(Article(id="wire3", text=wire3))
        kept = index._store.probe(index._store.slot("wire3")).fine.copy()
    assert describe_file(path)["format_version"] == FORMAT_VERSION
    with Index.open(path) as index:
        assert np.array_equal(index._store.probe(index._store.slot("wire3")).fine, kept)
        assert len(kept) and not len(index._store.probe(index._store.slot("wire")).fine)
        index.add(Article(id="copy3", text=copy3))
        assert joined_as(index, "wire3", "copy3") == joined_as(index, "wire2", "copy2") == \
            "edited"


def test_a_format_1_index_opens_and_is_upgraded_for_writing(tmp_path):
    """Format 1 had no number keys: its articles load with none (the number check
    lets them through) and the file gains the column when opened for writing."""
    rng = random.Random(21)
    texts = [story(rng, VOCAB, 250) for _ in range(3)]
    path = str(tmp_path / "old.db")
    with Index.open(path) as index:
        before = [index.add(Article(id=f"a{i}", text=t)).to_dict() for i, t in enumerate(texts)]
    conn = sqlite3.connect(path)  # make it the file format 1 wrote (no digits: no numbers)
    conn.execute("ALTER TABLE articles DROP COLUMN numbers")
    refile_without_fine(conn)
    write_format_version(conn, 1)
    conn.commit()
    conn.close()
    with Index.open(path, readonly=True) as index:
        assert [v.to_dict() for v in index.verdicts()] == before
    assert describe_file(path)["format_version"] == 1
    with Index.open(path) as index:
        trimmed = " ".join(texts[1].split()[:230])  # shorter: a1 stays the original
        copy = index.add(Article(id="copy", text=trimmed + " 12 34 56"))
        assert copy.original == "a1"
    assert describe_file(path)["format_version"] == FORMAT_VERSION
    with Index.open(path) as index:
        after = [v.to_dict() for v in index.verdicts()]
        assert after[0] == before[0] and after[2] == before[2]
        assert after[1]["why"][0] == "original of 1 copy" and after[3]["original"] == "a1"


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_id_whose_hash_another_id_holds_is_kept_apart(backend, tmp_path):
    """Ids map to slots by a 64-bit hash; an id whose hash is taken (two ids of one
    hash: made here by planting 'b''s hash on 'a''s slot) is kept in a map of its
    own, through lookups, removal, compaction and a reopen."""
    rng = random.Random(11)
    path = str(tmp_path / "a.db")
    index = Index() if backend == "memory" else Index.open(path)
    index.add(Article(id="a", text=story(rng, VOCAB, 200)))
    store = index._store
    assert store._ids.insert("b", store.slot("a"))  # 'b''s hash now names a's slot
    assert "b" not in index and store.slot("b") is None
    index.add(Article(id="b", text=story(rng, VOCAB, 200)))
    index.add(Article(id="c", text=story(rng, VOCAB, 200)))
    assert store._id_overflow == {"b": store.slot("b")}
    assert [index.get(i).id for i in "abc"] == ["a", "b", "c"] and len(index) == 3
    with pytest.raises(BadRecord, match="duplicate id"):
        index.add(Article(id="b", text="some other words for it"))
    if backend == "sqlite":
        index.close()  # the snapshot keeps the overflow
        index = Index.open(path)
        assert index.stats()["opened_from"] == "snapshot"
        store = index._store
        assert store._id_overflow == {"b": store.slot("b")}
    assert index.remove("b") and "b" not in index and not index._store._id_overflow
    assert index.get("a").id == "a" and len(index) == 2
    index.close()


def test_a_merge_rewrites_moved_rows_with_their_fingerprints_as_added(tmp_path):
    """Memory keeps less of an article's fingerprints than the file does (passage
    keys' top 32 bits): a merge that moves articles written in earlier commits
    rewrites their rows from the file, not from memory, so the file still holds the
    passage keys as computed and a reopen from the rows answers as before."""
    from dedup.prepare import Preparer

    words = story(random.Random(12), VOCAB, 600).split()
    head, tail, wire = " ".join(words[:450]), " ".join(words[150:]), " ".join(words)
    path = str(tmp_path / "a.db")
    with Index.open(path) as index:
        index.add(Article(id="head", text=head, source="Site A"))
        index.add(Article(id="tail", text=tail, source="Site B"))  # its own cluster
        verdict = index.add(Article(id="wire", text=wire, source="AP"))
        assert verdict.merged  # head's and tail's clusters, both written before
        expected = export(index)
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT id, passages FROM articles").fetchall())
    conn.close()
    prepared = Preparer(Config(), WireRegistry.default()).run([head, tail, wire])
    for i, aid in enumerate(["head", "tail", "wire"]):
        assert stored[aid] == prepared.passages(i).astype("<u8").tobytes()
    os.unlink(path + "-snapshot")
    with Index.open(path) as index:
        assert index.stats()["opened_from"].startswith("rows")
        assert export(index) == expected


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
@pytest.mark.parametrize("verify", ["estimate", "exact"])
def test_a_chunk_stored_at_once_is_stored_as_one_article_at_a_time(tmp_path, backend, verify):
    """`Store.add_docs` (a chunk of a batch) leaves each slot's metadata and
    fingerprints, and each id's slot, as `add_doc` of each article in turn does;
    the file written from it reopens to the same verdicts."""
    from dedup.prepare import Preparer
    from dedup.storage.store import Probe

    config = Config(verify=verify)
    articles = corpus(3, stories=12)
    prepared = Preparer(config, WireRegistry.default()).run([a.text for a in articles])
    rows = [i for i in range(len(articles)) if i % 5 != 2]  # a chunk's refusals leave gaps
    stores = []
    for name in ("one", "many"):
        index = Index(config) if backend == "memory" else \
            Index.open(str(tmp_path / f"{name}.db"), config=config)
        docs = [index._describe(articles[i], prepared, i, 0) for i in rows]
        store = index._store
        if name == "one":
            slots = [store.add_doc(d, Probe.of(prepared, i), articles[i].text)
                     for d, i in zip(docs, rows, strict=True)]
        else:
            slots = store.add_docs(docs, prepared, rows, [articles[i].text for i in rows])
        assert slots == list(range(len(rows)))
        for slot in slots:
            store.new_cluster(slot)
        stores.append((index, store))
    (one, a), (many, b) = stores
    assert [a.doc(s) for s in range(len(rows))] == [b.doc(s) for s in range(len(rows))]
    for s in range(len(rows)):
        pa, pb = a.probe(s), b.probe(s)
        assert (pa.size, pa.content_hash) == (pb.size, pb.content_hash)
        for field in ("sig", "passages", "numbers", "fine", "shingles"):
            x, y = getattr(pa, field), getattr(pb, field)
            assert (x is None) == (y is None) and (x is None or np.array_equal(x, y)), field
    assert all(b.slot(articles[i].id) == s for s, i in enumerate(rows))
    assert b.probe(0).fine.dtype == a.probe(0).fine.dtype
    if backend == "sqlite":
        for index in (one, many):
            index.close()
        reopened = [[v.to_dict() for v in Index.open(str(tmp_path / f"{n}.db"), config=config,
                                                     readonly=True).verdicts()]
                    for n in ("one", "many")]
        assert reopened[0] == reopened[1] and len(reopened[0]) == len(rows)


def test_stored_texts_are_deflated_in_zlibs_format_and_read_back_within_the_limit():
    """Texts are deflated by the core (sqlite_format.deflate_texts) in zlib's format,
    which the bounded reader and Python's zlib read back; a text over the limit is
    not stored (None), and a level outside 0-9 is refused."""
    from dedup import _core
    from dedup.storage.sqlite_format import deflate_texts, inflate_text

    texts = ["BEIJING, May 8 (Xinhua) -- 新华社北京5月8日电 " * 40, "", "short"]
    blobs = deflate_texts(texts)
    assert [inflate_text(b, "x.db", "a") for b in blobs] == texts
    assert [zlib.decompress(b).decode("utf-8") for b in blobs] == texts
    assert len(blobs[0]) < len(texts[0].encode("utf-8")) / 4
    assert _core.deflate_texts(["a" * 11, "b" * 10], 2, 10)[0] is None
    with pytest.raises(ValueError, match="0-9"):
        _core.deflate_texts(["x"], 10, 100)
