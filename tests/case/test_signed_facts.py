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


# --- the clinical history the letter states (case/history.py) -------------------------------

HISTORY = {
    "physical_therapy_weeks": 6,
    "physical_therapy_traction": "without",
    "physical_therapy_result": "arm pain unchanged",
    "medications": "naproxen 500 mg twice a day",
    "medications_result": "no relief of arm pain",
    "clinic_traction_sessions": 4,
    "clinic_traction_result": "eased for hours",
    "imaging_kind": "mri",
    "imaging_date": "2026-09-14",
    "imaging_finding": "C5-C6 protrusion",
    "neurological_signs": "weak grip on the left",
    "spurling_test": "positive",
    "distraction_test": "positive",
    "ultt_a": "positive",
    "shoulder_abduction_test": "negative",
    "mobility_peripheralization": "positive",
    "ndi_percent": 42,
    "psfs_average": 3.5,
}
OTHER_VALUES = {
    "physical_therapy_weeks": 8,
    "physical_therapy_traction": "with",
    "physical_therapy_result": "arm pain a little better",
    "medications": "ibuprofen",
    "medications_result": "some relief",
    "clinic_traction_sessions": 6,
    "clinic_traction_result": "no change",
    "imaging_kind": "ct",
    "imaging_date": "2026-09-15",
    "imaging_finding": "C6-C7 narrowing",
    "neurological_signs": "normal reflexes",
    "spurling_test": "negative",
    "distraction_test": "negative",
    "ultt_a": "negative",
    "shoulder_abduction_test": "positive",
    "mobility_peripheralization": "negative",
    "ndi_percent": 30,
    "psfs_average": 5,
}


def test_every_history_field_the_letter_prints_is_a_signed_fact_of_the_letter_only():
    from dme_service.case.history import FIELDS

    assert set(HISTORY) == set(OTHER_VALUES) == set(FIELDS)
    for key in FIELDS:
        changed = {**HISTORY, key: OTHER_VALUES[key]}
        order = signed_facts(EXAMPLE, "eligible", letter=False, history=HISTORY)
        assert order == signed_facts(EXAMPLE, "eligible", letter=False, history=changed), key
        letter = signed_facts(EXAMPLE, "eligible", letter=True, history=HISTORY)
        assert letter != signed_facts(EXAMPLE, "eligible", letter=True, history=changed), key
        removed = {k: v for k, v in HISTORY.items() if k != key}
        assert letter != signed_facts(EXAMPLE, "eligible", letter=True, history=removed), key


def test_a_letter_without_history_has_the_facts_it_had_before_history_existed():
    """Signatures made before any history was recorded keep matching (no new key)."""
    facts = _facts(EXAMPLE, letter=True)
    assert "history" not in facts
    assert signed_facts(EXAMPLE, "eligible", letter=True, history={}) == facts
    assert signed_facts(EXAMPLE, "eligible", letter=True, history=None) == facts


def test_history_changes_are_named_in_clinic_words():
    before = signed_facts(EXAMPLE, "eligible", letter=True, history=HISTORY)
    after_history = {
        **HISTORY,
        "physical_therapy_weeks": 8,
        "physical_therapy_result": "a long sentence the warning does not repeat",
        "imaging_kind": "ct",
        "spurling_test": "negative",
    }
    after_history.pop("ndi_percent")
    after = signed_facts(EXAMPLE, "eligible", letter=True, history=after_history)
    assert summary(changes(before, after)) == (
        "weeks of physical therapy 6 weeks → 8 weeks; result of physical therapy; "
        "kind of study MRI of the cervical spine → CT of the cervical spine; "
        "Spurling's test positive → negative; Neck Disability Index 42 % → not recorded"
    )


def test_history_recorded_after_signing_is_a_change():
    before = _facts(EXAMPLE, letter=True)
    after = signed_facts(EXAMPLE, "eligible", letter=True, history={"physical_therapy_weeks": 6})
    assert summary(changes(before, after)) == ("weeks of physical therapy not recorded → 6 weeks")
