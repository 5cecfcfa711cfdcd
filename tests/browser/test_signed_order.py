"""In a real Chromium: a signed order's life on the case page, the practitioner's sign page and
billing's pages, from the first signature to a paid corrected claim.

The physician has signed; the PT changes the force (a fact the order prints): the page holds
the save with "Signed by ... saving voids the signature and returns the order to ..." and
keeps the typed value; confirming saves, voids with the change named, and billing's claim page
says why. The practitioner signs again on their sign page, which shows the change. Once the
claim is submitted, and again once it is paid, a change to the force is refused, and the
refusal offers "Amend the order": with a reason it makes order version 2, the PT changes the
force, billing reads that a corrected claim is needed, the practitioner signs version 2 seeing
why and what changed, and billing's 837P from the queue is a corrected claim (CLM05-3 = 7,
REF*F8 = the payer's claim number from the 835), validated with pyx12. The corrected claim is
paid; the original claim keeps the signature it was paid on (a commercial payer: Medicare's
DME MAC takes no replacement claim and is asked to reopen the claim instead). Screenshots
are written to the folder DME_SHOTS names (default /tmp/dme-signed-order) for a person to
look at.

The claim's first submission and the payer's 835s are made through the services (their own
pages are walked in test_billing.py); every other step goes through the pages.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from claims import remits
from claims.pyx12_check import accepted, validate
from services.billing.ready_claims import CLINIC_NPI, DELIVERY, set_up_billing
from services.case_steps import save

from browser.pages import open_as, serious_violations
from browser.signed_cases import alvarez_and_okafor, sign_again, sign_stored_case
from dme_service.claims import x835_build
from dme_service.db import get_session
from dme_service.models import Case, User
from dme_service.services import order_amendment
from dme_service.services.billing import claim as billing
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import remittance
from dme_service.store.cases import to_document
from dme_service.store.signed_content import check_signature, seal_intact, signatures

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DME_SHOTS", "/tmp/dme-signed-order"))
REASON = "Dr Okafor ordered 10 lb at the last visit; 14 lb was a typing slip."
SENT = date(2026, 12, 4)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def signed(app, make_user):
    # A commercial payer takes a replacement claim; Medicare's DME MAC is asked to reopen.
    people = alvarez_and_okafor(make_user, billing=True)
    logins, case_id, _ = sign_stored_case(app, people, payer="aetna")
    return app, logins, case_id


def _case(app, case_id):
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        state = (case.billing_state, case.home_prescription.force_lb)
        valid = check_signature(session, case).valid
        session.rollback()
    return (*state, valid)


def _submit_and_pay(app, logins, case_id, icn, *, take_back=None, paid_on=None):
    """Billing's moves as they leave the claim: a signed claim made ready with the proof of
    delivery, its 837P made and confirmed sent; then, with `icn`, the payer's 835 paying it
    with that claim control number (CLP07), first taking back (CLP02 = 22) its payment under
    the ICN `take_back` when given, on `paid_on`. Returns the claim's state."""
    with app.app_context():
        session = get_session()
        biller = session.get(User, logins["billing"].id)
        case = session.get(Case, case_id)
        if case.billing_state == "signed":
            billing.transition(
                session,
                case_id,
                "ready_to_submit",
                biller,
                expected_version=case.version,
                delivery=DELIVERY,
            )
            made = claim_export.export(session, biller, [case_id], today=SENT)
            claim_export.confirm_sent(session, biller, made.file.id, SENT, today=SENT)
        session.expire_all()
        case = session.get(Case, case_id)
        if icn is not None:
            facts = claim_money.claim_facts(session, case, claim_money.claim_record(session, case))
            payments = [remits.paid(facts, icn)]
            if take_back is not None:
                payments.insert(0, remits.reversal(remits.paid(facts, take_back)))
            answer = remits.remittance(
                *payments, payee=replace(remits.PAYEE, id=CLINIC_NPI), trace=icn
            )
            if paid_on is not None:
                answer = replace(answer, payment_date=paid_on)
            remittance.import_835(session, biller, x835_build.build(answer).encode())
            session.expire_all()
        state = session.get(Case, case_id).billing_state
        session.rollback()
    return state


