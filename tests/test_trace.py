"""Tracing: rewritten copies traced to their source, exact scores, ranking, floor, CLI."""

import functools
import json
import random

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Article, BadRecord
from dedup.cli import EXIT_SKIPPED, cli
from dedup.credits import detect
from dedup.normalize import normalize
from dedup.shingle import Shingler
from dedup.trace import DEFAULT_FLOOR, TRACE_CJK_NGRAM, TRACE_WORD_NGRAM, Tracer, trace
from dedup.wires import WireRegistry

from .conftest import SHARED_DATA
from .textgen import chinese_edit, chinese_story, edit, story, vocabulary

VOCAB = vocabulary()


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


SHINGLER = Shingler(TRACE_WORD_NGRAM, TRACE_CJK_NGRAM)
WIRES = WireRegistry.default()


@functools.cache
def shingle_set(text: str) -> frozenset:
    return frozenset(SHINGLER.shingles(normalize(detect(text, WIRES).body)).tolist())


def exact(article: str, source: str) -> tuple[float, float]:
    """(containment of article in source, Jaccard), computed independently of the tracer."""
    a, s = shingle_set(article), shingle_set(source)
    return len(a & s) / len(a), len(a & s) / len(a | s)


def rewrite(rng: random.Random, text: str, rate: float) -> str:
    """A heavy newsroom rewrite: sentences reordered and dropped, words replaced."""
    sentences = [s for s in text.replace("\n\n", " ").split(". ") if s]
    rng.shuffle(sentences)
    kept = sentences[: int(len(sentences) * 0.7)]
    return edit(rng, VOCAB, ". ".join(kept) + ".", rate)


@pytest.fixture(scope="module")
def newsroom():
    """60 wire stories; a sibling of story 0 borrowing two of its sentences; rewritten copies."""
    rng = random.Random(31)
    wires = [story(rng, VOCAB, rng.randint(250, 500)) for _ in range(60)]
    borrowed = ". ".join(wires[0].replace("\n\n", " ").split(". ")[2:4])
    sibling = story(rng, VOCAB, 300) + " " + borrowed + "."
    sources = [Article(id=f"wire-{i}", text=t, source="Xinhua") for i, t in enumerate(wires)]
    sources.append(Article(id="sibling-of-0", text=sibling, source="Xinhua"))
    copies = [Article(id=f"paper-{i}", text=rewrite(rng, wires[i], 0.3), source="Herald")
              for i in range(20)]
    return sources, copies


def test_heavily_rewritten_copies_are_traced_to_their_wire_story(newsroom):
    sources, copies = newsroom
    results = list(trace(copies, sources, top=5))
    assert [r.id for r in results] == [c.id for c in copies]
    for i, result in enumerate(results):
        best = result.candidates[0]
        assert best.id == f"wire-{i}"
        assert best.source == "Xinhua"
        # Well below any duplicate threshold: whole-story matching cannot see these.
        containment, similarity = exact(copies[i].text, sources[i].text)
        assert similarity < 0.5
        assert (best.containment, best.similarity) == (round(containment, 4), round(similarity, 4))


def test_candidates_are_best_first_exact_and_above_the_floor(newsroom):
    sources, copies = newsroom
    by_id = {s.id: s for s in sources}
    for result in trace(copies[:5], sources, top=10, floor=0.02):
        assert len(result.candidates) <= 10
        keys = [(-c.similarity, -c.containment) for c in result.candidates]
        assert keys == sorted(keys)
        for c in result.candidates:
            containment, similarity = exact(copies[int(result.id.split("-")[1])].text,
                                            by_id[c.id].text)
            assert c.containment == round(containment, 4) >= 0.02
            assert c.similarity == round(similarity, 4)
            assert 0 < c.shared and 0 < c.coverage <= 1


def test_floor_and_top_limit_the_list(newsroom):
    sources, copies = newsroom
    low = next(trace(copies[:1], sources, top=50, floor=0.0)).candidates
    default = next(trace(copies[:1], sources, top=50)).candidates
    assert len(low) > len(default) >= 1
    assert all(c.containment >= DEFAULT_FLOOR for c in default)
    assert any(c.containment < DEFAULT_FLOOR for c in low)
    assert [c.id for c in next(trace(copies[:1], sources, top=2, floor=0.0)).candidates] == \
        [c.id for c in low[:2]]


