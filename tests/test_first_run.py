"""What a new user trips over (issue 18): ids across folders, raw tracebacks, the README's
commands, and the messages of skipped tests. Run as a user would: CliRunner and the
installed ``dedup`` command."""

import json

from click.testing import CliRunner

from dedup.cli import EXIT_SKIPPED, cli


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
