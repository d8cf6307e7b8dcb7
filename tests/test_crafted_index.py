"""Index files are input (issue 20, item 2): a crafted SQLite file must not hang,
lie or blow memory on open; each attack is an ``IndexFormatError`` that names the
file and what is wrong. The checksums are unkeyed, so every crafted row here
carries a valid one: the checks must hold without them."""

import json
import random
import sqlite3
import subprocess
import sys
import tracemalloc
import zlib

import pytest

from dedup import Article, Index
from dedup.errors import IndexFormatError
from dedup.storage.sqlite_store import _article_checksum, _checksum, _cluster_checksum

from .textgen import story, vocabulary

VOCAB = vocabulary()


@pytest.fixture
def built(tmp_path):
    """Three unrelated stories, so three clusters (arrivals 0, 1, 2)."""
    rng = random.Random(20)
    path = str(tmp_path / "index.db")
    with Index.open(path) as index:
        for i in range(3):
            assert index.add(Article(id=f"a{i}", text=story(rng, VOCAB, 200))).cluster == i + 1
    return path


def craft(path: str, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql, params) if params else conn.executescript(sql)
    conn.commit()
    conn.close()


def dedup(*args: str) -> subprocess.CompletedProcess:
    """The installed command; a hang is a failure (the timeout is a safety net, not a
    measured threshold: a good run takes a fraction of it)."""
    return subprocess.run([sys.executable, "-m", "dedup", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


# A recursive view that never yields a row and never ends, at constant memory.
FOREVER = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "


@pytest.mark.parametrize("table, columns", [
    ("header", "'format', 'dedup-index', 0"),
    ("articles", "n, 'x', 1, 0.0, x'', x'', 0, 0, x'', 0, x''")])
@pytest.mark.parametrize("command", [("index", "stats"), ("index", "export")])
def test_a_recursive_view_in_place_of_a_table_is_refused_not_run(built, table, columns,
                                                                 command):
    craft(built, f"DROP TABLE {table}; CREATE VIEW {table} AS {FOREVER}"
                 f"SELECT {columns} FROM r WHERE n = 0;")
    result = dedup(*command, built)
    assert result.returncode == 1, result.stderr
    assert (f"{built} is not a dedup index: its view {table!r} is not the table dedup "
            "creates") in result.stderr
    with pytest.raises(IndexFormatError, match="its view"):
        Index.open(built, readonly=True)


def test_a_trigger_that_ignores_inserts_is_refused_so_no_verdict_is_unstored(built):
    craft(built, "CREATE TRIGGER keep_out BEFORE INSERT ON articles "
                 "BEGIN SELECT RAISE(IGNORE); END;")
    line = json.dumps({"id": "new", "text": story(random.Random(1), VOCAB, 200)}) + "\n"
    result = subprocess.run([sys.executable, "-m", "dedup", "stream", "--index", built],
                            input=line, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""  # no verdict printed for an article that would not be stored
    assert (f"{built} is not a dedup index: it holds a trigger 'keep_out' that dedup never "
            "creates") in result.stderr


def test_a_trigger_that_deletes_texts_is_refused(built):
    craft(built, "CREATE TRIGGER wipe AFTER INSERT ON texts BEGIN DELETE FROM texts; END;")
    with pytest.raises(IndexFormatError, match="holds a trigger 'wipe'"):
        Index.open(built)


@pytest.mark.parametrize("extra", [
    "CREATE INDEX by_meta ON articles (meta)",
    "CREATE TABLE notes (x)",
    "CREATE VIEW everything AS SELECT * FROM articles"])
def test_any_object_dedup_does_not_create_is_refused(built, extra):
    craft(built, extra)
    name = extra.split()[2]
    with pytest.raises(IndexFormatError, match=f"{built} is not a dedup index: it holds a "
                                               f"(index|table|view) '{name}'"):
        Index.open(built, readonly=True)


def test_a_table_with_the_right_columns_but_other_rules_is_refused(built):
    """COLLATE NOCASE on the id would let 'A1' replace the stored 'a1' (a lie, not an
    error): the SQL must be dedup's, not only the names and types."""
    craft(built, """ALTER TABLE articles RENAME TO old;
        CREATE TABLE articles (
            arrival INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE COLLATE NOCASE,
            cluster INTEGER NOT NULL, added REAL NOT NULL, meta BLOB NOT NULL,
            signature BLOB NOT NULL, size INTEGER NOT NULL, content_hash INTEGER NOT NULL,
            passages BLOB NOT NULL, checksum INTEGER NOT NULL, numbers BLOB NOT NULL
            DEFAULT x'', fine BLOB NOT NULL DEFAULT x'');
        INSERT INTO articles SELECT * FROM old; DROP TABLE old;""")
    with pytest.raises(IndexFormatError, match="its table 'articles' is not the table dedup "
                                               "creates"):
        Index.open(built)


def test_schema_sql_is_never_trusted(built):
    with Index.open(built, readonly=True) as index:
        assert index._store._conn.execute("PRAGMA trusted_schema").fetchone() == (0,)


def test_a_zlib_bomb_in_texts_is_an_error_at_a_bounded_cost(built):
    inflated = 128 << 20  # 128 MiB of zeros in 128 KB: more than three times the bound
    deflater = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    blob = b"".join(deflater.compress(zeros) for _ in range(inflated >> 20)) + deflater.flush()
    assert len(blob) < inflated // 500
    conn = sqlite3.connect(built)
    arrival = conn.execute("SELECT arrival FROM articles WHERE id = 'a1'").fetchone()[0]
    conn.execute("UPDATE texts SET text = ?, checksum = ? WHERE arrival = ?",
                 (blob, _checksum(arrival, blob), arrival))
    conn.commit()
    conn.close()
    with Index.open(built, readonly=True) as index:
        assert len(index.text("a0")) > 200
        tracemalloc.start()
        try:
            with pytest.raises(IndexFormatError) as caught:
                index.text("a1")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert str(caught.value) == (f"{built} is corrupted: the stored text of 'a1' inflates to "
                                 "over 41,943,040 bytes (the most a stored text may have); "
                                 "refusing to read it")
    assert peak < inflated // 2  # bounded by the limit, not by what the blob inflates to
    result = dedup("index", "export", built, "--with-text")
    assert result.returncode == 1 and "the stored text of 'a1' inflates to over" in result.stderr


def rewrite_article(path: str, article_id: str, **values) -> None:
    """Set columns of one article and give the row a valid checksum, as a forger would."""
    conn = sqlite3.connect(path)
    columns = ("arrival", "id", "cluster", "added", "meta", "signature", "size",
               "content_hash", "passages", "numbers", "fine")
    row = dict(zip(columns, conn.execute(f"SELECT {', '.join(columns)} FROM articles "
                                         "WHERE id = ?", (article_id,)).fetchone(), strict=True))
    old_arrival = row["arrival"]
    row.update(values)
    crc = _article_checksum(*(row[c] for c in columns))
    conn.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, checksum = ? "
                 "WHERE arrival = ?", (*(row[c] for c in columns), crc, old_arrival))
    conn.commit()
    conn.close()


def set_header(path: str, key: str, value: str) -> None:
    craft(path, "UPDATE header SET value = ?, checksum = ? WHERE key = ?",
          params=(value, _checksum(key, value), key))


@pytest.mark.parametrize("column, value, shown", [
    ("size", -1, "size (-1)"), ("size", 1 << 40, "size (1099511627776)"),
    ("cluster", -5, "cluster (-5)"), ("cluster", 1 << 40, "cluster (1099511627776)"),
    ("arrival", -3, "arrival (-3)"), ("added", float("inf"), "added (Inf)"),
    ("size", "twelve", "size ('twelve')"), ("signature", b"\x00" * 12, "signature (X'000000")])
def test_a_stored_number_out_of_range_is_a_format_error(built, column, value, shown):
    rewrite_article(built, "a1", **{column: value})
    with pytest.raises(IndexFormatError) as caught:
        Index.open(built, readonly=True)
    assert str(caught.value).startswith(f"{built} is corrupted: article 'a1' ")
    assert f"has a bad {shown}" in str(caught.value)


def test_a_huge_cluster_id_with_matching_counters_opens_without_a_giant_allocation(built):
    """The counters raised too, so the id is in range: it must not size an array."""
    huge = 1 << 39
    set_header(built, "next_arrival", str(huge + 10))
    set_header(built, "next_cluster", str(huge + 1))
    conn = sqlite3.connect(built)
    old = conn.execute("SELECT cluster FROM articles WHERE id = 'a1'").fetchone()[0]
    notes = conn.execute("SELECT notes FROM clusters WHERE id = ?", (old,)).fetchone()[0]
    original = conn.execute("SELECT original FROM clusters WHERE id = ?", (old,)).fetchone()[0]
    conn.execute("UPDATE clusters SET id = ?, checksum = ? WHERE id = ?",
                 (huge, _cluster_checksum(huge, original, notes), old))
    conn.commit()
    conn.close()
    rewrite_article(built, "a1", cluster=huge)
    tracemalloc.start()
    try:
        with Index.open(built, readonly=True) as index:
            peak = tracemalloc.get_traced_memory()[1]
            verdict = index.get("a1")
    finally:
        tracemalloc.stop()
    assert (verdict.id, verdict.cluster, verdict.original) == ("a1", huge, "a1")
    assert peak < 50 << 20


@pytest.mark.parametrize("key, value, shown", [
    ("next_arrival", "-1", "the header's next_arrival is -1"),
    ("next_arrival", str(1 << 62), f"the header's next_arrival is {1 << 62}"),
    ("next_cluster", "0", "the header's next_cluster is 0"),
    ("next_cluster", "99", "the header's next_cluster is 99"),  # past next_arrival + 1
    ("chrome_seen", "many", "the header's chrome_seen is 'many'")])
def test_a_header_counter_out_of_range_is_a_format_error(built, key, value, shown):
    set_header(built, key, value)
    with pytest.raises(IndexFormatError, match=f"{built} is corrupted: {shown}, not an integer"):
        Index.open(built, readonly=True)


def test_a_cluster_whose_original_is_not_stored_is_a_format_error(built):
    conn = sqlite3.connect(built)
    cid, notes = conn.execute("SELECT id, notes FROM clusters LIMIT 1").fetchone()
    conn.execute("UPDATE clusters SET original = 2, checksum = ? WHERE id = ?",
                 (_cluster_checksum(cid, 2, notes), cid))
    conn.execute("DELETE FROM articles WHERE arrival = 2")
    conn.commit()
    conn.close()
    with pytest.raises(IndexFormatError, match="original \\(arrival 2\\) is not a stored"):
        Index.open(built, readonly=True)


@pytest.mark.parametrize("sql, row, shown", [
    ("UPDATE clusters SET id = ?, checksum = ? WHERE id = 1",
     lambda notes: (-7, _cluster_checksum(-7, 0, notes)), "cluster -7 has a bad id (-7)"),
    ("UPDATE clusters SET original = ?, checksum = ? WHERE id = 1",
     lambda notes: (-1, _cluster_checksum(1, -1, notes)),
     "cluster 1 has a bad original (-1)"),
    ("INSERT INTO chrome (key, count, last_seen, witnesses, checksum) VALUES (?, ?, ?, ?, ?)",
     lambda notes: (5, -2, 0, b"", _checksum(5, -2, 0, b"")),
     "the chrome-line count 5 has a bad count (-2)"),
    ("INSERT INTO chrome (key, count, last_seen, witnesses, checksum) VALUES (?, ?, ?, ?, ?)",
     lambda notes: (5, 1, 1 << 50, b"", _checksum(5, 1, 1 << 50, b"")),
     f"the chrome-line count 5 has a bad last_seen ({1 << 50})")])
def test_a_cluster_or_chrome_number_out_of_range_is_a_format_error(built, sql, row, shown):
    conn = sqlite3.connect(built)
    notes = conn.execute("SELECT notes FROM clusters WHERE id = 1").fetchone()[0]
    conn.execute(sql, row(notes))
    conn.commit()
    conn.close()
    with pytest.raises(IndexFormatError) as caught:
        Index.open(built, readonly=True)
    assert str(caught.value) == (f"{built} is corrupted: {shown}; restore it from a backup or "
                                 "rebuild it")


def test_the_schemas_older_formats_wrote_and_their_upgrades_still_open(built):
    """Format 2's chrome table (no last_seen, no witnesses), as that dedup created it:
    accepted read-only, then upgraded by ALTER TABLE, whose rewritten SQL is accepted too."""
    craft(built, "DROP TABLE chrome; CREATE TABLE chrome (key INTEGER PRIMARY KEY, count "
                 "INTEGER NOT NULL, checksum INTEGER NOT NULL);")
    set_header(built, "format_version", "2")
    with Index.open(built, readonly=True) as index:
        assert len(index) == 3
    with Index.open(built) as index:  # upgraded for writing
        index.add(Article(id="later", text=story(random.Random(3), VOCAB, 200)))
    sql = sqlite3.connect(built).execute(
        "SELECT sql FROM sqlite_master WHERE name = 'chrome'").fetchone()[0]
    assert sql.endswith("last_seen INTEGER NOT NULL DEFAULT 0, witnesses BLOB NOT NULL "
                        "DEFAULT x'')")  # as ALTER TABLE wrote it, not as dedup creates it
    with Index.open(built, readonly=True) as index:
        assert len(index) == 4
