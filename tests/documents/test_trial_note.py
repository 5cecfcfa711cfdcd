"""The supervised trial note: each trial with who ran it (name and credential), the
therapist's short notes, and every value in words, read back from the PDF with pypdf."""

from __future__ import annotations

from rules.factories import a_trial

from dme_service.documents.render import render
from dme_service.documents.wording import TrialRecord, person
from documents import pdfs
from documents.samples import CLINIC, NOW, case_and_decision

TRIALS = [
    a_trial(date="2026-10-02"),
    a_trial(date="2026-10-05", device="mechanical", position="supine", force_lb=15),
]


def note_text(records) -> str:
    case, decision = case_and_decision(trials=TRIALS)
    pdf = render("trial_note", case, decision, now=NOW, clinic=CLINIC, trial_records=records).pdf
    return pdfs.text(pdf)


def test_the_trial_note_names_the_therapist_who_ran_each_trial_and_their_notes():
    text = note_text(
        (
            TrialRecord("Dana Reyes, PT", "Over-door set-up taught; seated, 20 degrees flexion."),
            TrialRecord("Luis Ortega, PT", None),
        )
    )
    assert "Dana Reyes, PT" in text
    assert "Luis Ortega, PT" in text
    assert "Over-door set-up taught; seated, 20 degrees flexion." in text
    assert "Therapist's notes" in text


def test_the_trial_note_prints_devices_and_positions_in_words():
    text = note_text(())
    assert "Clinic mechanical traction" in text
    assert "Supine" in text and "Seated" in text
    assert " mechanical " not in text.replace("Clinic mechanical", "")
    assert "Not recorded" in text  # who ran a trial recorded before it was kept
    assert "Therapist's notes" not in text


def test_a_clinician_is_named_with_their_credential_once():
    assert person("Dana Reyes", "PT") == "Dana Reyes, PT"
    assert person("Dana Reyes, PT", "PT") == "Dana Reyes, PT"
    assert person("Dana Reyes", None) == "Dana Reyes"


def test_the_trial_note_states_the_recorded_history_in_the_letters_sentences():
    from datetime import date

    from dme_service.case.history import parse_history

    history = parse_history(
        {"clinic_traction_sessions": 4, "physical_therapy_weeks": 6}, today=date(2026, 12, 6)
    )
    case, decision = case_and_decision()
    with_history = render("trial_note", case, decision, now=NOW, clinic=CLINIC, history=history)
    text = " ".join(pdfs.text(with_history.pdf).split())
    assert "History and prior treatment" in text
    assert "The patient had 6 weeks of physical therapy." in text
    assert "Before the supervised trial, the patient had 4 sessions of traction in the clinic." in (
        text
    )
    without = render("trial_note", case, decision, now=NOW, clinic=CLINIC)
    assert "History and prior treatment" not in pdfs.text(without.pdf)
