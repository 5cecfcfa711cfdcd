"""The case document the page's readers share (store/cases.case_document): made once per unit
of work, never an answer older than the rows the session holds."""

from __future__ import annotations

from services.claim_cases import stored_case

from dme_service.store.cases import case_document, to_document


def test_made_once_while_nothing_changes_and_to_document_gives_a_copy(db_session, make_user):
    case = stored_case(
        db_session,
        make_user("clinician", credential="PT"),
        make_user("practitioner", credential="MD"),
    )
    shared = case_document(case)
    assert case_document(case) is shared
    own = to_document(case)
    assert own == shared and own is not shared


def test_a_change_in_the_session_or_a_commit_makes_it_afresh(db_session, make_user):
    case = stored_case(
        db_session,
        make_user("clinician", credential="PT"),
        make_user("practitioner", credential="MD"),
    )
    before = case_document(case)
    case.home_prescription.minutes = 20  # held, not written yet
    assert case_document(case)["request"]["minutes"] == 20
    db_session.commit()
    after = case_document(case)
    assert after is not before and after["request"]["minutes"] == 20
    assert before["request"]["minutes"] == 15
