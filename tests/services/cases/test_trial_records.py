"""What the service keeps beside each trial: the clinician who recorded it (who ran it) and
a short note; neither is part of the case document nor changes the decision."""

from __future__ import annotations

from dme_service.services.cases import edit as cases
from dme_service.store.cases import to_document, trial_records
from services.case_steps import TRIAL, new_case

LATER = {**TRIAL, "date": "2026-10-05", "device": "mechanical"}


def save_trials(session, user, case, trials, notes=None):
    edit = cases.SectionEdit("trials", {"trials": trials}, trial_notes=notes)
    return cases.save_section(session, user, case.id, case.version, edit)


def test_a_trial_is_recorded_as_run_by_the_clinician_who_saved_it(db_session, make_user):
    dana = make_user("clinician", credential="PT", name="Dana Reyes")
    case = new_case(db_session, dana)
    save_trials(db_session, dana, case, [TRIAL])
    assert [t.recorded_by for t in case.trials] == [dana]
    assert trial_records(case)[0].ran_by == "Dana Reyes, PT"


def test_a_corrected_trial_keeps_who_ran_it_and_a_new_one_names_whoever_adds_it(
    db_session, make_user
):
    dana = make_user("clinician", credential="PT", name="Dana Reyes")
    luis = make_user("clinician", credential="PT", name="Luis Ortega", email="luis@example.org")
    case = new_case(db_session, dana)
    save_trials(db_session, dana, case, [TRIAL], notes=("Seated harness.",))
    save_trials(db_session, luis, case, [{**TRIAL, "force_lb": 13}, LATER])
    assert [t.recorded_by for t in case.trials] == [dana, luis]
    assert [t.note for t in case.trials] == ["Seated harness.", None]


def test_a_note_is_saved_changed_and_cleared_without_touching_the_document(db_session, make_user):
    dana = make_user("clinician", credential="PT")
    case = new_case(db_session, dana)
    save_trials(db_session, dana, case, [TRIAL], notes=("  Tolerated well.  ",))
    document = to_document(case)
    assert case.trials[0].note == "Tolerated well."
    save_trials(db_session, dana, case, [TRIAL], notes=("",))
    assert case.trials[0].note is None
    assert to_document(case) == document


def test_a_changed_note_makes_the_printed_trial_note_out_of_date(db_session, make_user):
    from dme_service.services.document_freshness import source_sha256

    dana = make_user("clinician", credential="PT")
    case = new_case(db_session, dana)
    save_trials(db_session, dana, case, [TRIAL], notes=("Tolerated well.",))
    before = source_sha256(db_session, case, None)
    save_trials(db_session, dana, case, [TRIAL], notes=("Tolerated well; dizzy after.",))
    assert source_sha256(db_session, case, None) != before
