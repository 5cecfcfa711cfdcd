"""What a signature covers: the facts the signed order and letter print, and nothing else."""

from __future__ import annotations

import copy

import pytest
from sample_case import EXAMPLE

from dme_service.case.signed_facts import changes, signed_facts, summary


def _facts(document, *, letter, status="eligible"):
    return signed_facts(document, status, letter=letter)


def _changed(path: str, value, *, letter: bool) -> bool:
    before = copy.deepcopy(EXAMPLE)
    after = copy.deepcopy(EXAMPLE)
    target = after
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return _facts(before, letter=letter) != _facts(after, letter=letter)


# (field, a new value, changes the order's facts, changes the letter's facts)
FIELDS = [
    ("patient.name", "Someone Else", True, True),
    ("patient.date_of_birth", "1950-01-02", True, True),
    ("patient.member_id", "9XY9XY9XY99", True, True),
    ("payer", "aetna", True, True),
    ("diagnoses", ["M54.12"], True, True),
    ("request.hcpcs", "E0849", True, True),
    ("request.force_lb", 14, True, True),
    ("request.minutes", 20, True, True),
    ("request.sessions_per_day", 3, True, True),
    ("request.length_of_need_months", 6, True, True),
    ("treating_practitioner.name", "Another Doctor", True, True),
    # The order prints the frequency built from the numbers, never the typed sentence.
    ("request.frequency_text", "15 minutes twice a day", False, False),
    # The letter prints the force as a share of the weight; the order does not print it.
    ("patient.weight_lb", 179, False, True),
    ("onset_date", "2026-01-02", False, True),
    ("trials.0.pain_after", 0, False, True),
    ("screening.glaucoma", True, False, True),
    ("also_requested", ["inversion_table"], False, True),
    # Neither document prints these; the decision they feed is a signed fact of its own.
    ("abn_on_file", True, False, False),
    ("prior_devices", [{"hcpcs": "E0860", "date": "2020-01-01"}], False, False),
]


@pytest.mark.parametrize(("path", "value", "order", "letter"), FIELDS)
def test_a_fact_is_signed_exactly_when_a_signed_document_prints_it(path, value, order, letter):
    assert _changed(path, value, letter=False) is order
    assert _changed(path, value, letter=True) is letter


def test_the_coverage_decision_is_a_signed_fact():
    assert _facts(EXAMPLE, letter=False) != _facts(EXAMPLE, letter=False, status="not_covered")


def test_changes_are_named_in_clinic_words_with_both_values():
    before = _facts(EXAMPLE, letter=True)
    document = copy.deepcopy(EXAMPLE)
    document["request"]["minutes"] = 20
    document["screening"]["glaucoma"] = True
    document["trials"][0]["pain_after"] = 0
    found = changes(before, _facts(document, letter=True))
    assert summary(found) == (
        f"minutes per session {EXAMPLE['request']['minutes']} min → 20 min; "
        "supervised trials; screening: glaucoma no → yes"
    )


def test_nothing_changed_names_nothing():
    facts = _facts(EXAMPLE, letter=True)
    assert changes(facts, copy.deepcopy(facts)) == []
