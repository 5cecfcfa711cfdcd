"""The JSON API: decide, create (idempotent), read, list, documents, claim moves, FHIR;
bearer tokens or session + X-CSRFToken; 415/413/422 on bad bodies; clinic scoping (AC-2)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sample_case import case_doc, store_case
from sqlalchemy import func, select

from dme_service.models import AuditEvent, Case, Clinic, Document, Patient
from web.api_helpers import bearer, token_for


@pytest.fixture
def api_user(db_session, make_user):
    """Factory: api_user("billing") -> (headers, user) for bearer calls."""

    def _api_user(role: str = "clinician", **kwargs):
        user = make_user(role, **kwargs)
        return bearer(token_for(db_session, user)), user

    return _api_user


@pytest.fixture
def team(api_user, make_user):
    """A clinician with a token and a practitioner (MD) of the same clinic."""
    headers, clinician = api_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    return headers, clinician, practitioner


@pytest.fixture
def doc(team):
    return case_doc(**{"treating_practitioner.npi": team[2].npi})


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count(model.id)))


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_answers_the_decision(client, team, doc):
    response = client.post("/api/v1/evaluate", json=doc, headers=team[0])
    assert response.status_code == 200
    decision = response.get_json()
    assert decision["format"] == "dme-decision/1"
    assert decision["status"] == "eligible"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"payer": "acme"}, "payer"),
        ({"diagnoses": ["M50.12"]}, "diagnoses[0]"),
        ({"trials.0.pain_after": 11}, "trials[0].pain_after"),
        ({"colour": "red"}, "colour"),
    ],
    ids=["unknown-payer", "non-billable-code", "nprs-11", "unknown-key"],
)
def test_evaluate_names_each_bad_field_with_422(client, team, doc, change, field):
    body = dict(doc, **change) if "colour" in change or "payer" in change else case_doc(**change)
    response = client.post("/api/v1/evaluate", json=body, headers=team[0])
    assert response.status_code == 422
    assert field in [error["field"] for error in response.get_json()["errors"]]


def test_not_json_is_415(client, team, doc):
    response = client.post(
        "/api/v1/evaluate", data=json.dumps(doc), headers={**team[0], "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_broken_json_is_422_on_the_whole_document(client, team):
    response = client.post(
        "/api/v1/evaluate", data="{", headers={**team[0], "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "$"


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/cases"])
def test_two_mib_is_413_and_nothing_stored(client, team, db_session, path):
    body = json.dumps({"padding": "x" * (2 * 1024 * 1024)})
    response = client.post(path, data=body, headers={**team[0], "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["errors"] == [
        {"field": "$", "message": "The request body is larger than the 1 MB the service accepts."}
    ]
    assert count(db_session, Case) == 0


# --- authentication ------------------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(client, doc):
    response = client.post("/api/v1/evaluate", json=doc)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(client, doc):
    response = client.post("/api/v1/evaluate", json=doc, headers=bearer("dme_not-a-token"))
    assert response.status_code == 401


def test_the_browser_session_needs_the_csrf_header(app, make_user, doc):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user("clinician", credential="PT")
    client = app.test_client()
    login = {"email": user.email, "password": user.password}
    login["csrf_token"] = _csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data=login).status_code == 303
    assert client.post("/api/v1/evaluate", json=doc).status_code == 400  # cookie alone
    token = _csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/api/v1/evaluate", json=doc, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    return match.group(1)


def test_billing_may_not_create_cases(client, api_user, doc):
    headers, _ = api_user("billing")
    assert client.post("/api/v1/cases", json=doc, headers=headers).status_code == 403


# --- creating ------------------------------------------------------------------------------


def test_create_stores_the_case_its_decision_and_an_audit_row(client, team, doc, db_session):
    response = client.post("/api/v1/cases", json=doc, headers=team[0])
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/cases/{body['id']}"
    assert body["status"] == "eligible" and body["decision"]["status"] == "eligible"
    assert body["case"]["treating_practitioner"]["npi"] == team[2].npi
    assert body["case"]["trials"] == doc["trials"]
    case = db_session.get(Case, body["id"])
    assert case.treating_practitioner_id == team[2].id
    assert ("case.create", str(case.id)) in {
        (e.action, e.object_id) for e in db_session.scalars(select(AuditEvent))
    }


def test_create_decides_before_its_write_transaction(client, team, doc, monkeypatch):
    """The rules never run while the case's write transaction (SQLite's write lock) is open."""
    from dme_service.db import get_session
    from dme_service.rules import engine
    from dme_service.services.cases import from_document
    from dme_service.store import cases as store_cases

    open_during = []

    def evaluate(parsed):
        open_during.append(get_session().in_transaction())
        return engine.evaluate(parsed)

    monkeypatch.setattr(from_document, "evaluate", evaluate, raising=False)
    monkeypatch.setattr(store_cases, "evaluate", evaluate)
    assert client.post("/api/v1/cases", json=doc, headers=team[0]).status_code == 201
    assert open_during == [False]


def test_the_same_idempotency_key_returns_the_same_case(client, team, doc, db_session):
    headers = {**team[0], "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/cases", json=doc, headers=headers)
    second = client.post("/api/v1/cases", json=doc, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert count(db_session, Case) == 1


def test_the_same_key_with_another_document_is_422(client, team, doc, db_session):
    headers = {**team[0], "Idempotency-Key": "retry-2"}
    client.post("/api/v1/cases", json=doc, headers=headers)
    changed = case_doc(**{"treating_practitioner.npi": team[2].npi, "request.force_lb": 14})
    response = client.post("/api/v1/cases", json=changed, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert count(db_session, Case) == 1


def test_without_a_key_each_post_creates_a_case_for_the_same_patient(client, team, doc, db_session):
    client.post("/api/v1/cases", json=doc, headers=team[0])
    client.post("/api/v1/cases", json=doc, headers=team[0])
    assert count(db_session, Case) == 2
    assert count(db_session, Patient) == 1  # the patient is found, not created twice


def test_a_practitioner_outside_the_clinic_is_422_and_nothing_stored(client, team, db_session):
    stranger_npi = case_doc()["treating_practitioner"]["npi"]
    response = client.post("/api/v1/cases", json=case_doc(), headers=team[0])
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert (
        errors[0]["field"] == "treating_practitioner.npi" and stranger_npi in errors[0]["message"]
    )
    assert count(db_session, Case) == 0 and count(db_session, Patient) == 0


def test_an_invalid_document_stores_nothing(client, team, db_session):
    response = client.post("/api/v1/cases", json=case_doc(diagnoses=["M50.12"]), headers=team[0])
    assert response.status_code == 422
    assert count(db_session, Case) == 0


# --- reading and listing -------------------------------------------------------------------


def test_read_gives_document_decision_claim_state_and_no_notes(client, team, doc, db_session):
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    case = db_session.get(Case, case_id)
    case.notes = "Zebulon's private clinical note"
    db_session.commit()
    headers, _ = api_user_for(db_session, team, "billing")
    response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["billing_state"] in ("draft", "awaiting_signature")
    assert body["decision"]["status"] == "eligible"
    assert "Zebulon" not in response.get_data(as_text=True)


def api_user_for(db_session, team, role):
    from dme_service.models import User
    from dme_service.services.accounts.passwords import hash_password

    user = User(
        clinic_id=team[1].clinic_id,
        email=f"{role}-extra@test.clinic",
        name=f"Extra {role}",
        role=role,
        password_hash=hash_password("correct horse battery staple"),
    )
    db_session.add(user)
    db_session.commit()
    return bearer(token_for(db_session, user)), user


def test_list_filters_and_refuses_unknown_values(client, team, doc, db_session):
    client.post("/api/v1/cases", json=doc, headers=team[0])
    client.post("/api/v1/cases", json=dict(doc, payer="aetna"), headers=team[0])
    listed = client.get("/api/v1/cases?payer=aetna", headers=team[0]).get_json()["cases"]
    assert [case["payer"] for case in listed] == ["aetna"]
    assert client.get("/api/v1/cases?payer=acme", headers=team[0]).status_code == 422
    assert client.get("/api/v1/cases?limit=0", headers=team[0]).status_code == 422
    assert client.get("/api/v1/cases?colour=red", headers=team[0]).status_code == 422


def test_another_clinics_case_is_404_everywhere(client, team, db_session, make_user):
    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    outsider = make_user("clinician", clinic_id=other.id)
    theirs = store_case(
        db_session, outsider, make_user("practitioner", credential="MD", clinic_id=other.id)
    )
    for method, path, body in (
        ("get", f"/api/v1/cases/{theirs.id}", None),
        ("get", f"/api/v1/cases/{theirs.id}/fhir", None),
        ("get", f"/api/v1/cases/{theirs.id}/documents/lmn", None),
        ("post", f"/api/v1/cases/{theirs.id}/documents/lmn", None),
        (
            "post",
            f"/api/v1/cases/{theirs.id}/billing",
            {"to_state": "awaiting_signature", "expected_version": 1},
        ),
    ):
        response = getattr(client, method)(path, json=body, headers=team[0])
        assert response.status_code == 404, path
    assert client.get("/api/v1/cases", headers=team[0]).get_json()["cases"] == []


def test_an_impossibly_large_id_is_404(client, team):
    assert client.get(f"/api/v1/cases/{2**63}", headers=team[0]).status_code == 404


# --- documents -----------------------------------------------------------------------------


def test_render_then_download_the_current_pdf(client, team, doc, db_session):
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    rendered = client.post(f"/api/v1/cases/{case_id}/documents/lmn", headers=team[0])
    assert rendered.status_code == 201
    info = rendered.get_json()
    response = client.get(info["url"], headers=team[0])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="lmn-{info["id"]}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert hashlib.sha256(response.data).hexdigest() == info["sha256"]
    listed = client.get(f"/api/v1/cases/{case_id}", headers=team[0]).get_json()["documents"]
    assert [d["id"] for d in listed] == [info["id"]]
    assert (listed[0]["current"], listed[0]["case_version"]) == (True, info["case_version"])


def test_a_current_document_never_stored_is_409_and_the_get_makes_none(client, team, doc):
    """A GET never stores a version (security.md OUT-3); the answer names the POST that does."""
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    url = f"/api/v1/cases/{case_id}/documents/lmn"
    response = client.get(url, headers=team[0])
    assert response.status_code == 409
    assert "POST to this address" in response.get_json()["error"]["message"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=team[0]).get_json()["documents"] == []
    made = client.post(url, headers=team[0]).get_json()
    response = client.get(url, headers=team[0])
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert hashlib.sha256(response.data).hexdigest() == made["sha256"]


def test_spanish_is_only_for_the_instructions(client, team, doc):
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    response = client.post(f"/api/v1/cases/{case_id}/documents/lmn?lang=es", headers=team[0])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "lang"


def test_a_document_the_decision_does_not_allow_is_422_naming_the_field(client, team, doc):
    """Issue 16: the same rule as the command line (documents/availability.py)."""
    doc = {**doc, "screening": {**doc["screening"], "myelopathy": True}}
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    response = client.post(f"/api/v1/cases/{case_id}/documents/swo", headers=team[0])
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["field"] == "screening"
    assert error["message"] == (
        "traction is contraindicated for this patient (myelopathy), so no written order is "
        "printed; do not dispense a home traction unit"
    )
    summary = client.post(f"/api/v1/cases/{case_id}/documents/summary", headers=team[0])
    assert summary.status_code == 201


def test_a_get_changes_no_rows(client, team, doc, db_session):
    """Reads change nothing; a document fetched as current is made once and then reused."""
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    for path in ("/documents/lmn", "/documents/swo"):
        client.get(f"/api/v1/cases/{case_id}{path}", headers=team[0])
    before = (count(db_session, Case), count(db_session, Document))
    for path in ("", "/fhir", "/documents/lmn", "/documents/swo"):
        client.get(f"/api/v1/cases/{case_id}{path}", headers=team[0])
    assert (count(db_session, Case), count(db_session, Document)) == before


# --- billing -------------------------------------------------------------------------------


def test_a_stale_move_is_409_with_the_current_state(client, team, doc):
    body = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()
    response = client.post(
        f"/api/v1/cases/{body['id']}/billing",
        json={"to_state": "submitted", "expected_version": body["version"] - 1},
        headers=team[0],
    )
    assert response.status_code == 409
    assert response.get_json()["current"] == {
        "billing_state": body["billing_state"],
        "version": body["version"],
    }


def test_an_illegal_move_is_409(client, team, doc, db_session):
    body = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()
    headers, _ = api_user_for(db_session, team, "billing")
    response = client.post(
        f"/api/v1/cases/{body['id']}/billing",
        json={"to_state": "paid", "expected_version": body["version"]},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.get_json()["current"]["billing_state"] == body["billing_state"]


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"to_state": "paid"}, "expected_version"),
        ({"to_state": 3, "expected_version": 1}, "to_state"),
        ({"to_state": "denied", "expected_version": 1, "carc": "CO-50"}, "carc"),
        ({"to_state": "paid", "expected_version": 1, "tip": 5}, "tip"),
        (
            {"to_state": "ready_to_submit", "expected_version": 1, "service_date": "2026-1-5"},
            "service_date",
        ),
    ],
    ids=["no-version", "state-not-a-string", "carc-not-a-list", "unknown-key", "bad-service-date"],
)
def test_a_bad_move_body_is_422(client, team, doc, move, field):
    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    response = client.post(f"/api/v1/cases/{case_id}/billing", json=move, headers=team[0])
    assert response.status_code == 422
    assert field in [error["field"] for error in response.get_json()["errors"]]


def test_ready_to_submit_takes_the_date_of_service_and_refuses_without_one(
    client, team, doc, db_session
):
    from dme_service.services import signing

    headers, _, practitioner = team
    case_id = client.post("/api/v1/cases", json=doc, headers=headers).get_json()["id"]
    signing.sign(db_session, case_id, practitioner, expected_version=_version(db_session, case_id))
    billing_headers, _ = api_user_for(db_session, team, "billing")
    move = {"to_state": "ready_to_submit", "expected_version": _version(db_session, case_id)}
    refused = client.post(f"/api/v1/cases/{case_id}/billing", json=move, headers=billing_headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.get_json()["errors"]] == ["service_date"]
    moved = client.post(
        f"/api/v1/cases/{case_id}/billing",
        json={**move, "service_date": "2026-11-20"},
        headers=billing_headers,
    )
    assert moved.status_code == 200 and moved.get_json()["billing_state"] == "ready_to_submit"


def _version(db_session, case_id):
    db_session.expire_all()
    return db_session.get(Case, case_id).version


# --- FHIR ----------------------------------------------------------------------------------


def test_fhir_export_validates_points_at_the_stored_lmn_and_is_audited(
    client, team, doc, db_session
):
    from fhir.resources.R4B.bundle import Bundle

    case_id = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    info = client.post(f"/api/v1/cases/{case_id}/documents/lmn", headers=team[0]).get_json()
    response = client.get(f"/api/v1/cases/{case_id}/fhir", headers=team[0])
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = response.get_json()
    Bundle.model_validate(bundle)
    letter = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    )
    assert info["sha256"] in letter["description"]
    assert letter["content"][0]["attachment"]["url"] == f"/api/v1/cases/{case_id}/documents/lmn"
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "case.export.fhir" in actions


def test_fhir_of_a_draft_is_422(client, team, db_session):
    draft = store_case(db_session, team[1], None)
    response = client.get(f"/api/v1/cases/{draft.id}/fhir", headers=team[0])
    assert response.status_code == 422


def test_read_carries_the_signature_state_signed_then_voided_and_why(client, team, doc, db_session):
    from dme_service.services import after_save, signing

    headers, clinician, practitioner = team
    case_id = client.post("/api/v1/cases", json=doc, headers=headers).get_json()["id"]
    waiting = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["signature"]
    assert waiting["state"] == "awaiting" and waiting["valid"] is False
    assert waiting["awaiting_signature_by"] == f"{practitioner.name}, MD"
    case = db_session.get(Case, case_id)
    signing.sign(db_session, case_id, practitioner, expected_version=case.version)
    signed = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert signed["billing_state"] == "signed"
    assert signed["signature"]["state"] == "signed" and signed["signature"]["valid"] is True
    assert signed["signature"]["signed_by"] == f"{practitioner.name}, MD"
    assert signed["signature"]["signed_at"] and signed["signature"]["void_reason"] is None
    db_session.expire_all()
    case = db_session.get(Case, case_id)
    case.home_prescription.minutes = 20
    after_save.case_changed(db_session, case, clinician)
    db_session.commit()
    voided = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["signature"]
    assert voided["state"] == "voided" and voided["valid"] is False
    assert voided["void_reason"] == (
        "the case was changed after signing: minutes per session 15 min → 20 min"
    )
    assert voided["voided_at"] and voided["awaiting_signature_by"] == f"{practitioner.name}, MD"
