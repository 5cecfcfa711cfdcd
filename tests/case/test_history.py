"""The clinical history's one judge (case/history.py): every door's bounds and messages."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.case.history import (
    FIELDS,
    LABELS,
    ClinicalHistory,
    HistoryInvalid,
    from_values,
    letter_problem,
    parse_history,
)

TODAY = date(2026, 12, 6)

FULL = {
    "physical_therapy_weeks": 6,
    "physical_therapy_traction": "without",
    "physical_therapy_result": "neck and left arm pain unchanged (NPRS 7 before and after)",
    "medications": "ibuprofen 600 mg three times a day for 4 weeks",
    "medications_result": "partial relief of neck pain, none of arm pain",
    "clinic_traction_sessions": 4,
    "clinic_traction_result": "arm pain eased for a few hours after each session",
    "imaging_kind": "mri",
    "imaging_date": "2026-09-14",
    "imaging_finding": "C5-C6 disc protrusion contacting the left C6 nerve root",
    "neurological_signs": "a reduced left biceps reflex and 4/5 wrist extension strength",
    "spurling_test": "positive",
    "distraction_test": "positive",
    "ultt_a": "positive",
    "shoulder_abduction_test": "negative",
    "mobility_peripheralization": "positive",
    "ndi_percent": 42,
    "psfs_average": 3.5,
}


def _problems(value) -> dict[str, str]:
    with pytest.raises(HistoryInvalid) as refused:
        parse_history(value, today=TODAY)
    return {error.field: error.message for error in refused.value.errors}


def test_every_field_is_read_and_given_back_as_sent():
    history = parse_history(FULL, today=TODAY)
    assert history.as_document() == FULL
    assert history.imaging_date == date(2026, 9, 14)
    assert set(FULL) == set(FIELDS) == set(LABELS)


def test_nothing_recorded_is_no_history():
    assert parse_history(None).recorded is False
    assert parse_history({}).recorded is False
    blank = parse_history({"medications": "  ", "ndi_percent": ""}, today=TODAY)
    assert blank == ClinicalHistory()
    assert blank.as_document() == {}


def test_numbers_typed_as_text_are_read_as_numbers():
    history = parse_history(
        {"physical_therapy_weeks": "6", "psfs_average": "3.0", "ndi_percent": "42"}, today=TODAY
    )
    assert history.as_document() == {
        "physical_therapy_weeks": 6,
        "psfs_average": 3,
        "ndi_percent": 42,
    }


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("physical_therapy_weeks", 0, "whole number from 1 to 104"),
        ("physical_therapy_weeks", 6.5, "whole number from 1 to 104"),
        ("physical_therapy_weeks", "six", "whole number from 1 to 104"),
        ("physical_therapy_weeks", True, "whole number from 1 to 104"),
        ("clinic_traction_sessions", 201, "whole number from 1 to 200"),
        ("ndi_percent", 101, "whole number from 0 to 100"),
        ("psfs_average", 11, "from 0 to 10"),
        ("psfs_average", "nan", "from 0 to 10"),
        ("imaging_date", "2026-02-30", "real date"),
        ("imaging_date", "2027-01-01", "after today"),
        ("imaging_kind", "pet", "Choose one of: mri, xray, ct, emg"),
        ("spurling_test", "yes", "Choose one of: positive, negative"),
        ("physical_therapy_traction", "some", "Choose one of: with, without"),
        ("medications", "x" * 301, "300 characters or fewer (it has 301)"),
        ("neurological_signs", "reflex\treduced", "on one line"),
        ("physical_therapy_result", 7, "as text"),
    ],
)
def test_a_bad_value_is_refused_at_its_field_in_words(key, value, words):
    problems = _problems({**FULL, key: value})
    assert list(problems) == [f"history.{key}"]
    assert words in problems[f"history.{key}"]


def test_an_unknown_key_is_named():
    assert "is not a history field" in _problems({"pt_weeks": 6})["history.pt_weeks"]


def test_not_an_object_is_refused():
    assert _problems(["6 weeks of PT"]) == {"history": "must be an object of recorded facts"}


def test_a_result_needs_what_it_is_the_result_of():
    problems = _problems({"medications_result": "no relief"})
    assert problems == {"history.medications": "Name the medications tried, or clear their result."}
    problems = _problems({"imaging_finding": "C5-C6 protrusion"})
    assert "Choose the kind of study" in problems["history.imaging_kind"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("failed all conservative care", "not that all conservative care failed"),
        ("pain-free after traction", "give the pain scores"),
        ("traction will prevent surgery", "prevents surgery"),
        ("no side effects", "say what was observed"),
        ("a permanent solution", "permanent result"),
        ("compliant with the home program", "say what the patient did"),
        ("ibuprofen 600 mg PRN", "instead of 'PRN'"),
        ("naproxen 500 mg b.i.d.", "'twice a day' instead of 'b.i.d.'"),
        ("gabapentin 300 mg qhs", "'at bedtime'"),
    ],
)
def test_what_a_letter_must_never_say_is_refused_with_what_to_write(text, words):
    problem = letter_problem(text)
    assert problem is not None and words in problem
    assert _problems({"medications": text}) == {"history.medications": problem}


@pytest.mark.parametrize(
    "text",
    [
        "6 weeks of PT without traction, no lasting change",
        "bidirectional numbness",  # not 'bid'
        "permanent numbness of the thumb since 2019",
        "tidy",
    ],
)
def test_ordinary_clinical_words_pass(text):
    assert letter_problem(text) is None


def test_stored_values_come_back_as_a_history():
    history = from_values({**parse_history(FULL, today=TODAY).__dict__, "id": 3})
    assert history.as_document() == FULL


def test_the_example_in_the_case_format_document_is_a_valid_history():
    import json
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "case-format.md").read_text("utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    example = next(json.loads(b) for b in blocks if "physical_therapy_weeks" in b)
    assert set(example) == set(FIELDS)
    assert parse_history(example, today=TODAY).as_document() == example
