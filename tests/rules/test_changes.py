"""What changed between two case documents, in clinician words (never dotted field paths)."""

from __future__ import annotations

import copy

from dme_service.rules.changes import changes
from rules.factories import a_case


def _changed(**edits):
    old = a_case()
    new = copy.deepcopy(old)
    for path, value in edits.items():
        *parents, last = path.split(".")
        target = new
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return {change.label: (change.old, change.new) for change in changes(old, new)}


def test_the_same_document_has_no_changes():
    assert changes(a_case(), a_case()) == []


def test_the_home_prescription_reads_with_its_units():
    found = _changed(**{"request.minutes": 20, "request.force_lb": 10})
    assert found["Home prescription, minutes"] == ("15 minutes", "20 minutes")
    assert found["Home prescription, force"][1] == "10 lb"


def test_a_trial_fact_names_the_trial_and_reads_as_words():
    found = _changed(**{"trials.0.tolerated": False, "trials.0.date": "2026-01-05"})
    assert found["Trial 1, tolerated"] == ("Yes", "No")
    assert found["Trial 1, date"][1] == "Jan 5, 2026"


def test_screening_payer_and_diagnoses_use_the_page_words():
    found = _changed(**{"screening.myelopathy": True, "payer": "aetna", "diagnoses": ["M54.12"]})
    assert found["Screening: myelopathy"] == ("No", "Yes")
    assert found["Payer"] == ("Medicare", "Aetna")
    assert found["Diagnoses"][1].startswith("M54.12 (Radiculopathy")


def test_an_added_trial_is_one_line():
    old = a_case()
    new = copy.deepcopy(old)
    new["trials"].append(dict(old["trials"][0], date="2026-01-02", force_lb=8))
    (change,) = changes(old, new)
    assert change.label == "Trial 2 added" and "8 lb" in change.new and change.old == "None"


def test_no_label_or_value_holds_a_dotted_field_path():
    old = a_case()
    new = a_case(screening={"myelopathy": True})
    new["request"]["frequency_text"] = "twice daily"
    for change in changes(old, new):
        for text in (change.label, change.old, change.new):
            assert "request." not in text and "screening." not in text and "_" not in text


def test_the_recorded_history_reads_in_the_page_words():
    old = a_case()
    new = copy.deepcopy(old)
    old["history"] = {"physical_therapy_weeks": 6, "imaging_kind": "mri", "ndi_percent": 42}
    new["history"] = {
        "physical_therapy_weeks": 8,
        "physical_therapy_traction": "without",
        "imaging_kind": "ct",
        "imaging_date": "2026-09-14",
        "spurling_test": "positive",
        "medications": "naproxen 500 mg twice a day",
    }
    found = {change.label: (change.old, change.new) for change in changes(old, new)}
    assert found == {
        "History, weeks of physical therapy": ("6 weeks", "8 weeks"),
        "History, physical therapy with or without traction": ("Not recorded", "Without"),
        "History, medications tried": ("Not recorded", "naproxen 500 mg twice a day"),
        "History, kind of study": ("MRI of the cervical spine", "CT of the cervical spine"),
        "History, date of the study": ("Not recorded", "Sep 14, 2026"),
        "History, Spurling's test": ("Not recorded", "Positive"),
        "History, Neck Disability Index": ("42 %", "Not recorded"),
    }
    assert all("history." not in label for label in found)


def test_every_part_of_the_order_is_compared_in_the_case_page_order():
    old = a_case()
    new = copy.deepcopy(old)
    new["patient"]["name"] = "Janet Doe"
    new["payer"] = "aetna"
    new["diagnoses"] = ["M54.12"]
    new["history"] = {"physical_therapy_weeks": 8}
    new["trials"][0]["tolerated"] = False
    new["screening"] = {**new["screening"], "myelopathy": True}
    new["request"]["minutes"] = 20
    new["onset_date"] = "2026-01-01"
    new["treating_practitioner"] = None
    new["abn_on_file"] = True
    new["also_requested"] = ["E0849"]
    new["prior_devices"] = [{"hcpcs": "E0855", "date": "2025-05-01"}]
    assert [change.key for change in changes(old, new)] == [
        "patient.name",
        "payer",
        "diagnoses",
        "history.physical_therapy_weeks",
        "trials.0.tolerated",
        "screening.myelopathy",
        "request.minutes",
        "onset_date",
        "treating_practitioner",
        "abn_on_file",
        "also_requested",
        "prior_devices",
    ]
