"""The README keeps true (issue 18 item 6): every ``dedup …`` command it shows runs, as a
user would type it, on the bundled examples and exits as it says; the outputs it quotes are
what the commands print. Like sqlite-utils' check of its docs.

The commands run in a sandbox folder where the README's placeholder names exist, made
from the bundled examples (``crawl/`` is ``examples/sites``, ``news.db`` an index of the
sites and wires, ``crawler`` a shell function printing a feed, ...). Nothing in a command
is rewritten except ``tail -f`` (which never ends; ``tail -n +1`` here) and the Redis
server's address (``DEDUP_TEST_REDIS``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli

from .redis_server import fresh_location, server_url

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
EXAMPLES = ROOT / "examples"
REDIS_EXAMPLE = "redis://10.0.0.5:6379/0?prefix=news"
HEADLINES = ("Lake ferry runs on sunlight alone\n"
             "Bakery marks fifty years on Marchetti Street\n"
             "Lake ferry runs on sunlight alone\n")


def readme_commands() -> list[str]:
    """The README's ``dedup`` command lines, in order: every line of a ``sh`` block that
    runs ``dedup`` (the part after the last ``&&``), and inline ``dedup …`` commands on
    the bundled examples. Trailing comments are dropped."""
    found = []
    for match in re.finditer(r"```sh\n(.*?)```|`(dedup [a-z]+ [^`]*examples[^`]*)`", README,
                             re.S):
        lines = match.group(1).splitlines() if match.group(1) is not None else \
            [" ".join(match.group(2).split())]
        for line in lines:
            line = line.split("&&")[-1].strip()
            line = re.sub(r"\s+#\s.*$", "", line)
            if re.search(r"(^|\| *)dedup ", line):
                found.append(line)
    return found


COMMANDS = readme_commands()


def test_the_readme_has_the_commands_this_test_knows_of():
    # A new example is picked up by itself; this pins that the extraction still finds them.
    assert len(COMMANDS) >= 29
    assert "dedup batch examples/ --clusters --format table" in COMMANDS
    assert any(c.startswith("crawler | dedup stream") for c in COMMANDS)
    assert any(c.startswith("dedup trace examples/sites --against") for c in COMMANDS)


def dedup_bin() -> str:
    """The folder of the installed ``dedup`` command (the venv running the tests)."""
    installed = Path(sys.executable).parent / "dedup"
    if not installed.exists():
        pytest.skip("the dedup command is not installed beside this Python (pip install -e .)")
    return str(installed.parent)


def write_crawl(path: Path) -> bool:
    """``crawl.warc.gz``: the pages of ``examples-web/`` as a crawler stores them."""
    try:
        import io

        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter
    except ImportError:
        return False
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for page in sorted((ROOT / "examples-web").rglob("*.html")):
            uri = f"https://{page.parent.name}.example/{page.name}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(page.read_bytes()), http_headers=headers))
    return True


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A folder where every name the README's commands use exists."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copytree(ROOT / "examples-web", tmp_path / "examples-web")
    for name in ("crawl", "newspaper", "backlog"):
        shutil.copytree(EXAMPLES / "sites", tmp_path / name)
    shutil.copytree(EXAMPLES / "wires", tmp_path / "wires")
    shutil.copy(EXAMPLES / "feeds" / "newsroll.jsonl", tmp_path / "news.jsonl")
    shutil.copy(EXAMPLES / "wires" / "xinhua.jsonl", tmp_path / "wires.jsonl")
    shutil.copy(EXAMPLES / "feeds" / "kuaixun.jsonl", tmp_path / "feed.jsonl")  # tail -f
    story = EXAMPLES / "sites" / "dailyharbor" / "china-portugal-talks.txt"
    shutil.copy(story, tmp_path / "article.txt")
    shutil.copy(story, tmp_path / "copy.txt")
    wire = json.loads((EXAMPLES / "wires" / "xinhua.jsonl").read_text("utf-8").splitlines()[0])
    (tmp_path / "wire.txt").write_text(wire["text"], "utf-8")
    shutil.copy(EXAMPLES / "sites" / "lakeside-courier" / "portugal-minister-beijing.json",
                tmp_path / "a.json")
    (tmp_path / "b.json").write_text(json.dumps(wire), "utf-8")
    (tmp_path / "headlines.txt").write_text(HEADLINES, "utf-8")
    write_crawl(tmp_path / "crawl.warc.gz")
    built = subprocess.run([sys.executable, "-m", "dedup", "batch", "examples/sites",
                            "examples/wires", "--index", "news.db"], cwd=tmp_path,
                           capture_output=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return tmp_path


# What the README's pipelines read from: a crawler is a feed printed to stdout.
SHELL_FUNCTIONS = ("crawler() { cat examples/feeds/newsroll.jsonl; }\n"
                   "crawler-3() { cat examples/feeds/newsroll.jsonl; }\n"
                   "crawler-17() { cat examples/feeds/kuaixun.jsonl; }\n")


def run_line(line: str, cwd: Path, redis_url: str | None) -> subprocess.CompletedProcess:
    line = line.replace("tail -f ", "tail -n +1 ")
    if redis_url is not None:
        line = line.replace(REDIS_EXAMPLE, redis_url)
    env = {**os.environ, "PATH": dedup_bin() + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(["bash", "-c", SHELL_FUNCTIONS + "set -o pipefail\n" + line],
                          cwd=cwd, env=env, capture_output=True, timeout=300)


def needs(line: str) -> str | None:
    """Why a line cannot run here, or None."""
    if "crawl.warc.gz" in line:
        try:
            import warcio  # noqa: F401
        except ImportError:
            return "warcio is not installed (pip install 'dedup[warc]')"
    return None


def test_every_readme_command_runs_on_the_bundled_examples_and_exits_0(sandbox):
    failures, ran = [], 0
    for line in COMMANDS:
        if REDIS_EXAMPLE in line or needs(line):
            continue  # the Redis block has its own test below
        result = run_line(line, sandbox, None)
        ran += 1
        if result.returncode != 0 or b"Traceback" in result.stderr:
            failures.append(f"{line}\n  exit {result.returncode}: "
                            f"{result.stderr.decode(errors='replace').strip()[-400:]}")
    assert not failures, "\n".join(failures)
    assert ran >= 20
    assert (sandbox / "report.html").stat().st_size > 10_000
    assert len((sandbox / "verdicts.jsonl").read_text("utf-8").splitlines()) > 20


@pytest.fixture
def redis_location(tmp_path_factory):
    """A fresh prefix on DEDUP_TEST_REDIS, or on a server started here (skip if neither)."""
    for url in server_url(tmp_path_factory):
        yield from fresh_location(url)


def test_the_readme_redis_commands_run(sandbox, redis_location):
    lines = [c for c in COMMANDS if REDIS_EXAMPLE in c]
    assert len(lines) == 5
    for line in lines:
        result = run_line(line, sandbox, redis_location)
        assert result.returncode == 0, (line, result.stderr.decode(errors="replace"))
    stats = run_line(f"dedup index stats '{redis_location}' --json", sandbox, None)
    assert json.loads(stats.stdout)["articles"] == 19 + 3 + 3  # the sites, both feeds


# -- what the README quotes -----------------------------------------------------------------

def quoted_after(marker: str) -> list[str]:
    """The lines of the first code block after ``marker`` in the README."""
    return README.split(marker, 1)[1].split("```", 2)[1].split("\n", 1)[1].rstrip("\n") \
        .splitlines()


def invoke(*args: str, cwd: Path = ROOT):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_the_trace_example_prints_what_the_readme_shows():
    command = next(c for c in COMMANDS if c.startswith("dedup trace examples/sites"))
    shown = "".join(quoted_after("--against examples/feeds` starts with:"))
    expected = [json.loads(x) for x in shown.replace("}{", "}\n{").splitlines()]
    result = invoke(*command.split()[1:])
    assert result.exit_code == 0
    printed = [json.loads(x) for x in result.stdout.splitlines()]
    assert printed[:len(expected)] == expected
    assert "against 11 sources" in result.stderr  # the wires and the feeds


def test_the_explain_example_prints_what_the_readme_shows():
    command = next(c for c in COMMANDS if c.startswith("dedup explain") and "--in" in c)
    result = invoke(*command.split()[1:])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == quoted_after("two article ids as `dedup batch` prints "
                                                      "them. The second command prints:")


def test_the_examples_web_table_is_what_batch_prints(tmp_path):
    pytest.importorskip("trafilatura", reason="the README's table is trafilatura's "
                                              "(pip install 'dedup[html]')")
    shown = quoted_after("dedup batch examples-web/ --clusters --format table\n```")
    result = invoke("batch", "examples-web/", "--clusters", "--format", "table")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == shown[:-1]
    assert result.stderr.splitlines()[-1] == shown[-1]
    # Without trafilatura (as if not installed), the basic extractor: what the README says.
    hide = tmp_path / "no-trafilatura"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['trafilatura'] = None\n")
    basic = subprocess.run([sys.executable, "-m", "dedup", "batch", "examples-web/"], cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(hide)}, capture_output=True,
                           timeout=300)
    assert b"install dedup[html] for better HTML extraction" in basic.stderr
    relations = sorted(json.loads(x)["relation"] or "-" for x in basic.stdout.splitlines())
    assert relations == ["-", "-", "expanded", "near", "near"]
    assert "On `examples-web/` it still finds\n  all three copies" in README


def test_the_readme_format_version_is_the_index_format(tmp_path):
    from dedup.storage.header import FORMAT_VERSION
    assert re.findall(r"Format version (\d+)", README) == [str(FORMAT_VERSION)]
    (tmp_path / "a.txt").write_text(HEADLINES * 3, "utf-8")
    assert invoke("batch", str(tmp_path), "--index", str(tmp_path / "x.db")).exit_code == 0
    stats = invoke("index", "stats", str(tmp_path / "x.db"), "--json")
    assert json.loads(stats.stdout)["format_version"] == FORMAT_VERSION
