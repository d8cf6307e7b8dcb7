"""The memory store's metadata columns give back every ``Doc`` as it was stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np

from dedup.storage.doc_table import BLOCK, Doc, DocTable


def _doc(i: int, **fields) -> Doc:
    base = dict(id=f"a{i}", title=None, url=None, source=None, published=None, arrival=i,
                wire=None, wire_evidence=None, credited=(), credit_text=None, mentions=())
    base.update(fields)
    return Doc(**base)


DOCS = [
    _doc(0),
    _doc(1, title="Rain — “heavy”", url="https://example.org/a?b=1", source="Herald",
         published=datetime(2024, 5, 8, 9, 30, 15, 123456, tzinfo=UTC), wire="Xinhua",
         wire_evidence="source 'Herald'", credited=("Xinhua", "AP"),
         credit_text="BEIJING, May 8 (Xinhua) --", mentions=("Reuters",), added=1.5e9,
         canonical="https://wire.example/x", canonical_wire="AP", extraction="baseline"),
    _doc(2, id="\ud800lone surrogate id", title="", source="Herald",
         published=datetime(1965, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5,
                                                                           minutes=-30)))),
    _doc(3, id="新华社 id", title="新华社北京5月8日电", published=datetime(2024, 5, 8),
         credited=("Xinhua",), source="人民网"),
]


def test_every_field_comes_back_equal_and_typed_alike():
    table = DocTable()
    for doc in DOCS:
        table.append(doc)
    for slot, doc in enumerate(DOCS):
        got = table.get(slot, cluster=doc.cluster)
        assert got == doc
        assert got.published is None or (got.published.utcoffset() ==
                                          doc.published.utcoffset())
        assert table.id(slot) == doc.id and table.arrival(slot) == doc.arrival
    assert table.get(1) is not table.get(1)  # a new object: changing it changes nothing


def test_many_at_once_are_the_same_docs_in_the_order_asked():
    table = DocTable()
    for doc in DOCS:
        table.append(doc)
    order = [3, 0, 2, 1, 3]
    clusters = [7, 8, 9, 10, 11]
    got = table.get_many(order, clusters)
    assert got == [table.get(s, cluster=c) for s, c in zip(order, clusters, strict=True)]
    assert got[0] is not got[4]
    assert table.get_many([], []) == []


def test_keep_renumbers_the_live_slots_and_drops_the_others_bytes():
    table = DocTable()
    for i in range(3000):
        table.append(DOCS[i % len(DOCS)] if i < len(DOCS) else _doc(i, title="t" * (i % 50)))
    before = table.nbytes
    live = np.array([s for s in range(3000) if s % 3 == 0], dtype=np.int64)
    for s in range(3000):
        if s % 3:
            table.kill(s)
    assert not table.live(1) and table.live(3)
    expected = [table.get(int(s)) for s in live]
    table.keep(live)
    assert len(table) == len(live)
    assert [table.get(i) for i in range(len(live))] == expected
    assert table.nbytes < before
    table.append(_doc(99999, title="after"))
    assert table.get(len(live)).title == "after"


def _site_doc(i: int) -> Doc:
    return _doc(i, title=f"Story {i} of the day", url=f"https://news.example.org/2024/05/{i}",
                source="Herald", credit_text=None if i % 4 else f"By staff {i % 7}")


def test_the_strings_are_deflated_a_block_at_a_time_and_read_back_from_any_slot():
    table = DocTable()
    docs = [_site_doc(i) for i in range(3 * BLOCK + 5)]
    table.append_many(docs[:BLOCK - 1])  # one short of a block: nothing deflated
    assert table._blocks == 0
    table.append_many(docs[BLOCK - 1:2 * BLOCK + 3])  # a block and more at once
    for doc in docs[2 * BLOCK + 3:]:
        table.append(doc)
    assert table._blocks == 3 and len(table._tail) > 0
    raw = sum(len(d.id) + len(d.title) + len(d.url) + len(d.credit_text or "") for d in docs)
    assert len(table._packed) + len(table._tail) < raw / 2
    assert [table.get(s) for s in range(len(docs))] == docs
    assert [table.id(s) for s in range(len(docs))] == [d.id for d in docs]
    order = [len(docs) - 1, 0, BLOCK, 1, 2 * BLOCK + 7, BLOCK]
    assert table.get_many(order, [0] * len(order)) == [docs[s] for s in order]


def test_parts_hold_the_whole_arena_and_adopt_takes_it_back():
    table = DocTable()
    docs = [_site_doc(i) for i in range(2 * BLOCK + 9)]
    table.append_many(docs)
    state, arrays = table.parts()
    arena = arrays.pop("_arena")
    assert len(arena) == sum(max(n, 0) for n in table._lengths[:len(docs)].ravel().tolist())
    copy = DocTable()
    copy.adopt(state, arrays, bytearray(arena.tobytes()))
    assert [copy.get(s) for s in range(len(docs))] == docs
    copy.append(_site_doc(999))
    assert copy.get(len(docs)) == _site_doc(999) and copy.id(len(docs) - 1) == docs[-1].id