def _billing_set_up(app, logins, case_id):
    """The clinic as supplier (NPI, EIN, address, fee table) and the patient's address."""
    with app.app_context():
        session = get_session()
        biller = session.get(User, logins["billing"].id)
        set_up_billing(session, biller.clinic_id, biller.id)
        patient = session.get(Case, case_id).patient
        patient.address_line1, patient.city = "12 Elm St", "Philadelphia"
        patient.state, patient.zip, patient.sex = "PA", "19104", "F"
        session.commit()


def _signatures(app, case_id):
    """Newest first: (not voided, superseded, still proves what was signed)."""
    with app.app_context():
        session = get_session()
        found = [
            (s.voided_at is None, s.superseded_at is not None, seal_intact(session, s))
            for s in signatures(session, case_id)
        ]
        session.rollback()
    return found


def _open_waiting_order(page, base_url, case_id):
    """The practitioner's list, then the one order waiting there."""
    page.goto(f"{base_url}/")
    links = page.locator("table.waiting-orders").get_by_role("link")
    assert links.count() == 1
    links.first.click()
    page.wait_for_load_state()
    assert f"/signing/cases/{case_id}" in page.url


def _sign_on_the_page(page, password):
    page.get_by_label("I am the treating practitioner", exact=False).check()
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Sign order and letter").click()
    page.wait_for_load_state()
    assert "now carry your electronic signature" in page.inner_text("body")


def _change_force(page, base_url, case_id, force):
    page.goto(f"{base_url}/cases/{case_id}")
    page.locator("#request-force_lb").fill(str(force))
    page.get_by_role("button", name="Save home prescription").click()
    page.wait_for_load_state()


