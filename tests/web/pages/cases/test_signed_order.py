"""The case page and a signed order: the signature at the top, a warning (nothing saved, the
typed values kept) before a save voids it, and a frozen order once the claim was submitted."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from services.claim_cases import stored_case

from dme_service.db import get_session
from dme_service.documents.types import RenderedDocument
from dme_service.models import BillingEvent, Case
from dme_service.services import signing
from dme_service.store.signed_content import check_signature, signatures
from web.pages.cases.page_form import page_fields

_RENDERS = itertools.count(1)


def fake_render(inputs, render=None):
    out = {}
    serial = next(_RENDERS)
    for kind in inputs["kinds"]:
        pdf = f"%PDF-1.7 {kind} {serial}".encode()
        out[kind] = RenderedDocument(kind, pdf, hashlib.sha256(pdf).hexdigest(), 1, kind, "en")
    return out


@pytest.fixture
def desk(app, db_session, signed_in, make_user, monkeypatch):
    """A signed case of the signed-in clinician's clinic."""
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    client, clinician = signed_in("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dana Okafor")
    case = stored_case(db_session, clinician, doctor, patient_name="Walter Pruitt")
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    return {"client": client, "case_id": case.id, "clinician": clinician, "doctor": doctor}


def _fields(client, case_id) -> dict:
    return page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))


def _state(case_id):
    db = get_session()
    db.expire_all()
    case = db.get(Case, case_id)
    return case, check_signature(db, case)


def test_the_case_page_says_who_signed_at_the_top(desk):
    page = desk["client"].get(f"/cases/{desk['case_id']}").get_data(as_text=True)
    top = page.split('id="signature-state"')[1].split("</div>")[0]
    assert "Signed by Dana Okafor, MD" in top
    assert "voids the signature and returns the order to Dana Okafor, MD" in top


def test_a_change_to_a_signed_fact_is_held_with_a_warning_and_the_typed_values(desk):
    client, case_id = desk["client"], desk["case_id"]
    fields = _fields(client, case_id)
    version = fields["patient-version"]
    fields["request-force_lb"] = "14"
    response = client.post(f"/cases/{case_id}/save", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    warning = page.split('id="void-warning"')[1].split("</div>")[0]
    assert "Signed by Dana Okafor, MD on " in warning
    assert "saving voids the signature and returns the order to Dana Okafor, MD." in warning
    assert "force 12 lb → 14 lb" in warning
    assert 'name="confirm_void" value="1"' in page
    assert page_fields(page)["request-force_lb"] == "14"  # what was typed is kept
    case, check = _state(case_id)
    assert check.valid and case.home_prescription.force_lb == 12  # nothing saved
    assert str(case.version) == version

    confirmed = client.post(f"/cases/{case_id}/save", data={**fields, "confirm_void": "1"})
    assert confirmed.status_code == 303
    case, check = _state(case_id)
    assert case.home_prescription.force_lb == 14 and not check.valid
    assert case.billing_state == "awaiting_signature"
    voided = signatures(get_session(), case_id)[0]
    assert voided.void_reason == ("the case was changed after signing: force 12 lb → 14 lb")
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    top = page.split('id="signature-state"')[1].split("</div>")[0]
    assert "Signature voided" in top and "force 12 lb → 14 lb" in top
    assert "back with Dana Okafor, MD for a new signature" in top
    assert [c.id for c in signing.awaiting_signature(get_session(), desk["doctor"])] == [case_id]


def test_a_change_to_nothing_signed_saves_at_once_and_keeps_the_signature(desk):
    client, case_id = desk["client"], desk["case_id"]
    fields = _fields(client, case_id)
    fields["request-frequency_text"] = "15 minutes, 2 times a day"
    response = client.post(f"/cases/{case_id}/save", data=fields)
    assert response.status_code == 303
    case, check = _state(case_id)
    assert case.home_prescription.frequency_text == "15 minutes, 2 times a day"
    assert check.valid and case.billing_state == "signed"


@pytest.mark.parametrize("state", ["submitted", "paid"])
def test_a_submitted_order_refuses_changes_to_signed_facts_even_confirmed(desk, state):
    client, case_id = desk["client"], desk["case_id"]
    db = get_session()
    case = db.get(Case, case_id)
    db.add(BillingEvent(case_id=case_id, from_state="signed", to_state=state, user_id=1))
    case.billing_state = state
    db.commit()
    fields = _fields(client, case_id)
    fields["request-force_lb"] = "14"
    response = client.post(f"/cases/{case_id}/save", data={**fields, "confirm_void": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    frozen = page.split('id="order-frozen"')[1].split("</div>")[0]
    assert "Not saved: the signed order cannot change" in frozen
    assert "force" in frozen
    # The way forward is on the refusal itself: amend the order (never "ask billing").
    assert "amend the order" in frozen and "ask billing" not in frozen
    assert f'href="/cases/{case_id}/amend"' in frozen
    case, check = _state(case_id)
    assert check.valid and case.home_prescription.force_lb == 12
    assert case.billing_state == state
