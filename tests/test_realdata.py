"""Issue 15 on real data (read in place from ../shared/data, never copied): Chinese reprints
(CRUD-RAG) and real news pages (L3S-GN1), measured by ``bench.realdata`` on a subset.

The ground truth is exact n-gram overlap (the sets have no duplicate labels); see
``bench/realdata.py`` for the definitions. ``python -m bench.realdata`` runs the whole sets.
"""

import pytest

from bench.realdata import (
    CRUD,
    L3S,
    L3S_GOLD,
    L3S_PAGES,
    TARGETS,
    evaluate_crud,
    evaluate_l3s,
    l3s_subset,
    load_crud,
    load_l3s,
)
from tests.conftest import SHARED_DATA

CRUD_ARTICLES = 3000  # ~3 s: 155 copy pairs, 19 templated report pairs, 19k unrelated pairs
L3S_FIRST = 100  # with the same-site and cross-site pages: ~380 of the 621 pages, ~10 s


def _need(*parts: str) -> None:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real evaluation data not found: looked for {path} (set DEDUP_SHARED_DATA "
                    "to the folder that holds crud-rag-zh-dev/ and l3s-gn1-html/)")


@pytest.fixture(scope="module")
def crud() -> dict:
    _need(CRUD)
    return evaluate_crud(load_crud(SHARED_DATA / CRUD, CRUD_ARTICLES))


@pytest.fixture(scope="module")
def l3s() -> dict:
    _need(L3S, L3S_GOLD)
    _need(L3S, L3S_PAGES)
    return evaluate_l3s(l3s_subset(load_l3s(SHARED_DATA / L3S), L3S_FIRST))


def test_crud_copies_of_one_story_are_clustered(crud):
    # Copies whose numbers agree: reprints, trimmed and re-headlined copies, edited versions.
    assert crud["copy_pairs"] >= 100, "the sample should hold real copies"
    assert crud["copies_clustered_share"] >= TARGETS["copies_clustered"], crud["missed"]


def test_crud_templated_reports_are_not_merged(crud):
    # Daily fund/market reports of one template share their wording (J >= 0.5) and differ in
    # their numbers: different reports, kept apart by the number rule.
    assert crud["templated_pairs"] >= 10
    assert crud["templated_merged"] == 0


def test_crud_unrelated_pairs_are_not_merged(crud):
    assert crud["unrelated_pairs"] >= 1000
    assert crud["unrelated_merged_share"] <= TARGETS["unrelated_merged"], crud["false_merges"]
    assert crud["merged_pairs_unrelated"] == 0


def test_l3s_every_annotated_page_gets_a_verdict(l3s):
    assert l3s["annotated_with_verdict"] == l3s["annotated_pages"], l3s["lost"]
    assert l3s["extracted_by_fallback"] >= 1, "the subset should hold a page only a fallback reads"


def test_l3s_cross_site_copies_are_clustered(l3s):
    assert l3s["cross_site_copies"] >= 5
    assert l3s["cross_site_clustered"] == l3s["cross_site_copies"], l3s["missed"]


def test_l3s_unrelated_pages_of_one_site_are_not_merged(l3s):
    assert l3s["same_site_unrelated_pairs"] >= 100
    assert l3s["same_site_unrelated_merged"] == 0, l3s["false_merges"]
