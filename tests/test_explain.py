"""Explaining a pair: shared passages mapped to offsets in both originals, scores, evidence."""

import json
import random
import unicodedata
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from dedup import Article, BadRecord
from dedup.cli import cli
from dedup.explain import explain, shared_passages
from dedup.normalize import normalize
from dedup.shingle import Shingler, tokens

from .conftest import EXAMPLES
from .textgen import chinese_edit, chinese_story, story, vocabulary

VOCAB = vocabulary()


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def same_tokens(a: str, b: str) -> bool:
    fold = lambda s: tokens(unicodedata.normalize("NFKC", s).casefold())  # noqa: E731
    return fold(a) == fold(b)


def check_passages(a: str, b: str, passages, n: int) -> None:
    """Offsets point at the same tokens in both texts; sorted, no overlap in A, ≥ n tokens."""
    last_end = 0
    for p in passages:
        assert p.text == a[p.a_start:p.a_end]
        assert same_tokens(a[p.a_start:p.a_end], b[p.b_start:p.b_end])
        assert p.tokens == len(tokens(normalize(p.text))) >= n
        assert p.a_start >= last_end
        last_end = p.a_end


def test_passages_map_back_to_the_original_strings():
    a = ("BEIJING, May 8 (Xinhua) -- The “Harbour Bridge” will carry trams from next spring, "
         "the city council said on Thursday.\n\nWork on the second span starts in June.")
    b = ("Daily Harbor\n\nthe \"harbour bridge\" WILL carry trams from next spring, the city "
         "council said on Thursday, after a long debate. Work on the second span starts in June.")
    passages = shared_passages(a, b)
    check_passages(a, b, passages, 5)
    assert [p.text for p in passages] == [
        "The “Harbour Bridge” will carry trams from next spring, the city council said on "
        "Thursday",
        "Work on the second span starts in June"]
    assert b[passages[0].b_start:passages[0].b_end] == \
        'the "harbour bridge" WILL carry trams from next spring, the city council said on Thursday'


def test_full_width_and_case_folding_keep_offsets_right():
    a = ("Intro words here. ＡＢＣ Ｃｏｒｐ said ｐｒｏｆｉｔｓ rose 12 percent in the quarter, "
         "STRASSE ﬁnal.")
    b = "abc corp said profits rose 12 percent in the quarter, straße final. Other text follows."
    passages = shared_passages(a, b)
    check_passages(a, b, passages, 5)
    assert passages[0].text.startswith("ＡＢＣ Ｃｏｒｐ") and "quarter" in passages[0].text


def test_chinese_passages_use_character_ngrams():
    rng = random.Random(2)
    base = chinese_story(rng, 400)
    copy = "本报讯 " + chinese_edit(rng, base[:300], 0.02) + "（完）"
    passages = shared_passages(base, copy)
    check_passages(base, copy, passages, 4)
    covered = sum(p.a_end - p.a_start for p in passages)
    assert covered > 0.8 * 300
    assert shared_passages(base, chinese_story(rng, 400)) == []


@pytest.mark.parametrize("seed", range(5))
def test_inserted_segments_are_found_whole(seed):
    rng = random.Random(seed)
    segments = [story(rng, VOCAB, 30).replace("\n\n", " ") for _ in range(3)]
    a = " ".join(story(rng, VOCAB, 60) + " " + s for s in segments)
    b = " ".join(s + " " + story(rng, VOCAB, 50) for s in reversed(segments))
    passages = shared_passages(a, b)
    check_passages(a, b, passages, 5)
    for segment in segments:
        start = a.index(segment)
        assert any(p.a_start <= start and start + len(segment) <= p.a_end + 1 for p in passages)


def test_no_passages_without_a_shared_run():
    assert shared_passages("one two three four five six", "six five four three two one") == []
    assert shared_passages("", "anything at all here") == []
    assert shared_passages("a b c", "a b c", word_ngram=5) == []
    assert [p.tokens for p in shared_passages("a b c", "a b c", word_ngram=3)] == [3]


def _exact(a: str, b: str) -> tuple[float, float, float]:
    from dedup.credits import detect
    from dedup.wires import WireRegistry
    shingler = Shingler(5, 4)
    x, y = (set(shingler.shingles(normalize(detect(t, WireRegistry.default()).body)).tolist())
            for t in (a, b))
    return len(x & y) / len(x | y), len(x & y) / len(x), len(x & y) / len(y)


