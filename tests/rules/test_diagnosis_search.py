"""Diagnosis search in a therapist's words (rules/diagnosis_search.py and its reviewed table
rules/data/diagnosis_synonyms.toml): one row per table term, the issue's searches, ranking."""

from __future__ import annotations

import pytest

from dme_service.coding import codes
from dme_service.rules.diagnosis_search import (
    Candidate,
    find_codes,
    level_rank,
    parse_query,
    rank,
    synonyms,
)

# One row per term of the table, in its order: a search a PT would type, the first code.
TERM_ROWS = [
    ("herniated disc neck", "M50.20"),
    ("bulging disc in the neck", "M50.20"),
    ("slipped disc", "M50.20"),
    ("cervical disc protrusion", "M50.20"),
    ("degenerative disc disease neck", "M50.30"),
    ("DDD cervical", "M50.30"),
    ("neck pain", "M54.2"),
    ("pinched nerve", "M54.12"),
    ("whiplash", "S13.4XXA"),
    ("neck sprain", "S13.4XXA"),
    ("strained neck", "S16.1XXA"),
    ("stiff neck", "M54.2"),
    ("arthritis in the neck", "M47.812"),
    ("facet arthropathy", "M47.812"),
    ("stenosis neck", "M48.02"),
    ("TMJ", "M26.609"),
    ("radical neck dissection", "Z90.09"),
]


def test_every_term_of_the_table_has_a_test_row():
    assert len(TERM_ROWS) == len(synonyms().terms)


@pytest.mark.parametrize(("query", "first"), TERM_ROWS)
def test_each_term_finds_its_code_first(query, first):
    found = find_codes(query)
    assert found.results[0]["code"] == first
    assert found.results[0]["billable"] is True


@pytest.mark.parametrize("term", synonyms().terms, ids=lambda t: " ".join(sorted(t.words)))
def test_every_code_in_the_table_is_billable_or_a_category_with_billable_codes(term):
    for pattern in term.codes:
        if pattern.endswith("-"):
            assert any(billable for _, _, billable, _ in codes.codes_under(pattern))
        else:
            found = codes.lookup(pattern)
            assert found is not None and found.billable, pattern


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        # The issue's searches (walk.md, clinician bug 10).
        ("herniated disc neck", {"M50.20"}),
        ("disc herniation c5-c6", {"M50.222", "M50.122"}),
        ("herniated disc c5-c6", {"M50.222", "M50.122"}),
        ("disc herniation neck", {"M50.20"}),
        ("neck pain", {"M54.2"}),
        ("pinched nerve neck", {"M54.12"}),
        ("whiplash", {"S13.4XXA"}),
        ("C6", {"M50.122"}),
        ("c5/6 disc", {"M50.222", "M50.122", "M50.322"}),
    ],
)
def test_the_issue_searches_find_the_cervical_code_first(query, wanted):
    results = find_codes(query).results
    assert results[0]["code"] in wanted
    assert {r["code"] for r in results[: len(wanted)]} <= wanted | {"M50.123"}


def test_a_level_alone_is_a_spinal_level_not_a_code_start():
    results = find_codes("C6").results
    assert not any(r["code"].startswith("C6") for r in results)
    assert all("C6" in r["descriptor"] or r["code"].startswith(("M50", "S1")) for r in results)


def test_codes_still_found_by_their_start():
    assert find_codes("M50122").results[0]["code"] == "M50.122"
    assert find_codes("m50.12").results[0]["code"] == "M50.12"
    assert find_codes("C60").results[0]["code"] == "C60"


def test_cervical_codes_come_first_and_more_is_said():
    found = find_codes("radiculopathy", limit=5)
    assert found.more is True
    assert all(r["code"].startswith(("M47.2", "M50.1", "M54.1")) for r in found.results)
    assert "M47.812" not in [r["code"] for r in find_codes("radiculopathy").results[:10]]


def test_a_short_list_says_there_is_no_more():
    found = find_codes("cervicalgia")
    assert [r["code"] for r in found.results] == ["M54.2"]
    assert found.more is False
    assert find_codes("   ").results == []


@pytest.mark.parametrize(
    ("text", "words", "levels"),
    [
        ("disc herniation C5-C6", ("disc", "herniation"), ("c5-c6",)),
        ("c5/6", (), ("c5-c6",)),
        ("C5-6 radic", ("radic",), ("c5-c6",)),
        ("C6", (), ("c6",)),
        ("c60 cancer", ("c60", "cancer"), ()),
    ],
)
def test_levels_are_read_from_the_words(text, words, levels):
    query = parse_query(text)
    assert query.words == words
    assert query.levels == levels


def test_level_rank_prefers_the_level_on_its_own():
    assert level_rank("c6 radiculopathy due to disc disorder", ("c6",)) == 0
    assert level_rank("cervical disc disorder at c5-c6 level", ("c6",)) == 1
    assert level_rank("malignant neoplasm c60.0", ("c6",)) == 2
    assert level_rank("anything", ()) == 0


def test_rank_is_pure_and_keeps_each_code_once():
    query = parse_query("c6")
    later = Candidate("S14.106A", "Injury at C6 level", True, "s14.106a injury at c6 level")
    best = Candidate("M50.122", "C5-C6 disc", True, "m50.122 c6 radiculopathy")
    again = Candidate("M50.122", "C5-C6 disc", True, "m50.122 c6 radiculopathy", term=0)
    ranked = rank([later, best, again], query)
    assert [c.code for c in ranked] == ["M50.122", "S14.106A"]
    assert ranked[0].term == 0
