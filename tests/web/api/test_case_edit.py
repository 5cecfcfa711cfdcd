"""PATCH /api/v1/cases/{id}: the case page's save through the API. A change to a signed fact
answers 409 naming the signed facts and who signed, until sent again with confirm_void; the
order is frozen once its claim was submitted; field problems answer 422 naming the field
inside `changes`; a save on an older version answers 409 with the version stored."""

from __future__ import annotations

import pytest
from services.claim_cases import case_document, fake_render, stored_case

from dme_service.models import Case
from dme_service.services import signing
from dme_service.store.signed_content import check_signature, current_signature
from web.api_helpers import bearer, token_for


@pytest.fixture
def team(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dr Sam Lee")
    return clinician, doctor, bearer(token_for(db_session, clinician))


@pytest.fixture
def signed_case(db_session, team, monkeypatch):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    clinician, doctor, _ = team
    case = stored_case(db_session, clinician, doctor)
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    db_session.expire_all()
    return db_session.get(Case, case.id)


def _patch(client, headers, case, changes, **body):
    body = {"expected_version": case.version, "changes": changes, **body}
    return client.patch(f"/api/v1/cases/{case.id}", json=body, headers=headers)


def _request(doctor, **changes):
    return {**case_document(doctor)["request"], **changes}


def test_a_change_to_an_unsigned_case_is_saved_and_decided_again(client, db_session, team):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    read = case.version
    response = _patch(client, headers, case, {"request": _request(doctor, hcpcs="E0849")})
    assert response.status_code == 200
    body = response.get_json()
    assert body["case"]["request"]["hcpcs"] == "E0849"
    assert body["version"] > read
    assert body["decision"]["requested_hcpcs"] == "E0849"
    assert body["case"]["trials"] == case_document(doctor)["trials"]  # other keys as stored


def test_a_change_to_a_signed_fact_is_refused_naming_who_signed_and_what(
    client, db_session, team, signed_case
):
    _, doctor, headers = team
    response = _patch(client, headers, signed_case, {"request": _request(doctor, minutes=20)})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "signature_would_void"
    assert body["error"]["message"].startswith("Signed by Dr Sam Lee, MD on ")
    assert '"confirm_void": true' in body["error"]["message"]
    assert body["signature"]["signed_by"] == "Dr Sam Lee, MD"
    assert body["signed_facts_changed"] == [
        {
            "field": "request.minutes",
            "label": "minutes per session",
            "signed": "15 min",
            "sent": "20 min",
        }
    ]
    db_session.expire_all()
    case = db_session.get(Case, signed_case.id)
    assert case.home_prescription.minutes == 15 and check_signature(db_session, case).valid


def test_confirm_void_saves_voids_and_returns_the_order_to_the_practitioner(
    client, db_session, team, signed_case
):
    _, doctor, headers = team
    response = _patch(
        client,
        headers,
        signed_case,
        {"request": _request(doctor, minutes=20)},
        confirm_void=True,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["signature"]["state"] == "voided"
    assert "minutes per session 15 min → 20 min" in body["signature"]["void_reason"]
    assert body["signature"]["awaiting_signature_by"] == "Dr Sam Lee, MD"
    assert body["billing_state"] == "awaiting_signature"
    assert current_signature(db_session, signed_case.id) is None


def test_a_change_outside_the_signed_facts_keeps_the_signature(
    client, db_session, team, signed_case
):
    _, doctor, headers = team
    wording = _request(doctor, frequency_text="15 minutes, two times a day")
    response = _patch(client, headers, signed_case, {"request": wording})
    assert response.status_code == 200
    assert response.get_json()["signature"]["state"] == "signed"


@pytest.mark.parametrize("confirm", [False, True])
def test_the_signed_order_is_frozen_once_the_claim_was_submitted(
    client, db_session, team, signed_case, confirm
):
    _, doctor, headers = team
    signed_case.billing_state = "submitted"
    db_session.commit()
    response = _patch(
        client,
        headers,
        signed_case,
        {"request": _request(doctor, minutes=20)},
        confirm_void=confirm,
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "order_frozen"
    assert "submitted to the payer" in body["error"]["message"]
    assert body["claim_state"] == "submitted"
    assert body["signed_facts_changed"][0]["field"] == "request.minutes"
    db_session.expire_all()
    assert check_signature(db_session, db_session.get(Case, signed_case.id)).valid


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"request": {"hcpcs": "E0860", "force_lb": -3}}, "changes.request.force_lb"),
        ({"patient": {"name": "Ann"}}, "changes.patient.date_of_birth"),
        ({"weight": 3}, "changes.weight"),
        ({"format": "dme-case/1"}, "changes"),
        ({"treating_practitioner": {"npi": "1234567893"}}, "changes.treating_practitioner.npi"),
    ],
)
def test_bad_changes_answer_422_naming_the_field(client, db_session, team, changes, field):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    response = _patch(client, headers, case, changes)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.get_json()["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"changes": {"abn_on_file": True}}, "expected_version"),
        ({"expected_version": 1, "changes": {}}, "changes"),
        (
            {"expected_version": 1, "changes": {"abn_on_file": True}, "confirm_void": "yes"},
            "confirm_void",
        ),  # fmt: skip
        ({"expected_version": 1, "changes": {"abn_on_file": True}, "force": 1}, "force"),
    ],
)
def test_a_bad_body_answers_422_naming_the_field(client, db_session, team, body, field):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    response = client.patch(f"/api/v1/cases/{case.id}", json=body, headers=headers)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.get_json()["errors"]]


def test_an_older_version_answers_409_with_the_version_stored(client, db_session, team):
    clinician, doctor, headers = team
    case = stored_case(db_session, clinician, doctor)
    read = case.version
    first = _patch(client, headers, case, {"abn_on_file": True})
    assert first.status_code == 200
    again = _patch(client, headers, case, {"onset_date": "2026-06-01"}, expected_version=read)
    assert again.status_code == 409
    assert again.get_json()["current"]["version"] == first.get_json()["version"]


def test_billing_may_not_edit_and_another_clinic_sees_no_case(client, db_session, team, make_user):
    clinician, doctor, _ = team
    case = stored_case(db_session, clinician, doctor)
    biller = bearer(token_for(db_session, make_user("billing")))
    assert _patch(client, biller, case, {"abn_on_file": True}).status_code == 403
    from dme_service.models import Clinic

    other = Clinic(name="Elsewhere PT")
    db_session.add(other)
    db_session.commit()
    stranger = bearer(token_for(db_session, make_user("clinician", clinic_id=other.id)))
    assert _patch(client, stranger, case, {"abn_on_file": True}).status_code == 404
