"""Amend the order through the pages: the refusal links to it, the reason is required and kept
as typed, the case page and the practitioner's sign page say which order version waits and
why, billing's claim page and queue say a corrected claim is needed (without the clinical
reason), and the API reads the order version."""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import BillingEvent, Case, ClaimRecord, OrderAmendment
from dme_service.services import signing
from dme_service.store.signed_content import current_signature
from web.api_helpers import bearer, token_for
from web.pages.cases.test_signed_order import fake_render

REASON = "Dr Okafor ordered 10 lb; 12 lb was typed by mistake."


@pytest.fixture
def paid(app, db_session, signed_in, make_user, monkeypatch):
    """A signed case of the signed-in clinician's clinic whose claim was paid (ICN known), by a
    commercial payer, which takes a corrected claim (Medicare's DME MAC is asked to reopen:
    tests/web/pages/test_reopening.py)."""
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    client, clinician = signed_in("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dana Okafor")
    case = stored_case(db_session, clinician, doctor, patient_name="Walter Pruitt", payer="aetna")
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    case = db_session.get(Case, case.id)
    db_session.add(BillingEvent(case_id=case.id, from_state="signed", to_state="paid", user_id=1))
    case.billing_state = "paid"
    db_session.add(
        ClaimRecord(
            case_id=case.id,
            clinic_id=case.clinic_id,
            control_number=f"DME{case.id}",
            icn="2226340123456",
            adjustments=[],
            remarks=[],
        )
    )
    db_session.commit()
    return {"client": client, "case_id": case.id, "clinician": clinician, "doctor": doctor}


def _version(case_id) -> int:
    db = get_session()
    db.expire_all()
    return db.get(Case, case_id).version


def _amend(client, case_id, reason=REASON):
    return client.post(
        f"/cases/{case_id}/amend", data={"version": _version(case_id), "reason": reason}
    )


def test_the_amend_page_explains_what_happens_and_needs_a_reason(paid):
    client, case_id = paid["client"], paid["case_id"]
    page = client.get(f"/cases/{case_id}/amend").get_data(as_text=True)
    assert "order version 2" in page
    assert "keeps the signature it was billed on" in page
    refused = _amend(client, case_id, reason="  ")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="amend-reason-error"' in text and "Say why the order must change" in text
    long = _amend(client, case_id, reason="x" * 1001)
    assert long.status_code == 422 and "x" * 1001 in long.get_data(as_text=True)  # kept


