"""What a new user trips over (issue 18), item by item: ids across folders, raw tracebacks
where an index or output cannot be, unchecked ``Article`` fields, explain and batch on a pair,
``dedup report`` on the wrong input, the test quick start and skip messages, a missing path.
Run as a user would: CliRunner and the installed ``dedup`` command. (The README's commands
are checked in ``test_readme.py``.)"""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import Article, BadRecord, Index, StoreError
from dedup.cli import EXIT_SKIPPED, cli

from .conftest import mount_tmpfs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


STORY_A = "The mayor opened a new bridge over the river on Monday morning after two years of work."
STORY_B = "A storm closed the harbour and the ferries stayed in port all day while the wind rose."


# -- 1. the same file name in two folders ---------------------------------------------------

def test_same_file_name_in_two_folders_keeps_both_articles(tmp_path):
    for site, story in (("siteA", STORY_A), ("siteB", STORY_B)):
        (tmp_path / site).mkdir()
        (tmp_path / site / "story.txt").write_text(story, "utf-8")
    result = run("batch", str(tmp_path / "siteA"), str(tmp_path / "siteB"))
    assert result.exit_code == 0, result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [
        "siteA/story.txt", "siteB/story.txt"]
    again = run("batch", str(tmp_path / "siteA"), str(tmp_path / "siteB"))
    assert again.stdout == result.stdout  # the same ids on every run


def test_one_folder_keeps_ids_relative_to_it(tmp_path):
    (tmp_path / "siteA").mkdir()
    (tmp_path / "siteA" / "story.txt").write_text(STORY_A, "utf-8")
    result = run("batch", str(tmp_path / "siteA"))
    assert json.loads(result.stdout)["id"] == "story.txt"


def test_a_real_duplicate_id_names_both_places(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"id": "x", "text": STORY_A}), "utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"id": "x", "text": STORY_B}), "utf-8")
    result = run("batch", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.exit_code == EXIT_SKIPPED
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["x"]
    assert (f"error: {tmp_path / 'b.json'}: id 'x': duplicate id: the first record with it was "
            f"read from {tmp_path / 'a.json'}") in result.stderr


# -- 2. an index where none can be: one line, exit 1, a StoreError -------------------------

def dedup_command(*args, input=None, cwd=None):
    """The installed command, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "dedup", *args], input=input, cwd=cwd,
                          capture_output=True, timeout=300)


def one_line_error(result) -> str:
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Traceback" not in err and "sqlite3" not in err, err
    [line] = [x for x in err.splitlines() if x.startswith("Error:")]
    return line


MISSING = ("Error: cannot create the index missing/dir/x.db: the folder missing/dir does not "
           "exist; create it first (mkdir -p missing/dir)")


def test_an_index_in_a_missing_folder_is_one_line_and_exit_1(tmp_path):
    batch = dedup_command("batch", str(EXAMPLES / "wires"), "--index", "missing/dir/x.db",
                          cwd=tmp_path)
    assert one_line_error(batch) == MISSING
    stream = dedup_command("stream", "--index", "missing/dir/x.db", cwd=tmp_path,
                           input=json.dumps({"text": STORY_A}).encode() + b"\n")
    assert one_line_error(stream) == MISSING
    assert not (tmp_path / "missing").exists()


def test_index_open_raises_store_errors_naming_the_path(tmp_path):
    with pytest.raises(StoreError, match="the folder .*missing/dir does not exist"):
        Index.open(str(tmp_path / "missing" / "dir" / "x.db"))
    folder = tmp_path / "folder"
    folder.mkdir()
    for readonly in (False, True):
        with pytest.raises(StoreError, match=f"{folder} is a folder; give the index a file name"):
            Index.open(str(folder), readonly=readonly)


@pytest.fixture
def read_only_mount(tmp_path):
    """A tmpfs holding an index of the examples' wires, remounted read-only."""
    mount = tmp_path / "ro"
    mount.mkdir()
    mount_tmpfs(mount, "4M")
    try:
        assert dedup_command("batch", str(EXAMPLES / "wires"), "--index",
                             str(mount / "news.db")).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_read_only_file_system_is_one_line_for_writers_and_readable(read_only_mount):
    for name, verb in (("news.db", "open"), ("new.db", "create")):
        line = one_line_error(dedup_command("batch", str(EXAMPLES / "sites"), "--index",
                                            str(read_only_mount / name)))
        assert line == (f"Error: cannot {verb} the index {read_only_mount / name}: "
                        f"{read_only_mount} is on a read-only file system; put the index on a "
                        f"writable one (an existing index can still be read: dedup index "
                        f"export, dedup report --index)")
    export = dedup_command("index", "export", str(read_only_mount / "news.db"))
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 5
    stats = dedup_command("index", "stats", str(read_only_mount / "news.db"), "--json")
    assert json.loads(stats.stdout)["articles"] == 5


def test_creating_an_index_on_a_full_disk_is_one_line(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    mount_tmpfs(mount, "1M")
    try:
        with open(mount / "filler", "wb") as fh:  # fill the disk
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
        line = one_line_error(dedup_command("batch", str(EXAMPLES / "wires"), "--index",
                                            str(mount / "x.db")))
        assert line == f"Error: cannot create the index {mount / 'x.db'}: database or disk is full"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_report_into_a_missing_folder_or_on_a_full_disk_is_one_line_and_no_page(tmp_path):
    line = one_line_error(dedup_command("report", str(EXAMPLES), "-o", "missing/dir/r.html",
                                        cwd=tmp_path))
    assert line == ("Error: cannot write missing/dir/r.html: the folder missing/dir does not "
                    "exist; create it first (mkdir -p missing/dir)")
    mount = tmp_path / "full"
    mount.mkdir()
    mount_tmpfs(mount, "64k")  # smaller than the page
    try:
        line = one_line_error(dedup_command("report", str(EXAMPLES), "-o", str(mount / "r.html")))
        assert line == f"Error: cannot write {mount / 'r.html'}: No space left on device"
        assert list(mount.iterdir()) == []  # neither a half-written page nor its temporary file
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("batch", str(EXAMPLES)), ("stream",),
                                  ("trace", str(EXAMPLES / "sites"), "--against",
                                   str(EXAMPLES / "wires"))])
