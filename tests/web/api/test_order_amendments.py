"""POST /api/v1/cases/{id}/order-amendments: the case page's "Amend the order" through the
API (services.order_amendment): a new order version with the reason, audited, the
practitioner mailed; billing refused (403), an order whose claim has not gone refused in the
page's words (409), a missing or empty reason named (422)."""

from __future__ import annotations

from services.claim_cases import stored_case
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import AuditEvent, Case, OrderAmendment
from web.api_helpers import bearer, token_for
from web.pages.cases.test_order_amendment import REASON, paid  # noqa: F401 - the fixture

NOT_GONE = "it has not gone to the payer, so the order is edited as usual"


def _version(case_id) -> int:
    db = get_session()
    db.expire_all()
    return db.get(Case, case_id).version


def _post(client, case_id, headers, **body):
    return client.post(f"/api/v1/cases/{case_id}/order-amendments", json=body, headers=headers)


def test_amending_through_the_api_makes_the_new_order_version(
    app,
    paid,  # noqa: F811 - the imported fixture
    db_session,
    smtp_server,
):
    app.config["SMTP_URL"] = smtp_server.url
    client, case_id = paid["client"], paid["case_id"]
    headers = bearer(token_for(db_session, paid["clinician"]))
    response = _post(client, case_id, headers, expected_version=_version(case_id), reason=REASON)
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case_id}")
    body = response.get_json()
    assert body["signature"]["state"] == "superseded" and body["signature"]["order_version"] == 2
    assert body["order_amendment"]["order_version"] == 2
    assert body["billing_state"] == "awaiting_signature"
    assert REASON not in str(body)  # clinical text stays on the pages that show it
    (row,) = db_session.scalars(select(OrderAmendment).where(OrderAmendment.case_id == case_id))
    assert row.reason == REASON and row.amended_by_id == paid["clinician"].id
    audited = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.order_amended")
    ).all()
    assert [(a.object_id, a.role) for a in audited] == [(str(case_id), "clinician")]
    (message,) = smtp_server.messages
    assert message["X-DME-Kind"] == "order_amended"


def test_a_missing_or_empty_reason_is_named(paid, db_session):  # noqa: F811
    client, case_id = paid["client"], paid["case_id"]
    headers = bearer(token_for(db_session, paid["clinician"]))
    version = _version(case_id)
    for body in ({"expected_version": version}, {"expected_version": version, "reason": "  "}):
        response = _post(client, case_id, headers, **body)
        assert response.status_code == 422
        (error,) = response.get_json()["errors"]
        assert error["field"] == "reason" and "Say why the order must change" in error["message"]
    response = _post(client, case_id, headers, reason=REASON, reasons="typo")
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"reasons", "expected_version"}
    assert db_session.scalar(select(OrderAmendment)) is None


def test_billing_may_not_amend(paid, db_session, make_user):  # noqa: F811
    biller = make_user("billing", clinic_id=paid["clinician"].clinic_id)
    headers = bearer(token_for(db_session, biller))
    client, case_id = paid["client"], paid["case_id"]
    response = _post(client, case_id, headers, expected_version=_version(case_id), reason=REASON)
    assert response.status_code == 403
    assert db_session.scalar(select(OrderAmendment)) is None


def test_an_order_whose_claim_has_not_gone_is_refused_in_the_pages_words(
    client, db_session, make_user
):
    clinician = make_user("clinician", credential="PT")
    case = stored_case(db_session, clinician, make_user("practitioner", credential="MD"))
    headers = bearer(token_for(db_session, clinician))
    response = _post(client, case.id, headers, expected_version=case.version, reason=REASON)
    assert response.status_code == 409
    assert NOT_GONE in response.get_json()["error"]["message"]
    assert db_session.scalar(select(OrderAmendment)) is None


def test_a_stale_version_is_refused_with_the_version_now(paid, db_session):  # noqa: F811
    client, case_id = paid["client"], paid["case_id"]
    headers = bearer(token_for(db_session, paid["clinician"]))
    version = _version(case_id)
    response = _post(client, case_id, headers, expected_version=version - 1, reason=REASON)
    assert response.status_code == 409
    assert response.get_json()["current"] == {"billing_state": "paid", "version": version}


def test_another_clinics_case_is_not_found(paid, db_session, make_user):  # noqa: F811
    from dme_service.models import Clinic

    other = Clinic(name="Elsewhere PT", timezone="America/New_York")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other.id)
    headers = bearer(token_for(db_session, stranger))
    client, case_id = paid["client"], paid["case_id"]
    response = _post(client, case_id, headers, expected_version=_version(case_id), reason=REASON)
    assert response.status_code == 404