def test_a_signed_order_voided_re_signed_frozen_amended_and_billed_as_a_corrected_claim(
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

    billing_page = open_as(browser, live_server, logins["billing"])
    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    voided = " ".join(billing_page.locator("#signature-voided").inner_text().split())
    assert "The practitioner's signature was voided" in voided
    assert "force 12 lb → 14 lb" in voided
    shot(billing_page, "4-billing-sees-why")
    billing_page.goto(f"{live_server}/billing/")
    assert "Signature voided: the case was changed after signing" in billing_page.content()
    shot(billing_page, "5-billing-queue-says-why")

    # The practitioner signs again through their own pages, seeing what changed.
    _open_waiting_order(md, live_server, case_id)
    force = md.locator("#since-last-look tr").filter(has_text="force")
    assert "12 lb" in force.inner_text() and "14 lb" in force.inner_text()
    assert "Maria Alvarez" in force.inner_text()
    shot(md, "6-re-sign-shows-the-change")
    _sign_on_the_page(md, logins["practitioner"].password)
    billing_page.goto(f"{live_server}/billing/")
    row = billing_page.locator("tr", has_text="Case " + str(case_id)).inner_text()
    assert "Signed" in row and "Awaiting signature" not in row
    shot(billing_page, "7-queue-signed-for-review")

    # Submitted, then paid: a change to a signed fact is refused and the way forward offered.
    _billing_set_up(app, logins, case_id)
    for state, icn in (("submitted", None), ("paid", "2226340123456")):
        assert _submit_and_pay(app, logins, case_id, icn) == state
        _change_force(pt, live_server, case_id, 16)
        frozen = " ".join(pt.locator("#order-frozen").inner_text().split())
        assert "Not saved: the signed order cannot change" in frozen
        assert "amend the order" in frozen and "ask billing" not in frozen
        assert pt.locator("#request-force_lb").input_value() == "16"
        assert _case(app, case_id) == (state, 14, True)  # the signature stands
        shot(pt, f"8-{state}-order-frozen")

    # Amend the order: a reason, a new order version, back to the practitioner.
    pt.locator("#order-frozen").get_by_role("link", name="Amend the order").click()
    pt.wait_for_load_state()
    assert "order version 2" in pt.inner_text("body")
    pt.get_by_role("button", name="Amend the order").click()  # no reason yet
    pt.wait_for_load_state()
    assert "Say why the order must change" in pt.locator("#amend-reason-error").inner_text()
    pt.get_by_label("Why the order must change").fill(REASON)
    assert serious_violations(pt) == []
    shot(pt, "9-amend-the-order")
    pt.get_by_role("button", name="Amend the order").click()
    pt.wait_for_load_state()
    top = " ".join(pt.locator("#signature-state").inner_text().split())
    assert "Order version 2 awaits a new signature by Daniel Okafor, MD" in top
    assert "stays on file for the claim already billed" in top
    assert REASON in pt.locator("#order-amended").inner_text()
    shot(pt, "10-order-version-2-at-the-top")
    _change_force(pt, live_server, case_id, 10)  # no signature stands: saved at once
    assert pt.locator("#void-warning").count() == 0 and pt.locator("#order-frozen").count() == 0
    assert _case(app, case_id)[:2] == ("awaiting_signature", 10)
    assert serious_violations(pt) == []
    shot(pt, "10-order-version-2-force-changed")

    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    corrected = " ".join(billing_page.locator("#corrected-claim").inner_text().split())
    assert "Corrected claim needed (order version 2)" in corrected
    assert "It replaces payer claim 2226340123456" in corrected
    assert "force 14 lb → 10 lb" in corrected
    assert "keeps the signature it was billed on: Daniel Okafor, MD" in corrected
    assert REASON not in billing_page.content()  # the reason is clinical
    shot(billing_page, "11-billing-corrected-claim-needed")

    # The practitioner signs order version 2 on the sign page, seeing why and what changed.
    _open_waiting_order(md, live_server, case_id)
    assert REASON in md.locator("#order-amended").inner_text()
    force = md.locator("#since-last-look tr").filter(has_text="force")
    assert "14 lb" in force.inner_text() and "10 lb" in force.inner_text()
    assert serious_violations(md) == []
    shot(md, "12-re-sign-the-amended-order")
    _sign_on_the_page(md, logins["practitioner"].password)

    # Billing: ready to submit, then the 837P made from the queue is a corrected claim.
    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    billing_page.get_by_role("button", name="Mark ready to submit").click()
    billing_page.wait_for_load_state()
    billing_page.goto(f"{live_server}/billing/")
    billing_page.get_by_role("button", name="Export selected to 837P").click()
    billing_page.wait_for_load_state()
    assert "1 claim(s) in the file" in billing_page.inner_text("body")
    corrected = f"Case {case_id} (corrected claim, replacing the one the payer has)"
    assert corrected in billing_page.inner_text("body")
    shot(billing_page, "13-corrected-claim-file")
    link = billing_page.get_by_role("link", name="Download the 837P file")
    content = billing_page.request.get(live_server + link.get_attribute("href")).text()
    assert f"CLM*DME{case_id}*150***12:B:7*Y*A*Y*Y~" in content
    assert "REF*F8*2226340123456~" in content
    ok, ack = validate(content)
    assert ok and accepted(ack), ack
    billing_page.get_by_role("button", name="Confirm the file was sent").click()
    billing_page.wait_for_load_state()
    assert _case(app, case_id)[0] == "submitted"

    # The payer pays the corrected claim; the original claim keeps the signature it was paid on.
    assert _submit_and_pay(app, logins, case_id, "2226340999999") == "paid"
    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    corrected = " ".join(billing_page.locator("#corrected-claim").inner_text().split())
    assert "Corrected claim sent" in corrected
    assert "replacing payer claim 2226340123456" in corrected
    assert "on file and intact" in corrected
    shot(billing_page, "14-corrected-claim-paid")
    billing_page.goto(f"{live_server}/signing/cases/{case_id}/history")
    history = billing_page.inner_text("body")
    assert "Superseded by an amended order" in history and "Valid" in history
    shot(billing_page, "15-both-signatures-kept")
    # Newest first: the amended order's signature stands; the paid claim's is superseded,
    # never voided, and still proves what was signed; the first one stays void.
    assert _signatures(app, case_id) == [
        (True, False, True),
        (True, True, True),
        (False, False, True),
    ]
    assert _case(app, case_id) == ("paid", 10, True)
    assert pt.errors == [] and billing_page.errors == [] and md.errors == []


@pytest.fixture
def medicare(app, make_user):
    people = alvarez_and_okafor(make_user, billing=True)
    logins, case_id, _ = sign_stored_case(app, people)  # the example case's payer: Medicare
    return app, logins, case_id


def _amended_and_signed_again(app, logins, case_id):
    """Order version 2 through the services (the page walk is the test above): the PT amends
    the order and changes the force to 10 lb; the practitioner signs it."""
    with app.app_context():
        session = get_session()
        clinician = session.get(User, logins["clinician"].id)
        case = session.get(Case, case_id)
        order_amendment.amend(session, case_id, clinician, REASON, expected_version=case.version)
        session.expire_all()
        case = session.get(Case, case_id)
        request = {**to_document(case)["request"], "force_lb": 10}
        save(session, clinician, case, "prescription", {"request": request})
        session.rollback()
    sign_again(app, logins, case_id)


def test_a_medicare_claim_is_corrected_by_a_reopening_and_the_take_back_is_shown(
    live_server, browser, medicare
):
    app, logins, case_id = medicare
    _billing_set_up(app, logins, case_id)
    paid_on = date(2026, 12, 5)
    assert _submit_and_pay(app, logins, case_id, "2226340123456", paid_on=paid_on) == "paid"
    _amended_and_signed_again(app, logins, case_id)

    billing_page = open_as(browser, live_server, logins["billing"])
    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    billing_page.get_by_role("button", name="Mark ready to submit").click()
    billing_page.wait_for_load_state()
    notice = " ".join(billing_page.locator("#corrected-claim").inner_text().split())
    assert "Reopening needed (order version 2)" in notice
    assert "ICN 2226340123456" in notice and "force 12 lb → 10 lb" in notice
    assert REASON not in billing_page.content()  # the reason is clinical
    shot(billing_page, "21-medicare-reopening-needed")
    billing_page.goto(f"{live_server}/billing/")
    billing_page.get_by_role("button", name="Export selected to 837P").click()
    billing_page.wait_for_load_state()
    assert "reopen the original claim" in billing_page.inner_text("body")  # no replacement
    shot(billing_page, "22-medicare-replacement-refused")

    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    billing_page.locator("#reopening-link").click()
    billing_page.wait_for_load_state()
    billing_page.get_by_label("Telephone reopening line").check()
    billing_page.get_by_label("The DME MAC's reference for the request").fill("R*1")
    billing_page.get_by_role("button", name="Record the request").click()
    billing_page.wait_for_load_state()
    error = billing_page.locator("#reference-error").inner_text()
    assert "letters, digits or dashes" in error
    assert billing_page.get_by_label("Telephone reopening line").is_checked()  # kept
    assert serious_violations(billing_page) == []
    billing_page.locator("#request-form").scroll_into_view_if_needed()
    shot(billing_page, "23-reopening-request-refused-beside-the-field")
    billing_page.get_by_label("The DME MAC's reference for the request").fill("R-88812")
    billing_page.get_by_role("button", name="Record the request").click()
    billing_page.wait_for_load_state()
    state = " ".join(billing_page.locator("#reopening-state").inner_text().split())
    assert "Reopening requested" in state and "R-88812" in state
    assert _case(app, case_id)[0] == "submitted"
    assert serious_violations(billing_page) == []
    shot(billing_page, "24-reopening-requested")

    # The DME MAC adjusts the claim: its 835 takes back the payment and pays it again.
    assert (
        _submit_and_pay(
            app, logins, case_id, "2226340999999", take_back="2226340123456", paid_on=date.today()
        )
        == "paid"
    )
    billing_page.goto(f"{live_server}/billing/cases/{case_id}")
    rows = billing_page.locator("#claim-payments tbody tr")
    assert rows.count() == 3
    assert "Taken back" in rows.nth(1).inner_text() and "−$80.00" in rows.nth(1).inner_text()
    notice = " ".join(billing_page.locator("#corrected-claim").inner_text().split())
    assert "Reopening: claim corrected" in notice
    assert serious_violations(billing_page) == []
    billing_page.locator("#claim-payments").scroll_into_view_if_needed()
    shot(billing_page, "25-take-back-and-corrected-payment")
    assert billing_page.errors == []