def test_output_onto_a_full_disk_is_one_line(args):
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "dedup", *args], stdout=full,
                                input=json.dumps({"text": STORY_A}).encode(),
                                stderr=subprocess.PIPE, timeout=300)
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[-1] == \
        "Error: cannot write the output: No space left on device"
    assert "Traceback" not in result.stderr.decode()


def test_the_reasons_name_what_the_file_system_refuses(tmp_path, monkeypatch):
    from dedup.filesystem import path_problem

    index = tmp_path / "news.db"
    index.write_bytes(b"")
    assert path_problem(str(index), writing=True) is None
    monkeypatch.setattr(os, "access", lambda path, mode: not (mode & os.W_OK))  # as non-root
    assert path_problem(str(index), writing=False) is None  # reading needs no write access
    assert path_problem(str(index), writing=True) == (
        f"no permission to write in the folder {tmp_path} (the index keeps its -wal file "
        "beside it)")
    monkeypatch.setattr(os, "access", lambda path, mode: path != str(index))
    assert path_problem(str(index), writing=False) == f"no permission to read {index}"


@pytest.mark.skipif(IS_ROOT, reason="root writes whatever the permissions (CI runs as root); "
                    "the read-only file system test covers refused writes there")
def test_no_permission_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = one_line_error(dedup_command("batch", str(EXAMPLES / "wires"), "--index",
                                            str(locked / "x.db")))
        assert line == (f"Error: cannot create the index {locked / 'x.db'}: no permission to "
                        f"write in the folder {locked} (the index keeps its -wal file beside it)")
    finally:
        locked.chmod(0o755)


# -- 3. Article checks its fields -----------------------------------------------------------

def test_article_accepts_an_iso_8601_published_string_as_json_input_does():
    article = Article(id="a", text=STORY_A, published="2025-05-08T09:53:00+08:00")
    assert article.published.isoformat() == "2025-05-08T01:53:00+00:00"
    assert Article(id="b", text=STORY_A, published="2025-05-08T09:53:00").published.hour == 9
    assert Article(id="c", text=STORY_A, published="").published is None
    assert Index().add(article).published == "2025-05-08T01:53:00Z"


ISO_HINT = "2025-05-08T09:53:00+08:00"