def test_amending_shows_the_new_order_version_at_the_top_of_the_case(paid):
    client, case_id = paid["client"], paid["case_id"]
    before = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="amend-offer"' in before
    response = _amend(client, case_id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    top = page.split('id="signature-state"')[1].split("</div>")[0]
    assert "Order version 2 awaits a new signature" in top and "Dana Okafor, MD" in top
    assert "stays on file for the claim already billed" in top
    amended = page.split('id="order-amended"')[1].split("</div>")[0]
    assert REASON in amended and "after the claim was paid" in amended
    assert 'id="amend-offer"' not in page  # the claim is back with the practitioner
    db = get_session()
    db.expire_all()
    assert db.get(Case, case_id).billing_state == "awaiting_signature"


def test_an_order_whose_claim_has_not_gone_is_not_amended(app, db_session, signed_in, make_user):
    client, clinician = signed_in("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD")
    case = stored_case(db_session, clinician, doctor)
    page = " ".join(client.get(f"/cases/{case.id}/amend").get_data(as_text=True).split())
    assert "edited on the case page as usual" in page and "amend-reason" not in page
    response = _amend(client, case.id)
    assert response.status_code == 409
    assert "has not gone to the payer" in response.get_data(as_text=True)


def test_the_practitioner_signs_the_amended_order_seeing_why_and_what_changed(
    paid, app, db_session
):
    client, case_id = paid["client"], paid["case_id"]
    _amend(client, case_id)
    doctor = app.test_client()
    from web.conftest import _sign_in

    _sign_in(doctor, paid["doctor"])
    page = doctor.get(f"/signing/cases/{case_id}").get_data(as_text=True)
    amended = page.split('id="order-amended"')[1].split("</section>")[0]
    assert "Order version 2: amended after the claim went to the payer" in amended
    assert REASON in amended
    assert "What changed since you signed this order" in page


def test_billing_reads_that_a_corrected_claim_is_needed_but_not_the_reason(
    paid, signed_in, db_session
):
    client, case_id = paid["client"], paid["case_id"]
    _amend(client, case_id)
    billing, _ = signed_in("billing", clinic_id=paid["clinician"].clinic_id)
    page = billing.get(f"/billing/cases/{case_id}").get_data(as_text=True)
    block = page.split('id="corrected-claim"')[1].split("</div>")[0]
    assert "Corrected claim needed" in block
    assert "It replaces payer claim 2226340123456" in block
    assert "It keeps the signature it was billed on: Dana Okafor, MD" in block
    assert "on file and intact" in block
    assert REASON not in page
    queue = billing.get("/billing/").get_data(as_text=True)
    assert "Corrected claim needed" in queue and REASON not in queue
    csv = billing.get("/billing/queue.csv").get_data(as_text=True)
    assert "Corrected claim needed" in csv and REASON not in csv
    refused = billing.post(
        f"/cases/{case_id}/amend", data={"version": _version(case_id), "reason": "x"}
    )
    assert refused.status_code in (403, 404)


def test_the_api_reads_the_order_version_and_the_superseded_signature(paid, db_session):
    client, case_id = paid["client"], paid["case_id"]
    original = current_signature(db_session, case_id).id
    _amend(client, case_id)
    headers = bearer(token_for(db_session, paid["clinician"]))
    body = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert body["signature"]["state"] == "superseded"
    assert body["signature"]["order_version"] == 2 and body["signature"]["superseded_at"]
    amendment = body["order_amendment"]
    assert amendment["order_version"] == 2 and amendment["claim_state"] == "paid"
    assert amendment["corrected_claim"] == "needed"
    assert amendment["payer_claim_number"] == "2226340123456"
    assert amendment["original_signature_intact"] is True
    assert (amendment["correction_path"], amendment["reopening"]) == ("replacement", None)
    assert REASON not in str(body)
    assert original is not None


def test_billing_types_the_original_claim_number_on_its_own_page(
    app, db_session, signed_in, make_user, monkeypatch
):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    client, clinician = signed_in("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dana Okafor")
    case = stored_case(db_session, clinician, doctor, patient_name="Walter Pruitt", payer="aetna")
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    case = db_session.get(Case, case.id)
    case.billing_state = "submitted"  # no 835 yet: the payer's number is unknown
    db_session.commit()
    _amend(client, case.id)
    billing, _ = signed_in("billing", clinic_id=clinician.clinic_id)
    page = billing.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    block = page.split('id="corrected-claim"')[1].split("</div>")[0]
    assert "is not known yet" in block
    assert f'href="/billing/cases/{case.id}/original-claim-number"' in block
    url = f"/billing/cases/{case.id}/original-claim-number"
    refused = billing.post(url, data={"payer_claim_number": "12*34"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="payer-claim-number-error"' in text and 'value="12*34"' in text
    done = billing.post(url, data={"payer_claim_number": "2226340555"})
    assert done.status_code == 303
    page = billing.get(done.headers["Location"]).get_data(as_text=True)
    assert "It replaces payer claim 2226340555" in page
    assert client.get(url).status_code == 403  # the clinician does not type billing's numbers


def test_a_second_amend_says_the_order_was_amended_already(paid, db_session):
    """A second tab or a second click: the page offers no form then, so the refusal is said in
    the alert above it (it came back as a bare page with the reason's error out of sight)."""
    client, case_id = paid["client"], paid["case_id"]
    stale_version = _version(case_id)
    assert _amend(client, case_id).status_code == 303
    for reason in ("", REASON):
        again = client.post(
            f"/cases/{case_id}/amend", data={"version": stale_version, "reason": reason}
        )
        text = again.get_data(as_text=True)
        assert again.status_code == 409
        assert 'id="amend-problem"' in text
        assert "The order was amended already: order version 2 waits" in text
    assert len(db_session.scalars(select(OrderAmendment)).all()) == 1


def test_a_tampered_version_comes_back_with_a_message_and_the_reason(paid):
    client, case_id = paid["client"], paid["case_id"]
    bad = client.post(f"/cases/{case_id}/amend", data={"version": "x", "reason": REASON})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="amend-problem"' in text and "nothing was amended" in text
    assert REASON in text and f'name="version" value="{_version(case_id)}"' in text


def test_the_practitioner_is_mailed_when_the_page_amends_the_order(app, paid, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    response = _amend(paid["client"], paid["case_id"])
    assert response.status_code == 303
    (message,) = smtp_server.messages
    assert message["X-DME-Kind"] == "order_amended" and message["To"] == paid["doctor"].email
    assert f"/signing/cases/{paid['case_id']}" in message.get_content()
    assert "Walter Pruitt" not in message.as_string() and REASON not in message.as_string()
