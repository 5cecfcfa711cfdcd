"""The recorded history in the letter's words: each fact its sentence, an absent fact none."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.case.history import FIELDS, ClinicalHistory, parse_history
from dme_service.documents.history_letter import finding_sentences, prior_treatment_sentences

TODAY = date(2026, 12, 6)


def sentences(**facts) -> list[str]:
    history = parse_history(facts, today=TODAY)
    return finding_sentences(history) + prior_treatment_sentences(history)


# (the recorded facts, the letter's sentences for them)
WORDING = [
    ({"physical_therapy_weeks": 6}, ["The patient had 6 weeks of physical therapy."]),
    ({"physical_therapy_weeks": 1}, ["The patient had 1 week of physical therapy."]),
    (
        {"physical_therapy_weeks": 6, "physical_therapy_traction": "without"},
        ["The patient had 6 weeks of physical therapy without traction."],
    ),
    (
        {"physical_therapy_traction": "with"},
        ["The patient had physical therapy that included traction."],
    ),
    (
        {
            "physical_therapy_weeks": 6,
            "physical_therapy_traction": "without",
            "physical_therapy_result": "Neck and arm pain unchanged.",
        },
        [
            "The patient had 6 weeks of physical therapy without traction, with this result: "
            "Neck and arm pain unchanged."
        ],
    ),
    (
        {"physical_therapy_result": "no lasting change in arm pain"},
        ["The patient had physical therapy, with this result: no lasting change in arm pain."],
    ),
    (
        {"medications": "ibuprofen 600 mg three times a day"},
        ["The patient tried ibuprofen 600 mg three times a day."],
    ),
    (
        {"medications": "gabapentin 300 mg at bedtime", "medications_result": "drowsy, no relief"},
        ["The patient tried gabapentin 300 mg at bedtime, with this result: drowsy, no relief."],
    ),
    (
        {"clinic_traction_sessions": 4},
        ["Before the supervised trial, the patient had 4 sessions of traction in the clinic."],
    ),
    (
        {"clinic_traction_result": "arm pain eased for hours"},
        [
            "Before the supervised trial, the patient had traction in the clinic, with this "
            "result: arm pain eased for hours."
        ],
    ),
    (
        {
            "imaging_kind": "mri",
            "imaging_date": "2026-09-14",
            "imaging_finding": "C5-C6 protrusion",
        },
        ["An MRI of the cervical spine on September 14, 2026 showed: C5-C6 protrusion."],
    ),
    (
        {"imaging_kind": "ct", "imaging_finding": "foraminal narrowing at C6-C7"},
        ["A CT of the cervical spine showed: foraminal narrowing at C6-C7."],
    ),
    (
        {"imaging_kind": "xray", "imaging_date": "2026-08-01"},
        ["An X-ray of the cervical spine was done on August 1, 2026."],
    ),
    ({"imaging_kind": "emg"}, []),  # a kind of study alone says nothing the reader can use
    (
        {"neurological_signs": "a reduced left biceps reflex"},
        ["The neurological examination found a reduced left biceps reflex."],
    ),
    ({"spurling_test": "positive"}, ["On examination, Spurling's test was positive."]),
    ({"distraction_test": "negative"}, ["On examination, the neck distraction test was negative."]),
    (
        {"spurling_test": "positive", "ultt_a": "positive", "shoulder_abduction_test": "negative"},
        [
            "On examination, Spurling's test and the upper limb tension test A (median nerve) "
            "were positive and the shoulder abduction test was negative."
        ],
    ),
    (
        {
            "spurling_test": "positive",
            "distraction_test": "positive",
            "ultt_a": "positive",
            "shoulder_abduction_test": "negative",
        },
        [
            "On examination, Spurling's test, the neck distraction test and the upper limb "
            "tension test A (median nerve) were positive; the shoulder abduction test was "
            "negative."
        ],
    ),
    (
        {"mobility_peripheralization": "positive"},
        ["Symptoms spread further down the arm with lower cervical (C4-C7) mobility testing."],
    ),
    (
        {"mobility_peripheralization": "negative"},
        [
            "Symptoms did not spread further down the arm with lower cervical (C4-C7) mobility "
            "testing."
        ],
    ),
    ({"ndi_percent": 42}, ["The recorded Neck Disability Index score is 42%."]),
    (
        {"psfs_average": 3.5},
        ["The recorded average Patient-Specific Functional Scale score is 3.5 out of 10."],
    ),
    (
        {"ndi_percent": 42, "psfs_average": 3},
        [
            "The recorded Neck Disability Index score is 42% and the average "
            "Patient-Specific Functional Scale score is 3 out of 10."
        ],
    ),
    # The clinician's own words reach the letter in its plain words (no Latin, pounds).
    (
        {"clinic_traction_result": "relief at 15 lb, e.g. arm pain 6 to 3."},
        [
            "Before the supervised trial, the patient had traction in the clinic, with this "
            "result: relief at 15 pounds, for example arm pain 6 to 3."
        ],
    ),
]


@pytest.mark.parametrize(("facts", "expected"), WORDING)
def test_each_recorded_fact_is_its_sentence(facts, expected):
    assert sentences(**facts) == expected


def test_nothing_recorded_is_no_sentence():
    assert finding_sentences(None) == prior_treatment_sentences(None) == []
    assert sentences() == []
    assert finding_sentences(ClinicalHistory()) == []


def test_every_field_reaches_the_letter():
    """No recorded fact is silently dropped (with what it needs beside it)."""
    needs = {
        "medications_result": {"medications": "naproxen"},
        "imaging_date": {"imaging_kind": "mri"},
        "imaging_finding": {"imaging_kind": "mri"},
    }
    samples = {
        "physical_therapy_weeks": 6,
        "physical_therapy_traction": "without",
        "physical_therapy_result": "unchanged",
        "medications": "naproxen",
        "medications_result": "no relief",
        "clinic_traction_sessions": 4,
        "clinic_traction_result": "eased",
        "imaging_kind": "mri",
        "imaging_date": "2026-09-14",
        "imaging_finding": "protrusion",
        "neurological_signs": "weak grip",
        "spurling_test": "positive",
        "distraction_test": "positive",
        "ultt_a": "negative",
        "shoulder_abduction_test": "negative",
        "mobility_peripheralization": "positive",
        "ndi_percent": 30,
        "psfs_average": 4,
    }
    assert set(samples) == set(FIELDS)
    for key, value in samples.items():
        base = needs.get(key, {})
        if key == "imaging_kind":  # a date or finding needs a kind: compare two kinds
            day = {"imaging_date": "2026-09-14"}
            assert sentences(imaging_kind="mri", **day) != sentences(imaging_kind="ct", **day)
            continue
        assert sentences(**base, **{key: value}) != sentences(**base), key


@pytest.mark.parametrize("word", ["N/A", "☐", "☑", "Yes/No", "____", "None", "null"])
def test_no_blanks_or_check_box_look(word):
    everything = sentences(
        physical_therapy_weeks=6,
        physical_therapy_traction="without",
        spurling_test="positive",
        shoulder_abduction_test="negative",
        ndi_percent=42,
    )
    assert word not in " ".join(everything)
