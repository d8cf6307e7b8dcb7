"""Property-based and fuzz tests: no exception escapes except ``BadRecord``.

Covers the readers (``read_lines`` on arbitrary bytes), the normalizer, the
credit detector, a whole ``Index`` on arbitrary text, and a real ``dedup
stream`` process fed more than 10,000 hostile records.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.credits import Credits, detect
from dedup.errors import BadRecord
from dedup.index import Index
from dedup.normalize import normalize
from dedup.records import Article, parse_record
from dedup.sources import bounded_lines, read_lines
from dedup.wires import WireRegistry
from tests.textgen import story, vocabulary

WIRES = WireRegistry.default()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20)
ADVERSARIAL = ["(" * 50_000, " " * 100_000 + "x", "(AP " * 20_000, "— " * 50_000,
               "WASHINGTON (" + " " * 50_000 + ")", "新华社" * 20_000, "\n" * 100_000]
records = st.dictionaries(
    st.sampled_from(["id", "text", "html", "title", "url", "source", "published", "other"]),
    json_values | st.text(), max_size=7)


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_read_lines_on_arbitrary_bytes_gives_articles_errors_or_blanks(lines):
    results = list(read_lines(lines))
    assert [n for n, _ in results] == list(range(1, len(lines) + 1))
    for number, item in results:
        assert item is None or isinstance(item, (Article, BadRecord))
        if isinstance(item, BadRecord):
            assert item.line == number and item.reason


@FUZZ
@given(st.lists(records | json_values, max_size=6))
def test_read_lines_on_arbitrary_json_values(values):
    lines = [json.dumps(v) for v in values]
    for _, item in read_lines(lines):
        assert item is None or isinstance(item, (Article, BadRecord))
        if isinstance(item, Article):
            assert isinstance(item.text, str) and item.text.strip()


@FUZZ
@given(records)
def test_parse_record_raises_only_bad_record(obj):
    try:
        article, html = parse_record(obj, default_id="d")
    except BadRecord as exc:
        assert exc.reason
    else:
        assert isinstance(article.id, str) and (html is None or isinstance(html, str))


@FUZZ
@given(st.binary(max_size=2000), st.integers(1, 64))
def test_bounded_lines_never_hold_more_than_the_limit(data, limit):
    out = list(bounded_lines(io.BytesIO(data), limit))
    pieces = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        pieces.pop()
    assert len(out) == len(pieces)  # one item per line: line numbers stay right
    for item, piece in zip(out, pieces, strict=True):
        if isinstance(item, bytes):
            assert item.rstrip(b"\n") == piece and len(piece) <= limit  # the newline is extra
        else:
            assert len(piece) > limit and "record too large" in item.reason


@FUZZ
@given(st.text(max_size=3000))
def test_normalize_accepts_any_text(text):
    assert isinstance(normalize(text), str)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list(" ()\n—-–,.:AP XinhuaReutersWASHINGTON"
                                                 "（）新华社电 ")), max_size=600)
       | st.text(max_size=1500))
def test_the_credit_detector_accepts_any_text(text):
    assert isinstance(detect(text, WIRES), Credits)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=400), min_size=1, max_size=6))
def test_an_index_takes_any_text(texts):
    index = Index()
    for i, text in enumerate(texts):
        try:
            verdict = index.add(Article(id=str(i), text=text))
        except BadRecord as exc:
            assert exc.reason
        else:
            assert verdict.id == str(i)


def test_credit_detector_on_adversarial_runs():
    """ReDoS probe: long runs of spaces, parentheses and dashes must not raise (or hang:
    a backtracking blow-up would stall the suite; measured times are in the README)."""
    for text in ADVERSARIAL:
        assert isinstance(detect(text, WIRES), Credits)


# --- the stream, for real -------------------------------------------------------

def hostile_feed(count: int, seed: int) -> tuple[bytes, dict[int, str | None]]:
    """``count`` lines, a mix of good and bad; returns the feed and {line: good id | None}."""
    rng = random.Random(seed)
    vocab = vocabulary()
    stories = [story(rng, vocab, 60) for _ in range(50)]
    lines: list[bytes] = []
    expect: dict[int, str | None] = {}
    seen: list[str] = []
    bad_makers = [
        lambda: b'{"text": "unterminated',
        lambda: b'{"text": 17}',
        lambda: b'{"text": "ok", "id": {"nested": [1, [2, [3]]]}}',
        lambda: b'{"text": "bad \xc3\x28 utf8"}',
        lambda: b'{"text": "raw \x00 nul"}',
        lambda: b'{"text": "\\ud800 lone surrogate"}',
        lambda: b'{"text": "big", "id": 1' + b"9" * 30 + b"}",
        lambda: b"[" * 2000 + b"]" * 2000,
        lambda: b'{"text": "   \\n\\t  "}',
        lambda: b'{"text": ""}',
        lambda: b"12345",
        lambda: b'"a string"',
        lambda: b"null",
        lambda: b'{"title": "no text"}',
        lambda: b'{"text": "ok", "published": "last tuesday"}',
        lambda: json.dumps({"id": rng.choice(seen), "text": "dup"}).encode() if seen else b"[]",
        lambda: b"\x1b[2J\x07\x08 control junk",
        lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).replace(
            b"\n", b"").replace(b"\r", b"") or b"\xff",
    ]
    for number in range(1, count + 1):
        if rng.random() < 0.5:
            rid = f"g{number}"
            text = rng.choice(stories) if rng.random() < 0.3 else story(rng, vocab, 40)
            text += rng.choice(["", " \u0000 ", " \u200b\u202e ", " \U0001F600", " \t\u0007"])
            record = {"id": rid, "text": text, "unknown": [1, {"x": None}]}
            if rng.random() < 0.2:
                record["published"] = "2025-05-08T09:53:00+08:00"
            lines.append(json.dumps(record).encode())
            expect[number] = rid
            seen.append(rid)
        else:
            raw = rng.choice(bad_makers)()
            if raw.strip(b" \t\x0b\x0c\x1c\x1d\x1e\x1f\x85") == b"":
                raw = b"{"
            lines.append(raw)
            expect[number] = None
    return b"\n".join(lines) + b"\n", expect


def test_ten_thousand_hostile_records_through_dedup_stream():
    count = 10_500
    feed, expect = hostile_feed(count, seed=8)
    proc = subprocess.run([sys.executable, "-m", "dedup", "stream"], input=feed,
                          capture_output=True, timeout=300)
    err = proc.stderr.decode(errors="replace")
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode == 3
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    out = [o for o in out if o.get("event") != "reattributed"]
    assert len(out) == count  # one line per record, in order
    goods = errors = 0
    wanted = [expect[n] for n in range(1, count + 1)]
    for number, (line, good_id) in enumerate(zip(out, wanted, strict=True), start=1):
        if good_id is not None:
            assert line.get("id") == good_id and "error" not in line, (number, line)
            assert set(line) >= {"cluster", "original", "duplicate", "relation", "why"}
            goods += 1
        else:
            assert line.get("line") == number and line["error"], (number, line)
            errors += 1
    assert goods > 4000 and errors > 4000
    assert f"{errors} errors" in err


def test_ci_runs_the_property_tests_derandomized():
    """With CI set the examples are pinned (the same run every time); without it they are
    random. Read in a fresh interpreter, as pytest loads tests/conftest.py."""
    probe = ("import tests.conftest\nfrom hypothesis import settings\n"
             "print(settings.default.derandomize, settings.default.database)")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}

    def derandomized(**extra: str) -> list[str]:
        root = os.path.dirname(os.path.dirname(__file__))
        return subprocess.run([sys.executable, "-c", probe], env={**env, **extra}, cwd=root,
                              capture_output=True, text=True, check=True).stdout.split()

    assert derandomized(CI="true") == ["True", "None"]
    assert derandomized()[0] == "False"
    assert derandomized(HYPOTHESIS_PROFILE="ci")[0] == "True"
