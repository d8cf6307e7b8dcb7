"""Input an attacker controls: files, links, crafted records and index files, and
text that reaches a terminal or a spreadsheet (issue 20)."""

import json

import pytest
from click.testing import CliRunner

from dedup.cli import cli


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_symlinks_out_of_the_folder_given_are_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash secret words", "utf-8")
    (outside / "deep.txt").write_text("An article in a folder the link points to.", "utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "real.txt").write_text("A perfectly ordinary article about the harbour.", "utf-8")
    (folder / "passwd.txt").symlink_to(outside / "passwd")
    (folder / "alias.txt").symlink_to(folder / "real.txt")  # inside the folder: read
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    result = run("batch", str(folder))
    assert result.exit_code == 0, result.stderr
    ids = {json.loads(line)["id"] for line in result.stdout.splitlines()}
    assert ids == {"real.txt", "alias.txt"}
    assert (f"{folder / 'passwd.txt'}: skipped: symbolic link to a file outside the folder "
            "given; not followed") in result.stderr
    assert f"{folder / 'linked'}: skipped: symbolic link to a folder; not followed" \
        in result.stderr
    assert "root:x" not in result.stdout


def test_a_200k_deep_json_ld_block_is_skipped_and_the_page_kept(tmp_path):
    pytest.importorskip("trafilatura",
                        reason="trafilatura is not installed (pip install 'dedup[html]')")
    body = " ".join(f"The harbour council met on Tuesday to weigh plan number {i} for the new "
                    "ferry terminal." for i in range(12))
    deep = "[" * 200_000 + "]" * 200_000
    (tmp_path / "deep.html").write_text(
        f'<html><head><title>Ferry plan</title><script type="application/ld+json">{deep}'
        f'</script></head><body><article><h1>Ferry plan</h1><p>{body}</p></article></body>'
        "</html>", "utf-8")
    result = run("batch", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    [verdict] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (verdict["id"], verdict["title"]) == ("deep.html", "Ferry plan")


ESCAPES = ("\x1b]0;owned\x07", "\x1b[2J", "\x9b2J", "\u202e", "\u2066")


def test_file_names_in_messages_are_escaped_so_they_cannot_drive_the_terminal(tmp_path):
    (tmp_path / "t\x1b]0;owned\x07.txt").write_bytes(b"\x00binary")
    (tmp_path / "x\nerror: all is forged.txt").write_bytes(b"\x00binary")
    (tmp_path / "r\u202etxt.exe.txt").write_bytes(b"\x00binary")
    result = run("batch", str(tmp_path))
    assert result.exit_code == 3
    err = result.stderr
    assert not any(ch in err for ch in "\x1b\x07\u202e")
    assert "t\\x1b]0;owned\\x07.txt: binary data (NUL bytes)" in err
    assert "r\\u202etxt.exe.txt: binary data" in err
    assert not any(line.startswith("error: all is forged") for line in err.splitlines())
    assert "x\\x0aerror: all is forged.txt: binary data" in err
    not_an_index = tmp_path / "i\x1b[2J.db"
    not_an_index.write_bytes(b"this is not an index file at all" * 4)
    failed = run("index", "stats", str(not_an_index))
    assert failed.exit_code == 1 and "\x1b" not in failed.stderr
    assert "i\\x1b[2J.db" in failed.stderr


def hostile_records() -> str:
    text = "The harbour council met on Tuesday to weigh the new ferry terminal plan. " * 6
    records = [{"id": '=HYPERLINK("http://evil.example/","x")', "text": text,
                "source": "@SUM(1+1)", "title": "+cmd|' /C calc'!A0"}]  # the original
    records += [{"id": f"n{i}{esc}", "text": text, "source": f"s{esc}ite", "title": f"t{esc}"}
                for i, esc in enumerate(ESCAPES)]
    records.append({"id": "-2+3", "text": text, "source": "plain", "title": "ok"})
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.mark.parametrize("clusters", [False, True])
def test_table_cells_are_escaped(tmp_path, clusters):
    (tmp_path / "feed.jsonl").write_text(hostile_records(), "utf-8")
    result = run("batch", str(tmp_path), "--format", "table", *(["--clusters"] * clusters))
    assert result.exit_code == 0, result.stderr
    assert not any(ch in result.stdout for ch in "\x1b\x07\x9b\u202e\u2066")
    assert "\\x1b]0;owned\\x07" in result.stdout and "\\u202e" in result.stdout
    assert "\\x9b2J" in result.stdout and "s\\u2066ite" in result.stdout


@pytest.mark.parametrize("clusters", [False, True])
def test_csv_cells_that_start_like_a_formula_are_neutralised(tmp_path, clusters):
    import csv
    import io
    (tmp_path / "feed.jsonl").write_text(hostile_records(), "utf-8")
    result = run("batch", str(tmp_path), "--format", "csv", *(["--clusters"] * clusters))
    assert result.exit_code == 0, result.stderr
    cells = [c for row in csv.reader(io.StringIO(result.stdout)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
    assert "'@SUM(1+1)" in cells
    if not clusters:
        assert "'@SUM(1+1)" in cells and "'+cmd|' /C calc'!A0" in cells and "'-2+3" in cells
