"""An index file's snapshot: the in-memory state written at a clean close, read back
on the next open of the file as it is, and never trusted otherwise."""

import os
import random
import shutil
import subprocess
import sys
import textwrap

import pytest

from dedup import Article, Index, IndexFormatError
from dedup.storage.snapshot import SnapshotDamaged, file_stamp, open_snapshot, snapshot_path
from dedup.storage.sqlite_files import describe_file

from .test_store import corpus, export
from .textgen import edit, story, vocabulary

VOCAB = vocabulary()


def opened_from(path: str, **kwargs) -> tuple[str, list]:
    with Index.open(path, **kwargs) as index:
        return index.stats()["opened_from"], export(index)


@pytest.fixture
def closed(tmp_path):
    """An index file closed cleanly (so with its snapshot), its export, and the
    articles that were not added yet."""
    path = str(tmp_path / "news.db")
    articles = corpus(7, stories=50)
    with Index.open(path) as index:
        index.add_many(articles[:70])
        for article in articles[70:80]:
            index.add(article)
        index.remove(articles[3].id)  # a dead slot and a re-chosen original, maybe
        expected = export(index)
    return path, expected, articles[80:]


def test_a_cleanly_closed_index_reopens_from_its_snapshot(closed):
    path, expected, _ = closed
    assert os.path.getsize(snapshot_path(path)) > 0
    how, got = opened_from(path)
    assert how == "snapshot" and got == expected
    how, got = opened_from(path, readonly=True)
    assert how == "snapshot" and got == expected


def test_the_snapshot_and_the_rows_give_the_same_answers_from_then_on(closed, tmp_path):
    path, expected, later = closed
    rows_path = str(tmp_path / "copy.db")
    shutil.copy(path, rows_path)  # no snapshot beside the copy: it is read from rows
    with Index.open(path) as snap, Index.open(rows_path) as rows:
        assert snap.stats()["opened_from"] == "snapshot"
        assert rows.stats()["opened_from"].startswith("rows")
        assert export(snap) == export(rows) == expected
        # single adds, a batch, a removal: the same verdicts, events included
        assert [snap.add(a).to_dict() for a in later[:10]] == \
            [rows.add(a).to_dict() for a in later[:10]]
        assert [v.to_dict() for v in snap.add_many(later[10:])] == \
            [v.to_dict() for v in rows.add_many(later[10:])]
        assert snap.remove(later[0].id) and rows.remove(later[0].id)
        probe = Article(id="q", text=edit(random.Random(1), VOCAB, later[1].text, 0.02))
        assert snap.query(probe).to_dict() == rows.query(probe).to_dict()
        assert export(snap) == export(rows)
        assert snap.site_chrome() == rows.site_chrome()


def test_a_snapshot_of_an_earlier_state_is_not_used(closed):
    path, _, later = closed
    old = snapshot_path(path) + ".old"
    shutil.copy(snapshot_path(path), old)
    with Index.open(path) as index:
        index.add(later[0])
        expected = export(index)
    os.replace(old, snapshot_path(path))  # the snapshot from before that add
    how, got = opened_from(path)
    assert how == "rows (no snapshot of the file as it is)"
    assert got == expected


