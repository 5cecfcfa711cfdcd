"""In a real Chromium: a signed order's life on the case page and the billing claim page.

The physician has signed; the PT changes the force (a fact the order prints): the page holds
the save with "Signed by ... saving voids the signature and returns the order to ..." and
keeps the typed value; confirming saves, voids with the change named, and billing's claim page
says why. The practitioner signs again; once the claim is submitted, and again once it is
paid, a change to the force is refused and the signature stands. Screenshots are written to
the folder DME_SHOTS names (default /tmp/dme-signed-order) for a person to look at.

Signing again and the claim's submission and payment are made through the services (their own
pages are walked in test_billing.py); the claim states are set as billing's moves leave them.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from services.claim_cases import stored_case

from browser.test_billing import open_as, serious_violations
from dme_service.db import get_session
from dme_service.models import BillingEvent, Case
from dme_service.services import signing
from dme_service.store.signed_content import check_signature

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DME_SHOTS", "/tmp/dme-signed-order"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def signed(app, make_user):
    people = {
        "clinician": make_user("clinician", credential="PT", name="Maria Alvarez"),
        "practitioner": make_user("practitioner", credential="MD", name="Daniel Okafor"),
        "billing": make_user("billing", name="Priya Nair"),
    }
    with app.app_context():
        session = get_session()
        case = stored_case(session, people["clinician"], people["practitioner"])
        case_id = case.id
        signing.sign(session, case_id, people["practitioner"], expected_version=case.version)
        logins = {
            key: SimpleNamespace(id=user.id, email=user.email, password=user.password)
            for key, user in people.items()
        }
        session.rollback()  # SQLite: leave no transaction (and its write lock) open
    return app, logins, case_id


def _case(app, case_id):
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        state = (case.billing_state, case.home_prescription.force_lb)
        valid = check_signature(session, case).valid
        session.rollback()
    return (*state, valid)


def _sign_again(app, logins, case_id):
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        from dme_service.models import User

        practitioner = session.get(User, logins["practitioner"].id)
        signing.sign(session, case_id, practitioner, expected_version=case.version)
        session.rollback()


def _claim_is(app, logins, case_id, state):
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        session.add(
            BillingEvent(
                case_id=case_id,
                from_state=case.billing_state,
                to_state=state,
                user_id=logins["billing"].id,
            )
        )
        case.billing_state = state
        session.commit()


def _change_force(page, base_url, case_id, force):
    page.goto(f"{base_url}/cases/{case_id}")
    page.locator("#request-force_lb").fill(str(force))
    page.get_by_role("button", name="Save home prescription").click()
    page.wait_for_load_state()


def test_a_signed_order_warns_voids_with_the_reason_and_freezes_once_submitted(
    live_server, browser, signed
):
    app, logins, case_id = signed
    pt = open_as(browser, live_server, logins["clinician"])
    pt.goto(f"{live_server}/cases/{case_id}")
    top = pt.locator("#signature-state").inner_text()
    assert "Signed by Daniel Okafor, MD" in top
    shot(pt, "1-signed-at-the-top")

    _change_force(pt, live_server, case_id, 14)
    warning = pt.locator("#void-warning")
    assert warning.is_visible()
    text = " ".join(warning.inner_text().split())
    assert "Signed by Daniel Okafor, MD on " in text
    assert "saving voids the signature and returns the order to Daniel Okafor, MD." in text
    assert "force 12 lb → 14 lb" in text
    assert pt.locator("#request-force_lb").input_value() == "14"  # kept as typed
    assert _case(app, case_id) == ("signed", 12, True)  # nothing saved yet
    assert serious_violations(pt) == []
    shot(pt, "2-warned-before-the-void")

    pt.get_by_role("button", name="Save and void the signature").click()
    pt.wait_for_load_state()
    top = " ".join(pt.locator("#signature-state").inner_text().split())
    assert "Signature voided" in top and "force 12 lb → 14 lb" in top
    assert "back with Daniel Okafor, MD for a new signature" in top
    assert _case(app, case_id) == ("awaiting_signature", 14, False)
    shot(pt, "3-voided-and-back-with-the-practitioner")

    md = open_as(browser, live_server, logins["practitioner"])
    assert "Maria Alvarez" in md.content() or str(case_id) in md.content()

    billing = open_as(browser, live_server, logins["billing"])
    billing.goto(f"{live_server}/billing/cases/{case_id}")
    voided = " ".join(billing.locator("#signature-voided").inner_text().split())
    assert "The practitioner's signature was voided" in voided
    assert "force 12 lb → 14 lb" in voided
    shot(billing, "4-billing-sees-why")
    billing.goto(f"{live_server}/billing/")
    assert "Signature voided: the case was changed after signing" in billing.content()
    shot(billing, "5-billing-queue-says-why")

    _sign_again(app, logins, case_id)
    billing.goto(f"{live_server}/billing/")
    row = billing.locator("tr", has_text="Case " + str(case_id)).inner_text()
    assert "Signed" in row and "Awaiting signature" not in row
    shot(billing, "6-queue-signed-for-review")

    for state in ("submitted", "paid"):
        _claim_is(app, logins, case_id, state)
        _change_force(pt, live_server, case_id, 16)
        frozen = " ".join(pt.locator("#order-frozen").inner_text().split())
        assert "Not saved: the signed order cannot change" in frozen
        assert ("ask billing first" in frozen) is (state == "submitted")
        assert pt.locator("#request-force_lb").input_value() == "16"
        assert _case(app, case_id) == (state, 14, True)  # the signature stands
        shot(pt, f"7-{state}-order-frozen")
    assert pt.errors == [] and billing.errors == []
