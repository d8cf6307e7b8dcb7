"""The command line: ``dedup batch`` through CliRunner and as an installed command."""

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dedup.cli import EXIT_SKIPPED, cli

from .conftest import EXAMPLES, ROOT

TRUTH = json.loads((ROOT / "tests" / "fixtures" / "examples_truth.json").read_text("utf-8"))
CONTRACT = {"id", "cluster", "original", "duplicate", "relation", "similarity", "containment",
            "source", "origin_source", "why"}


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def example_verdicts():
    result = run("batch", str(EXAMPLES))
    assert result.exit_code == 0, result.stderr
    return {v["id"]: v for v in map(json.loads, result.stdout.splitlines())}


def test_every_example_gets_a_contract_verdict(example_verdicts):
    expected = {m for c in TRUTH["clusters"] for m in c["members"]} | set(TRUTH["singletons"])
    assert set(example_verdicts) == expected
    for v in example_verdicts.values():
        assert CONTRACT <= set(v)
        assert v["duplicate"] == (v["original"] != v["id"])
        assert isinstance(v["why"], list) and v["why"]


@pytest.mark.parametrize("story", TRUTH["clusters"], ids=lambda c: c["story"][:24])
def test_examples_cluster_under_their_wire_original(example_verdicts, story):
    members = [example_verdicts[m] for m in story["members"]]
    assert len({v["cluster"] for v in members}) == 1
    assert {v["origin_source"] for v in members} == {story["origin_source"]}
    if story["original"] is not None:
        assert {v["original"] for v in members} == {story["original"]}
    others = [v for v in example_verdicts.values() if v["id"] not in story["members"]]
    assert members[0]["cluster"] not in {v["cluster"] for v in others}


def test_same_topic_different_event_stories_stay_apart(example_verdicts):
    for article_id in TRUTH["singletons"]:
        v = example_verdicts[article_id]
        assert not v["duplicate"] and v["original"] == article_id
        assert sum(o["cluster"] == v["cluster"] for o in example_verdicts.values()) == 1


def test_relations_of_the_examples(example_verdicts):
    for article_id, relation in TRUTH["relations"].items():
        verdict = example_verdicts[article_id]
        if verdict["original"] == article_id:  # stands in for an absent wire copy
            story = next(c for c in TRUTH["clusters"] if article_id in c["members"])
            assert story["original"] is None
            continue
        assert verdict["relation"] == relation, article_id


def test_clusters_table_and_csv():
    table = run("batch", str(EXAMPLES), "--clusters", "--format", "table")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["cluster", "origin"]
    digits = tuple("123456789")
    assert sum(1 for line in lines if line.lstrip().startswith(digits)) == len(TRUTH["clusters"])
    assert "* xinhua-20250508-cn-pt-talks" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("batch", str(EXAMPLES), "--format", "csv").stdout)))
    assert len(rows) == 30 and CONTRACT <= set(rows[0])


def test_clusters_jsonl_lists_members_with_similarity():
    result = run("batch", str(EXAMPLES), "--clusters")
    clusters = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(clusters) == len(TRUTH["clusters"])
    for c in clusters:
        assert c["members"][0]["id"] == c["original"] and c["members"][0]["similarity"] is None
        assert all(m["similarity"] is not None for m in c["members"][1:])