def test_a_process_killed_after_a_commit_leaves_a_stale_snapshot_that_is_not_used(closed):
    """The add is committed (acknowledged) and the process dies without closing: the
    snapshot beside the file is of the state before the add."""
    path, expected, later = closed
    code = textwrap.dedent(f"""
        import os
        from dedup import Article, Index, IndexFormatError
        index = Index.open({path!r})
        verdict = index.add(Article(id="late", text={later[0].text!r}))
        print(verdict.original, flush=True)
        os._exit(0)  # no close: as kill -9 after the add returned
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip()
    how, got = opened_from(path)
    assert how.startswith("rows")
    assert [v["id"] for v, _ in got] == [v["id"] for v, _ in expected] + ["late"]
    assert opened_from(path)[0] == "snapshot"  # that clean close wrote a new one


def test_a_file_changed_by_something_else_is_read_from_its_rows(closed):
    """Another program writing the file (not through dedup) changes its stamp: the rows
    are read and checked, so a tampered row is found, not hidden by the snapshot."""
    import sqlite3
    path, _, _ = closed
    conn = sqlite3.connect(path)
    conn.execute("UPDATE clusters SET notes = '[\"tampered\"]' WHERE id = "
                 "(SELECT min(id) FROM clusters)")
    conn.commit()
    conn.close()
    with pytest.raises(IndexFormatError, match="fails its checksum"):
        Index.open(path)


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_snapshot_is_set_aside_and_the_rows_are_read(closed, damage):
    path, expected, later = closed
    snap = snapshot_path(path)
    size = os.path.getsize(snap)
    with open(snap, "r+b") as f:
        if damage == "flip":  # a bit in the middle of the arrays
            f.seek(size // 2)
            byte = f.read(1)[0]
            f.seek(size // 2)
            f.write(bytes([byte ^ 0x10]))
        elif damage == "truncate":
            f.truncate(size // 2)
        elif damage == "garbage":
            f.write(b"this is not a snapshot at all" * 10)
        else:
            f.truncate(0)
    with Index.open(path) as index:
        how = index.stats()["opened_from"]
        assert how.startswith(f"rows (the snapshot {snap} is damaged")
        assert export(index) == expected
        index.add(later[0])  # and it goes on working
    assert opened_from(path)[0] == "snapshot"


def test_open_snapshot_names_what_is_wrong(closed):
    path, _, _ = closed
    snap = snapshot_path(path)
    with Index.open(path, readonly=True) as index:
        generation = index._store._generation
    stamp = file_stamp(path)
    with open_snapshot(snap, generation, stamp) as opened:
        assert opened.state["slots"] >= 1
    assert open_snapshot(snap, "another generation", stamp) is None
    assert open_snapshot(snap + ".missing", generation, stamp) is None
    with open(snap, "r+b") as f:
        f.write(b"NOTASNAP")
    with pytest.raises(SnapshotDamaged, match="not a dedup snapshot"):
        open_snapshot(snap, generation, stamp)


def test_a_read_only_open_or_a_failed_write_leaves_the_snapshot_alone(closed):
    path, _, _ = closed
    snap = snapshot_path(path)
    before = os.stat(snap).st_mtime_ns
    Index.open(path, readonly=True).close()
    Index.open(path).close()  # nothing changed: the snapshot is current already
    assert os.stat(snap).st_mtime_ns == before


def test_an_unwritable_snapshot_costs_only_time(closed, monkeypatch):
    path, expected, later = closed
    os.unlink(snapshot_path(path))

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dedup.storage.sqlite_store.snapshot_write", refuse)
    with Index.open(path) as index:
        index.add(later[0])
        expected = export(index)
    assert not os.path.exists(snapshot_path(path))
    monkeypatch.undo()
    how, got = opened_from(path)
    assert how.startswith("rows") and got == expected


def test_an_index_from_before_generations_gets_one_when_closed(tmp_path):
    """A file whose header has no generation (written by dedup before format 5) is
    read from its rows, and a clean close gives it a generation and a snapshot."""
    import sqlite3
    path = str(tmp_path / "old.db")
    rng = random.Random(2)
    with Index.open(path) as index:
        index.add(Article(id="a", text=story(rng, VOCAB, 200)))
        expected = export(index)
    os.unlink(snapshot_path(path))
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM header WHERE key = 'generation'")
    conn.commit()
    conn.close()
    assert opened_from(path, readonly=True)[0].startswith("rows")
    how, got = opened_from(path)
    assert how.startswith("rows") and got == expected
    assert opened_from(path)[0] == "snapshot"


def test_stats_say_how_the_index_was_opened(closed):
    path, expected, _ = closed
    facts = describe_file(path)
    assert facts["snapshot_bytes"] == os.path.getsize(snapshot_path(path))
    with Index.open(path, readonly=True) as index:
        stats = index.stats()
        assert stats["opened_from"] == "snapshot"
        assert stats["snapshot_bytes"] == facts["snapshot_bytes"]
        assert stats["articles"] == len(expected)
