"""PATCH /api/v1/cases/{id} writes the clinical history as the case page does: replaced whole,
judged at `changes.history.<key>`, a change to the signed letter's history answers 409 naming
it until confirmed, and null removes it."""

from __future__ import annotations

import pytest
from services.claim_cases import fake_render, stored_case

from dme_service.models import Case
from dme_service.services import signing
from dme_service.store.signed_content import check_signature
from web.api_helpers import bearer, token_for

HISTORY = {
    "physical_therapy_weeks": 6,
    "physical_therapy_traction": "without",
    "physical_therapy_result": "arm pain unchanged",
    "imaging_kind": "mri",
    "imaging_date": "2026-09-14",
}


@pytest.fixture
def team(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dr Sam Lee")
    return clinician, doctor, bearer(token_for(db_session, clinician))


def _patch(client, headers, case, changes, **body):
    body = {"expected_version": case.version, "changes": changes, **body}
    return client.patch(f"/api/v1/cases/{case.id}", json=body, headers=headers)


def _fresh(db_session, case_id):
    db_session.expire_all()
    return db_session.get(Case, case_id)


def test_the_history_is_written_and_answered_with_the_case(client, db_session, team):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    decision = case.status
    response = _patch(client, headers, case, {"history": HISTORY})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["history"] == HISTORY
    assert "history" not in body["case"]
    assert body["status"] == decision  # the engine never reads it
    case = _fresh(db_session, case.id)
    assert case.history.physical_therapy_weeks == 6

    replaced = _patch(client, headers, case, {"history": {"ndi_percent": 42}}).get_json()
    assert replaced["history"] == {"ndi_percent": 42}  # replaced whole
    case = _fresh(db_session, case.id)
    assert _patch(client, headers, case, {"history": None}).get_json()["history"] == {}
    assert _fresh(db_session, case.id).history is None


def test_a_bad_history_value_is_named_inside_changes(client, db_session, team):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    response = _patch(
        client, headers, case, {"history": {"physical_therapy_weeks": 0, "medications": "x PRN"}}
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert set(fields) == {
        "changes.history.physical_therapy_weeks",
        "changes.history.medications",
    }
    assert "whole number from 1 to 104" in fields["changes.history.physical_therapy_weeks"]
    assert _fresh(db_session, case.id).history is None


def test_a_history_change_after_the_letter_was_signed_is_held_until_confirmed(
    client, db_session, team, monkeypatch
):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    case = _fresh(db_session, case.id)
    response = _patch(client, headers, case, {"history": {"physical_therapy_weeks": 6}})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "signature_would_void"
    assert body["signed_facts_changed"] == [
        {
            "field": "history.physical_therapy_weeks",
            "label": "weeks of physical therapy",
            "signed": "not recorded",
            "sent": "6 weeks",
        }
    ]
    case = _fresh(db_session, case.id)
    assert case.history is None and check_signature(db_session, case).valid

    confirmed = _patch(
        client, headers, case, {"history": {"physical_therapy_weeks": 6}}, confirm_void=True
    )
    assert confirmed.status_code == 200
    case = _fresh(db_session, case.id)
    assert case.history.physical_therapy_weeks == 6
    assert not check_signature(db_session, case).valid


def test_billing_may_not_write_the_history(client, db_session, team, make_user):
    clinician, doctor, _ = team
    case = stored_case(db_session, clinician, doctor)
    biller = bearer(token_for(db_session, make_user("billing")))
    response = _patch(client, biller, case, {"history": HISTORY})
    assert response.status_code == 403
    assert _fresh(db_session, case.id).history is None