@pytest.mark.parametrize(("fields", "message"), [
    ({"text": 123}, """id 'a': "text" must be a string, got int (123)"""),
    ({"text": None}, """id 'a': "text" must be a string, got NoneType (None)"""),
    ({"id": 7}, """"id" must be a string, got int (7)"""),
    ({"source": ["AP"]}, """id 'a': "source" must be a string or None, got list (['AP'])"""),
    ({"published": "yesterday"},
     f"""id 'a': "published" is not an ISO 8601 date ('yesterday'); use e.g. {ISO_HINT}"""),
    ({"published": 1746668000},
     f"""id 'a': "published" must be a datetime or an ISO 8601 string (e.g. {ISO_HINT}), """
     "got int (1746668000)"),
])
def test_a_wrong_field_type_is_a_bad_record_naming_the_field(fields, message):
    with pytest.raises(BadRecord) as caught:
        Article(**{"id": "a", "text": STORY_A, **fields})
    assert str(caught.value) == message


def test_an_in_memory_index_keeps_texts_when_asked():
    article = Article(id="a", text=STORY_A)
    plain, keeping = Index(), Index(keep_text=True)
    plain.add(article)
    keeping.add(article)
    assert plain.text("a") is None  # documented: texts are not kept in memory by default
    assert keeping.text("a") == STORY_A


# -- 8. the test quick start, skip messages, a missing path -----------------------------------

def test_the_readme_test_command_names_the_system_packages_ci_installs():
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("Install the test dependencies and run the tests.")[1].split("```")[1]
    apt, command = block.strip("sh\n").splitlines()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    installed = set()
    for line in ci.splitlines():
        if line.lstrip().startswith("apt_install ") or "|| apt_install " in line:
            installed.update(line.split("apt_install ", 1)[1].split())
    assert installed and set(apt.split("apt-get install ", 1)[1].split()) == installed
    assert command in ci  # the same command CI runs


def test_every_skip_message_says_what_to_install():
    import ast

    vague = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("importorskip", "skip", "skipif")):
                continue
            reason = next((k.value for k in node.keywords if k.arg == "reason"), None)
            if node.func.attr == "skip" and node.args:
                reason = node.args[0]
            text = ast.unparse(reason) if reason is not None else ""
            missing = node.func.attr == "importorskip" or any(
                w in text for w in ("not installed", "on PATH", "no Redis", "is missing"))
            if missing and "install" not in text.replace("not installed", ""):
                vague.append(f"{path.name}:{node.lineno}: {text or '(no reason)'}")
    assert not vague, "\n".join(vague)