def test_explain_a_trimmed_copy_dated_before_the_wire():
    rng = random.Random(11)
    body = story(rng, VOCAB, 400)
    wire = Article(id="xinhua-1", text="BEIJING, May 8 (Xinhua) -- " + body, source="Xinhua",
                   published=datetime(2025, 5, 8, 10, 0, tzinfo=UTC))
    cut = body[: len(body) * 3 // 5]
    copy = Article(id="herald-7", text=cut + "\n\nSource: Xinhua", source="Daily Herald",
                   published=datetime(2025, 5, 8, 9, 30, tzinfo=UTC))
    result = explain(copy, wire)
    similarity, a_in_b, b_in_a = _exact(copy.text, wire.text)
    assert (result.similarity, result.containment_a_in_b, result.containment_b_in_a) == \
        (round(similarity, 4), round(a_in_b, 4), round(b_in_a, 4))
    assert result.relation == "excerpt" and result.copy == "herald-7"
    assert result.original == "xinhua-1" and result.origin_source == "Xinhua"
    assert result.why[0] == "original: published by wire Xinhua (source 'Xinhua')"
    assert any(w.startswith("conflict: 'herald-7' is dated 2025-05-08T09:30:00Z, before the "
                            "wire's own copy") for w in result.why)
    assert result.b.wire == "Xinhua" and result.a.wire is None
    for evidence, text in ((result.a, copy.text), (result.b, wire.text)):
        for credit in evidence.credits:
            assert text[credit["start"]:credit["end"]] == credit["text"]
    assert [c["kind"] for c in result.b.credits] == ["dateline"]
    assert [(c["kind"], c["wire"]) for c in result.a.credits] == [("source_line", "Xinhua")]
    check_passages(copy.text, wire.text, result.passages, 5)
    assert sum(p.tokens for p in result.passages) >= 0.95 * len(tokens(normalize(cut)))
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data


def test_explain_unrelated_articles_and_credit_only_origin():
    rng = random.Random(12)
    a = Article(id="a", text="WASHINGTON (AP) — " + story(rng, VOCAB, 200), source="Metro Ledger")
    b = Article(id="b", text=story(rng, VOCAB, 200), source="Daily Harbor",
                published=datetime(2025, 1, 2, tzinfo=UTC))
    result = explain(a, b)
    assert result.relation is None and result.copy is None and result.passages == []
    assert result.similarity < 0.05
    # Ranking still applies: A's credit line names a wire, B has only a date.
    assert result.original == "a" and result.origin_source == "AP"
    assert result.why[0] == "original: its credit line names AP"


def test_explain_needs_two_ids():
    with pytest.raises(BadRecord, match="both articles have this id"):
        explain(Article(id="x", text="a b c"), Article(id="x", text="a b c"))


def test_cli_explain_files_and_ids(tmp_path):
    by_id = run("explain", "sites/dailyharbor/china-portugal-talks.txt",
                "xinhua-20250508-cn-pt-talks", "--in", str(EXAMPLES), "--format", "json")
    assert by_id.exit_code == 0, by_id.stderr
    data = json.loads(by_id.stdout)
    assert data["original"] == "xinhua-20250508-cn-pt-talks" and data["relation"] == "near"
    assert data["origin_source"] == "Xinhua"
    assert any(w.startswith("conflict:") for w in data["why"])
    text = run("explain", str(EXAMPLES / "sites/dailyharbor/china-portugal-talks.txt"),
               str(EXAMPLES / "sites/metro-ledger/china-portugal.md"))
    assert text.exit_code == 0, text.stderr
    assert "relation: near" in text.stdout and "shared passages:" in text.stdout
    missing = run("explain", "nope", "xinhua-20250508-cn-pt-talks", "--in", str(EXAMPLES))
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.stderr
    many = run("explain", str(EXAMPLES / "feeds/newsroll.jsonl"),
               str(EXAMPLES / "sites/metro-ledger/china-portugal.md"))
    assert many.exit_code == 1 and "holds 3 articles" in many.stderr