def test_sibling_story_ranks_below_the_story_it_borrowed_from(newsroom):
    sources, _ = newsroom
    sibling = next(s for s in sources if s.id == "sibling-of-0")
    others = [s for s in sources if s.id != "sibling-of-0"]
    result = next(trace([sibling], others, floor=0.0))
    assert result.candidates[0].id == "wire-0"
    assert result.candidates[0].containment < 0.5  # borrowed sentences, not a copy


def test_an_article_is_never_its_own_candidate(newsroom):
    sources, _ = newsroom
    results = list(trace(sources, sources, top=3, floor=0.0))
    assert all(c.id != r.id for r in results for c in r.candidates)


def test_chinese_rewrites_are_traced():
    rng = random.Random(5)
    wires = [chinese_story(rng, rng.randint(500, 900)) for _ in range(30)]
    sources = [Article(id=f"xh-{i}", text=t, source="新华社") for i, t in enumerate(wires)]
    copies = [Article(id=f"bao-{i}", text=chinese_edit(rng, w[: len(w) * 2 // 3], 0.3))
              for i, w in enumerate(wires[:10])]
    for i, result in enumerate(trace(copies, sources)):
        assert result.candidates[0].id == f"xh-{i}"
        assert result.candidates[0].similarity < 0.5


def test_frequent_shingles_are_counted_exactly_with_many_sources():
    """Candidates come from shingles few sources have; their scores count every shingle."""
    rng = random.Random(17)
    boilerplate = "The agency said the figures would be updated on its website later today."
    texts = [story(rng, VOCAB, 120) + " " + boilerplate for _ in range(300)]
    sources = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
    articles = [Article(id=f"a{i}", text=edit(rng, VOCAB, texts[i], 0.2)) for i in range(10)]
    halves = [t.split(". ") for t in (texts[20], texts[21])]
    mixed = ". ".join(halves[0][: len(halves[0]) // 2] + halves[1][: len(halves[1]) // 2])
    articles.append(Article(id="mixed", text=mixed))
    tracer = Tracer(sources)
    for i, result in enumerate(tracer.trace(articles, top=20, floor=0.0)):
        for c in result.candidates:  # exact, the boilerplate's shingles included
            containment, similarity = exact(articles[i].text, texts[int(c.id)])
            assert (c.containment, c.similarity) == (round(containment, 4), round(similarity, 4))
        listed = {c.id for c in result.candidates}
        substantial = {str(j) for j, t in enumerate(texts) if exact(articles[i].text, t)[0] >= 0.2}
        assert substantial <= listed
        if result.id != "mixed":
            assert result.candidates[0].id == str(i)
    # Sharing only the boilerplate (in every source) does not make a candidate.
    own_words = " ".join(f"qx{k}" for k in range(40))  # in no source
    lone = Article(id="lone", text=own_words + ". " + boilerplate)
    assert exact(lone.text, texts[0])[0] >= DEFAULT_FLOOR
    assert next(tracer.trace([lone])).candidates == []


def test_credits_do_not_make_unrelated_wire_stories_similar():
    rng = random.Random(8)
    dateline = "BEIJING, May 8 (Xinhua) -- "
    sources = [Article(id=f"w{i}", text=dateline + story(rng, VOCAB, 60)) for i in range(5)]
    article = Article(id="a", text=dateline + story(rng, VOCAB, 60))
    assert next(trace([article], sources, floor=0.1)).candidates == []


def test_duplicate_source_ids_are_an_error():
    with pytest.raises(BadRecord, match="duplicate source id"):
        Tracer([Article(id="x", text="one two three"), Article(id="x", text="four five")])


def test_empty_inputs():
    assert list(trace([], [Article(id="s", text="a b c")])) == []
    result = next(trace([Article(id="a", text="words of an article")], []))
    assert result.candidates == [] and result.to_dict() == {"id": "a", "candidates": []}


def _write(folder, name, text, **meta):
    head = "".join(f"{k}: {v}\n" for k, v in meta.items())
    (folder / name).write_text(f"---\n{head}---\n{text}" if meta else text, "utf-8")


def test_cli_trace(tmp_path, newsroom):
    sources, copies = newsroom
    wires, papers = tmp_path / "wires", tmp_path / "papers"
    wires.mkdir()
    papers.mkdir()
    for s in sources[:10]:
        _write(wires, f"{s.id}.txt", s.text, source="Xinhua")
    for c in copies[:3]:
        _write(papers, f"{c.id}.txt", c.text)
    result = run("trace", str(papers), "--against", str(wires), "--top", "2")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["paper-0.txt", "paper-1.txt", "paper-2.txt"]
    for i, line in enumerate(lines):
        assert 1 <= len(line["candidates"]) <= 2
        assert line["candidates"][0]["id"] == f"wire-{i}.txt"
        assert line["candidates"][0]["source"] == "Xinhua"
        assert {"id", "containment", "similarity", "source"} <= set(line["candidates"][0])
    assert "3 articles traced against 10 sources" in result.stderr
    strict = run("trace", str(papers), "--against", str(wires), "--floor", "0.99")
    assert all(json.loads(x)["candidates"] == [] for x in strict.stdout.splitlines())


def test_cli_trace_needs_sources_and_reports_duplicates(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "s", "text": "one two three four"}\n'
                                      '{"id": "s", "text": "five six seven eight"}\n', "utf-8")
    (tmp_path / "b.txt").write_text("one two three four", "utf-8")
    usage = run("trace", str(tmp_path / "b.txt"))
    assert usage.exit_code == 2 and "--against" in usage.stderr
    result = run("trace", str(tmp_path / "b.txt"), "--against", str(tmp_path / "a.jsonl"))
    assert result.exit_code == EXIT_SKIPPED
    assert "a.jsonl: id 's': duplicate id: the first record with it was read from" \
        in result.stderr
    assert json.loads(result.stdout)["candidates"][0]["id"] == "s"


def test_cli_trace_against_a_persistent_index(tmp_path, newsroom):
    sources, copies = newsroom
    feed = tmp_path / "wires.jsonl"
    feed.write_text("".join(json.dumps({"id": s.id, "text": s.text, "source": s.source}) + "\n"
                            for s in sources[:8]), "utf-8")
    db = tmp_path / "news.db"
    built = run("batch", str(feed), "--index", str(db))
    assert built.exit_code == 0, built.stderr
    paper = tmp_path / "paper.txt"
    paper.write_text(copies[4].text, "utf-8")
    result = run("trace", str(paper), "--index", str(db))
    assert result.exit_code == 0, result.stderr
    best = json.loads(result.stdout)["candidates"][0]
    assert best["id"] == "wire-4" and best["source"] == "Xinhua"
    np.testing.assert_allclose(best["containment"], exact(copies[4].text, sources[4].text)[0],
                               atol=1e-4)


COUNTER = SHARED_DATA / "counter-dev"


@pytest.mark.skipif(not COUNTER.is_dir(), reason=f"evaluation data not present: {COUNTER}")
def test_real_urdu_rewrites_are_traced_to_their_agency_story():
    """COUNTER: newspaper rewrites of APP stories (bench/counter_eval.py has the full report)."""
    from bench.counter_eval import load
    sources, articles, labels = load(COUNTER)
    assert len(sources) == len(articles) == len(labels) >= 300
    results = list(Tracer(sources).trace(articles))
    top = np.array([bool(r.candidates) and r.candidates[0].id == s.id
                    for r, s in zip(results, sources, strict=False)])
    derived = np.array([label in ("WD", "PD") for label in labels])
    wholly = np.array([label == "WD" for label in labels])
    assert top[wholly].mean() >= 0.98  # measured 1.000
    assert top[derived].mean() >= 0.9  # measured 0.953
    # ... although even wholly derived articles keep under half of their word 5-grams (the
    # shingles whole-story matching uses): they are rewritten, not copied.
    five = Shingler(5, 4)

    def grams(text):
        return set(five.shingles(normalize(detect(text, WIRES).body)).tolist())

    kept = [len(grams(a.text) & grams(s.text)) / len(grams(a.text))
            for a, s, w in zip(articles, sources, wholly, strict=False) if w]
    assert np.mean(kept) < 0.5  # measured 0.42


def test_counter_report_skips_without_its_data(tmp_path):
    from bench.counter_eval import main
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "absent")])
    assert result.exit_code == 0 and "skipped:" in result.stderr and result.stdout == ""
