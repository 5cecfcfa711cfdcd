"""In a real Chromium: the practitioner signs, billing moves the claim to submitted and records
a denial with its CARC (issue 7 "Tests"). Screenshots go to docs/screenshots/sign-*.png and
billing-*.png; axe-core (when installed) checks each page for serious violations.
"""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case
from sqlalchemy import select

from browser.pages import open_as, require_axe, serious_violations, shot
from browser.signed_cases import reyes_greene_and_nair, sign_ins
from dme_service.db import get_session
from dme_service.models import BillingEvent, Case
from dme_service.services import signing

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic_case(app, make_user):
    """Invented people (screenshots never show a real patient) and one eligible case."""
    people = reyes_greene_and_nair(make_user)
    with app.app_context():
        session = get_session()
        case = stored_case(
            session,
            people["clinician"],
            people["practitioner"],
            patient_name="Maria Alvarez",
            notes="CANARY-NOTES: discussed home set-up with her daughter",
        )
        case_id = case.id
        logins = sign_ins(people)
        others(session, people)
        session.rollback()  # SQLite: leave no transaction (and its write lock) open
    return logins, case_id


def patient(name: str, born: str, member_id: str) -> dict:
    """A patient of their own: the same member id and birth date would make every row a
    possible duplicate claim of the others."""
    return {"patient": {"name": name, "date_of_birth": born, "member_id": member_id}}


def others(session, people):
    """A few more claims, so the queue shows what it says about each kind of gap."""
    author, doctor = people["clinician"], people["practitioner"]
    whitfield = patient("James Whitfield", "1961-07-02", "W123456789")
    stored_case(session, author, doctor, payer="aetna", **whitfield)
    for who, changes in (
        (
            patient("Linh Tran", "1949-11-23", "2FH5UF6NA84"),
            {"prior_devices": [{"hcpcs": "E0860", "date": "2023-05-01"}]},
        ),
        (
            patient("Robert Okafor", "1955-01-30", "3GJ6VG7PC95"),
            {"diagnoses": ["M50.122", "M54.12"]},
        ),
    ):
        case = stored_case(session, author, doctor, **who, **changes)
        signing.sign(session, case.id, doctor, expected_version=case.version)


def practitioner_signs(page, base_url, password):
    assert "James Whitfield" in page.inner_text("table")
    page.get_by_role("link", name="Maria Alvarez").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign the order for Maria Alvarez"
    assert serious_violations(page) == []
    shot(page, "sign-order")
    page.get_by_label("I am the treating practitioner", exact=False).check()
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Sign order and letter").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "The order and the letter now carry your electronic signature"
    ).is_visible()
    assert serious_violations(page) == []
    shot(page, "sign-done")


def billing_submits_and_records_a_denial(page, base_url, case_id):
    page.goto(f"{base_url}/billing/")
    assert "Maria Alvarez" in page.inner_text("table")
    assert serious_violations(page) == []
    shot(page, "billing-queue")
    page.get_by_role("link", name=f"Case {case_id}").click()
    page.locator("form.move-ready_to_submit input[name=service_date]").fill("2026-11-20")
    page.get_by_role("button", name="Mark ready to submit").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Mark submitted").click()
    page.wait_for_load_state()
    assert page.get_by_text("the claim is now submitted").is_visible()
    denial = page.locator("form.move-denied")
    denial.locator("select[name=carc]").select_option(["50"])
    denial.locator("select[name=rarc]").select_option(["N115"])
    denial.get_by_label("Note").fill("Payer asks for the trial note; appeal with the packet.")
    denial.get_by_role("button", name="Record denial").click()
    page.wait_for_load_state()
    assert page.get_by_text("the claim is now denied").is_visible()
    assert "These are non-covered services" in page.inner_text("#history-heading + table")
    assert "CANARY-NOTES" not in page.content()
    assert serious_violations(page) == []
    shot(page, "billing-claim")
    page.goto(f"{base_url}/billing/denials")
    assert serious_violations(page) == []
    shot(page, "billing-denials")


def test_practitioner_signs_then_billing_submits_and_records_a_denial(
    app,
    live_server,
    browser,
    clinic_case,
):
    people, case_id = clinic_case
    doctor = open_as(browser, live_server, people["practitioner"])
    practitioner_signs(doctor, live_server, people["practitioner"].password)
    biller = open_as(browser, live_server, people["billing"])
    billing_submits_and_records_a_denial(biller, live_server, case_id)
    assert doctor.errors == [] and biller.errors == []
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        assert case.billing_state == "denied"
        denial = session.scalars(
            select(BillingEvent).where(BillingEvent.to_state == "denied")
        ).one()
        assert (denial.carc_codes, denial.rarc_codes) == (["50"], ["N115"])
        session.rollback()
    require_axe()  # every check but the accessibility scans ran and passed