def test_bad_files_are_reported_and_the_rest_is_read(tmp_path):
    (tmp_path / "good.txt").write_text("A perfectly ordinary article about the harbour.", "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (tmp_path / "empty.md").write_text("   \n", "utf-8")
    (tmp_path / ".hidden.txt").write_text("secret", "utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "feed.jsonl").write_text('{"id": "x1", "text": "fine text here"}\n{oops\n'
                                         '[1, 2]\n{"id": "x2", "text": 5}\n', "utf-8")
    result = run("batch", str(tmp_path))
    assert result.exit_code == EXIT_SKIPPED
    ids = {json.loads(line)["id"] for line in result.stdout.splitlines()}
    assert ids == {"good.txt", "x1"}
    err = result.stderr
    assert "latin1.txt: not valid UTF-8 (byte 3" in err
    assert "blob.txt: binary data (NUL bytes)" in err
    assert "empty.md: id 'empty.md': empty article" in err
    assert ".hidden.txt: skipped: hidden file" in err
    assert "notes.pdf: skipped: unsupported file type '.pdf'" in err
    assert "feed.jsonl:2: not valid JSON" in err
    assert "feed.jsonl:3: expected a JSON object" in err
    assert "feed.jsonl:4: id 'x2': \"text\" must be a string, got a number" in err
    assert "2 articles" in err and "6 records skipped" in err


def test_missing_path_and_bad_date(tmp_path):
    (tmp_path / "a.json").write_text('{"id": "a", "text": "words", "published": "yesterday"}',
                                     "utf-8")
    result = run("batch", str(tmp_path / "nope"), str(tmp_path))
    assert result.exit_code == EXIT_SKIPPED
    assert "nope: no such file or folder" in result.stderr
    assert ('a.json: id \'a\': "published" is not an ISO 8601 date (\'yesterday\'); '
            "use e.g. 2025-05-08T09:53:00+08:00") in result.stderr


def test_duplicate_ids_keep_the_first(tmp_path):
    (tmp_path / "f.jsonl").write_text('{"id": "a", "text": "first version of the text"}\n'
                                      '{"id": "a", "text": "second record"}\n', "utf-8")
    result = run("batch", str(tmp_path))
    assert result.exit_code == EXIT_SKIPPED
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["a"]
    assert "duplicate id" in result.stderr


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in cli.commands:
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, name
        assert f"dedup {name}" in readme, name


def test_installed_command_runs_in_a_subprocess():
    command = shutil.which("dedup")
    args = [command] if command else [sys.executable, "-m", "dedup"]
    proc = subprocess.run(args + ["batch", str(EXAMPLES), "--clusters"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(TRUTH["clusters"])
    assert "30 articles" in proc.stderr
    module = subprocess.run([sys.executable, "-m", "dedup", "--version"], capture_output=True,
                            text=True, timeout=60)
    assert module.returncode == 0 and "dedup" in module.stdout


def test_threshold_options_change_the_verdicts():
    default = [json.loads(x) for x in run("batch", str(EXAMPLES)).stdout.splitlines()]
    strict = run("batch", str(EXAMPLES), "--threshold", "0.99", "--containment", "1")
    verdicts = [json.loads(x) for x in strict.stdout.splitlines()]
    near = [v for v in verdicts if v["relation"] == "near"]
    assert all(v["similarity"] >= 0.99 for v in near)
    assert sum(v["duplicate"] for v in verdicts) < sum(v["duplicate"] for v in default)
    bad = run("batch", str(EXAMPLES), "--threshold", "2")
    assert bad.exit_code == 2 and "--threshold" in bad.stderr


def test_readme_quick_start_output_is_what_batch_prints():
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = readme.split("The first command prints:")[1].split("```")[1].strip("\n").splitlines()
    result = run("batch", str(EXAMPLES), "--clusters", "--format", "table")
    assert result.exit_code == 0
    assert shown[:-1] == result.stdout.rstrip("\n").splitlines()  # the last line is stderr's
    assert shown[-1] == result.stderr.strip().splitlines()[-1]


def test_batch_into_an_index_reports_this_runs_articles_as_they_stand(tmp_path, monkeypatch):
    """With --index the output is the verdicts of this run's articles only, each as the
    index now holds it (its cluster possibly from an earlier run), the same as asking
    the index for each one; made in parts (verdicts.LISTING) like any listing."""
    import dedup.verdicts
    from dedup import Index

    monkeypatch.setattr(dedup.verdicts, "LISTING", 3)  # several parts
    db = str(tmp_path / "news.db")
    first = run("batch", str(EXAMPLES / "wires"), "--index", db)
    assert first.exit_code == 0, first.stderr
    second = run("batch", str(EXAMPLES / "sites"), "--index", db)
    assert second.exit_code == 0, second.stderr
    got = [json.loads(line) for line in second.stdout.splitlines()]
    first_ids = {json.loads(line)["id"] for line in first.stdout.splitlines()}
    assert got and not first_ids & {v["id"] for v in got}
    with Index.open(db, readonly=True) as index:
        assert got == [index.get(v["id"]).to_dict() for v in got]
        listed = list(index.get_many([got[0]["id"], "no such id", *[v["id"] for v in got]]))
    assert listed[1] is None
    assert [v.to_dict() for v in listed[2:]] == got and listed[0].to_dict() == got[0]
    clusters = run("batch", str(EXAMPLES / "feeds"), "--index", db, "--clusters")
    assert clusters.exit_code == 0, clusters.stderr
    assert clusters.stdout.strip()