def test_a_run_none_of_whose_paths_exists_is_exit_1_and_makes_no_index(tmp_path):
    missing = str(tmp_path / "nope")
    result = run("batch", missing, "--index", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: no such file or folder; nothing was read\n"
    assert not (tmp_path / "x.db").exists()
    trace = run("trace", str(EXAMPLES / "sites"), "--against", missing)
    assert trace.exit_code == 1 and "nothing was read" in trace.stderr
    explain = run("explain", "a", "b", "--in", missing)
    assert explain.exit_code == 1 and "nothing was read" in explain.stderr


def test_a_missing_path_among_others_is_reported_and_skipped_exit_3(tmp_path):
    result = run("batch", str(tmp_path / "nope"), str(EXAMPLES / "wires"))
    assert result.exit_code == EXIT_SKIPPED
    assert f"error: {tmp_path / 'nope'}: no such file or folder" in result.stderr
    assert len(result.stdout.splitlines()) == 5


# -- 7. dedup report on the wrong input -------------------------------------------------------

def test_report_on_a_csv_says_what_it_expects_and_writes_nothing(tmp_path):
    csv = tmp_path / "results.csv"
    csv.write_text(run("batch", str(EXAMPLES), "--format", "csv").stdout, "utf-8")
    result = run("report", str(csv), "-o", str(tmp_path / "report.html"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1  # one line, not one per CSV row
    assert result.stderr.startswith(f"Error: {csv}:1: invalid JSON")
    assert result.stderr.endswith("dedup report reads the JSON Lines of dedup batch --with-text "
                                  "(or dedup index export --with-text), a folder of articles, "
                                  "or --index PATH; nothing written\n")
    assert not (tmp_path / "report.html").exists()


def test_report_on_a_folder_of_articles_runs_the_batch_with_texts(tmp_path):
    from_folder = run("report", str(EXAMPLES), "-o", str(tmp_path / "folder.html"))
    assert from_folder.exit_code == 0, from_folder.stderr
    assert "30 articles, 5 clusters with copies, 17 copies" in from_folder.stderr
    results = tmp_path / "results.jsonl"
    results.write_text(run("batch", str(EXAMPLES), "--with-text").stdout, "utf-8")
    via_batch = run("report", str(results), "-o", str(tmp_path / "batch.html"))
    assert via_batch.exit_code == 0
    pages = [(tmp_path / name).read_text("utf-8").replace(source, "SOURCE")
             for name, source in (("folder.html", "examples"), ("batch.html", "results.jsonl"))]
    assert pages[0] == pages[1]  # the same page, texts included, but for the source's name
    assert '"with_text":true' in pages[0]


@pytest.fixture
def damaged(tmp_path):
    """An index of the examples in which one copy's stored text fails its checksum."""
    import sqlite3

    db = tmp_path / "news.db"
    assert run("batch", str(EXAMPLES), "--index", str(db)).exit_code == 0
    with Index.open(str(db), readonly=True) as index:
        victim = next(v.id for v in index.verdicts() if v.duplicate)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE texts SET text = x'789c0300000000' WHERE arrival = "
                 "(SELECT arrival FROM articles WHERE id = ?)", (victim,))
    conn.commit()
    conn.close()
    return db, victim


def test_a_damaged_stored_text_is_one_error_line_and_the_rest_is_reported(damaged, tmp_path):
    db, victim = damaged
    result = run("report", "--index", str(db), "-o", str(tmp_path / "report.html"))
    assert result.exit_code == EXIT_SKIPPED
    assert f"error: id {victim!r}: {db} is corrupted: the stored text of {victim!r} fails its " \
           "checksum; the article is shown without its text" in result.stderr
    assert "30 articles, 5 clusters with copies, 17 copies; 1 record skipped" in result.stderr


def test_writing_into_an_index_with_a_damaged_text_says_so_once(damaged):
    db, victim = damaged
    line = json.dumps({"id": "new-1", "text": STORY_A}) + "\n"
    result = run("stream", "--index", str(db), input=line * 2)
    assert result.exit_code == EXIT_SKIPPED  # the second line repeats the id
    warning = (f"warning: {db}: the stored text of 1 article fails its checksum ({victim!r}); "
               "new articles are added, and dedup report shows those without their text; "
               "restore the file from a backup to mend it\n")
    assert result.stderr.count(warning) == 1
    assert json.loads(result.stdout.splitlines()[0])["id"] == "new-1"
    again = run("batch", str(EXAMPLES / "wires"), "--index", str(db))
    assert again.stderr.count("fails its checksum") == 1


# -- 4. explain and batch agree on a pair ------------------------------------------------------

def test_explain_gives_every_copy_the_relation_batch_gives_it():
    verdicts = [json.loads(x) for x in run("batch", str(EXAMPLES)).stdout.splitlines()]
    copies = [v for v in verdicts if v["duplicate"]]
    assert {v["relation"] for v in copies} == {"exact", "near", "excerpt", "expanded"}
    for verdict in copies:
        result = run("explain", verdict["id"], verdict["original"], "--in", str(EXAMPLES),
                     "--format", "json")
        assert result.exit_code == 0, result.stderr
        explained = json.loads(result.stdout)
        assert (explained["relation"], explained["copy"], explained["original"]) == \
            (verdict["relation"], verdict["id"], verdict["original"]), verdict["id"]
        if verdict["relation"] == "exact":  # the same text once credits and site chrome are out
            assert explained["similarity"] == 1.0


def test_explain_measures_the_text_batch_fingerprints_without_the_site_chrome():
    from dedup.explain import explain

    chrome = "\n\n".join(f"Read more from the Harbor desk number {i}" for i in range(12))
    wire = Article(id="wire", text=STORY_A * 6, source="Xinhua")
    copy = Article(id="copy", text=f"{STORY_A * 6}\n\n{chrome}", source="Harbor")
    others = [Article(id=f"h{i}", text=f"{story * (i + 2)}\n\n{chrome}", source="Harbor")
              for i, story in enumerate((STORY_B, "A new school opened its doors to pupils. ",
                                         "The council voted to extend the cycle lanes. "))]
    alone = explain(copy, wire)
    learnt = explain(copy, wire, corpus=[wire, copy, *others])
    assert alone.similarity < 0.8  # the site's twelve chrome lines counted as text
    assert (learnt.similarity, learnt.relation) == (1.0, "exact")
    index = Index()
    index.add_many([wire, copy, *others])
    assert index.get("copy").relation == "exact"
