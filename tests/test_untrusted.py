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


# -- WARC headers and lengths (item 3) ------------------------------------------------

def warc_record(uri: str, text: str = "", *, declared: int | None = None,
                header: bytes = b"") -> bytes:
    """One WARC response record written by hand (so that it can lie)."""
    page = (f"<html><head><title>{uri}</title></head><body><article><p>{text}</p></article>"
            "</body></html>").encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
    length = len(http) if declared is None else declared
    return (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: " + uri.encode() + b"\r\n"
            b"WARC-Date: 2025-05-13T08:00:00Z\r\nContent-Type: application/http; "
            b"msgtype=response\r\n" + header + b"Content-Length: %d\r\n\r\n" % length + http
            + b"\r\n\r\n")


STORY = ("The harbour council met on Tuesday to weigh the new ferry terminal plan, and the "
         "fares it would bring for islanders who cross twice a day. ") * 4


def read_archive(path):
    pytest.importorskip("warcio", reason="warcio is not installed (pip install 'dedup[warc]')")
    from dedup import Article, BadRecord
    from dedup.warc import read_warc
    with open(path, "rb") as stream:
        items = list(read_warc(stream, str(path), trafilatura=False))
    return ([i.id for i in items if isinstance(i, Article)],
            [i.describe() for i in items if isinstance(i, BadRecord)])


def gzip_member(data: bytes) -> bytes:
    """One gzip member, compressed in pieces (a bomb is never held whole here)."""
    import zlib
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(deflater.compress(data[i:i + (1 << 20)])
                    for i in range(0, len(data), 1 << 20)) + deflater.flush()


@pytest.mark.parametrize("bomb, why", [
    (b"X-Padding: " + b"a" * (128 << 20), "a header line is longer than 262,144 bytes"),
    (b"X-Padding: " + b"a" * 200_000 + b"\r\n" + (b"X-More: " + b"b" * 200_000 + b"\r\n") * 8,
     "its headers are longer than 1,048,576 bytes"),
    (b"WARC-Target-URI: https://two.example/b\r\nContent-Length: %d\r\n\r\nHTTP/1.1 200 OK\r\n"
     b"Set-Cookie: " % (8 << 20) + b"c" * (8 << 20),  # in the HTTP headers of the payload
     "a header line is longer than 262,144 bytes")])
def test_a_header_bomb_is_a_bad_record_at_a_bounded_cost_and_the_next_records_are_read(
        tmp_path, bomb, why):
    import tracemalloc
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as out:
        out.write(gzip_member(warc_record("https://one.example/a", STORY)))
        out.write(gzip_member(b"WARC/1.0\r\nWARC-Type: response\r\n" + bomb))
        out.write(gzip_member(warc_record("https://three.example/c", STORY)))
    assert path.stat().st_size < 1 << 20  # a small file (that may inflate to 128 MiB)
    tracemalloc.start()
    try:
        ids, bad = read_archive(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ids == ["https://one.example/a", "https://three.example/c"]
    assert bad == [f"{path}: record 2: {why}; skipped"]
    assert peak < 64 << 20  # bounded by warcio's read block, not by the 128 MiB line


def test_a_header_bomb_in_an_archive_not_gzipped_by_record_stops_it_with_a_clear_error(
        tmp_path):
    path = tmp_path / "bomb.warc"
    path.write_bytes(warc_record("https://one.example/a", STORY)
                     + b"WARC/1.0\r\nWARC-Type: response\r\nX-Padding: " + b"a" * 400_000)
    ids, bad = read_archive(path)
    assert ids == ["https://one.example/a"]
    assert bad == [f"{path}: record 2: a header line is longer than 262,144 bytes; skipped; "
                   "the records after it cannot be read (the archive is not gzipped record by "
                   "record)"]


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_record_longer_than_its_body_is_reported_not_silently_swallowing_the_next(
        tmp_path, gzipped):
    records = [warc_record("https://one.example/a", STORY, declared=2_000_000_000),
               warc_record("https://two.example/b", STORY)]
    path = tmp_path / ("lying.warc.gz" if gzipped else "lying.warc")
    path.write_bytes(b"".join(map(gzip_member, records)) if gzipped else b"".join(records))
    ids, [bad] = read_archive(path)
    unit = "gzip member" if gzipped else "archive"
    assert bad.startswith(f"{path}: id 'https://one.example/a': the record declares a "
                          f"Content-Length of 2,000,000,000 bytes but its {unit} ends ")
    assert bad.endswith(f" bytes into its body: the length is wrong, and any records after it "
                        f"in the same {unit} were read as its body; skipped")
    # record by record gzipped, the next record is its own member and is read
    assert ids == (["https://two.example/b"] if gzipped else [])


def test_a_record_shorter_than_its_body_is_read_and_said_and_warcio_prints_nothing(
        tmp_path, capfd):
    """Declared 40 bytes short: the tail is not a blank line. Writers such as wget get the
    length slightly wrong, so the records are kept; the summary says which one."""
    import re
    pytest.importorskip("warcio", reason="warcio is not installed (pip install 'dedup[warc]')")
    from dedup.sources import Notice
    from dedup.warc import read_warc
    first = warc_record("https://one.example/a", STORY)
    declared = int(re.search(rb"Content-Length: (\d+)", first).group(1))
    first = first.replace(b"Content-Length: %d" % declared,
                          b"Content-Length: %d" % (declared - 40))
    path = tmp_path / "short.warc"
    path.write_bytes(first + warc_record("https://two.example/b", STORY))
    ids, bad = read_archive(path)
    assert (ids, bad) == (["https://one.example/a", "https://two.example/b"], [])
    with open(path, "rb") as stream:
        [summary] = [i for i in read_warc(stream, "short.warc", trafilatura=False)
                     if isinstance(i, Notice) and i.counts]
    assert summary.reason == ("2 HTML pages read; 1 record not followed by a blank line where "
                              "its Content-Length ends (the length is wrong; read anyway): "
                              "https://one.example/a")
    assert capfd.readouterr().err == ""  # warcio's own warning is not printed past dedup
