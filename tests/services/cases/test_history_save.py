"""Saving the history section through the case service: judged by the history's own parser
(every problem named at history.<key>, nothing written), kept with the case, audited, never
read by the decision, and part of the optimistic lock like every section."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dme_service.models import AuditEvent, DecisionRecord
from dme_service.services.cases import edit as cases
from services.case_steps import new_case, save, standard_case

HISTORY = {
    "physical_therapy_weeks": 6,
    "physical_therapy_traction": "without",
    "physical_therapy_result": "arm pain unchanged",
    "spurling_test": "positive",
    "ndi_percent": 42,
}


def _decisions(session, case_id):
    query = select(DecisionRecord).where(DecisionRecord.case_id == case_id)
    return [row.decision_json for row in session.scalars(query.order_by(DecisionRecord.id))]


def test_a_history_is_kept_with_the_case_and_the_decision_stays_the_same(
    db_session, clinician, signer
):
    case = standard_case(db_session, clinician, signer)
    before = _decisions(db_session, case.id)[-1]
    save(db_session, clinician, case, "history", {"history": HISTORY})
    db_session.expire_all()
    assert case.history.physical_therapy_weeks == 6
    assert case.history.spurling_test == "positive"
    assert _decisions(db_session, case.id)[-1] == before  # the engine never reads it
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(case.id))
    )
    assert "case.save.history" in list(actions)


def test_a_draft_records_history_too(db_session, clinician):
    case = new_case(db_session, clinician)
    save(db_session, clinician, case, "history", {"history": {"medications": "naproxen"}})
    assert case.status == "draft" and case.history.medications == "naproxen"


def test_every_problem_is_named_at_its_field_and_nothing_is_written(db_session, clinician):
    case = new_case(db_session, clinician)
    version = case.version
    bad = {"physical_therapy_weeks": 0, "imaging_finding": "C5-C6", "medications": "x PRN"}
    with pytest.raises(cases.CaseInvalid) as refused:
        save(db_session, clinician, case, "history", {"history": bad})
    fields = sorted(error.field for error in refused.value.errors)
    assert fields == [
        "history.imaging_kind",
        "history.medications",
        "history.physical_therapy_weeks",
    ]
    db_session.expire_all()
    assert case.history is None and case.version == version


def test_history_problems_come_with_the_case_documents_own(db_session, clinician):
    """A page save of two sections reports both sections' problems at once."""
    case = new_case(db_session, clinician)
    edits = [
        cases.SectionEdit("history", {"history": {"ndi_percent": 140}}),
        cases.SectionEdit("diagnoses", {"diagnoses": ["M50.12"]}),
    ]
    with pytest.raises(cases.CaseInvalid) as refused:
        cases.save_sections(db_session, clinician, case.id, case.version, edits)
    fields = {error.field for error in refused.value.errors}
    assert {"history.ndi_percent", "diagnoses[0]"} <= fields


def test_clearing_the_history_removes_it(db_session, clinician):
    case = new_case(db_session, clinician)
    save(db_session, clinician, case, "history", {"history": HISTORY})
    save(db_session, clinician, case, "history", {"history": None})
    db_session.expire_all()
    assert case.history is None


def test_a_history_saved_on_an_older_version_is_a_conflict_with_both_sides(db_session, clinician):
    case = new_case(db_session, clinician)
    old_version = case.version
    save(db_session, clinician, case, "history", {"history": HISTORY})
    mine = cases.SectionEdit("history", {"history": {"physical_therapy_weeks": 8}})
    with pytest.raises(cases.StaleCase) as stale:
        cases.save_section(db_session, clinician, case.id, old_version, mine)
    assert stale.value.section == "history"
    assert stale.value.theirs == {"history": HISTORY}
    assert stale.value.yours == {"history": {"physical_therapy_weeks": 8}}


def test_the_same_history_save_again_is_not_a_conflict(db_session, clinician):
    case = new_case(db_session, clinician)
    old_version = case.version
    save(db_session, clinician, case, "history", {"history": HISTORY})
    again = cases.SectionEdit("history", {"history": dict(HISTORY)})
    cases.save_section(db_session, clinician, case.id, old_version, again)  # a double click
