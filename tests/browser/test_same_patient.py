"""The same patient again, in a real Chromium: the clinic delivered an E0860 to the patient on
an earlier case; the new-case form warns while the member id is typed (other case and spaces),
the new case's page names the earlier case and carries the delivered unit as a prior device,
and the decision warns SAME_OR_SIMILAR. Removing the carried unit needs a reason.
"""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from browser.pages import open_as, require_axe, serious_violations
from browser.test_clinician import enter_standard_case

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()


@pytest.fixture
def team(team, make_user):
    """The screenshots' clinic (conftest's team) with a biller."""
    return {**team, "billing": make_user("billing", name="Bo Billing")}


def delivered_earlier_case(app, team) -> int:
    """The patient's first case: eligible, signed off by billing as paid, delivered 2026-12-04."""
    from services.claim_cases import stored_case

    from dme_service.db import get_session
    from dme_service.models import BillingEvent

    with app.app_context():
        db = get_session()
        case = stored_case(db, team["clinician"], team["practitioner"])
        db.add(
            BillingEvent(
                case_id=case.id,
                from_state="submitted",
                to_state="paid",
                user_id=team["billing"].id,
                delivery={"date": "2026-12-04", "method": "in_clinic", "received_by": "Jane"},
            )
        )
        case.billing_state = "paid"
        db.commit()
        return case.id


def warning_codes(page) -> str:
    return page.locator("#decision .warnings").inner_text()


def test_second_case_for_the_same_patient_warns_and_carries_the_prior_device(
    app, live_server, browser, team
):
    earlier = delivered_earlier_case(app, team)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_as(browser, live_server, team["clinician"])

    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Patient's full name").fill("Jane Doe")
    page.get_by_label("Date of birth").fill("1958-03-14")
    page.get_by_label("Payer").select_option("medicare")
    page.get_by_label("Member id").fill("1eg4 te5 mk73")
    notice = page.locator("#same-patient-notice")
    notice.get_by_role("link", name=f"Case #{earlier}: E0860").wait_for()
    assert "This patient already has 1 case in your clinic" in notice.inner_text()
    assert "delivered Dec 4, 2026" in notice.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "same-patient-new-case.png"), full_page=True)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Create the draft case").click()
    page.wait_for_load_state()
    # The server asks once more, naming the case; the answer creates it.
    question = page.locator("#same-patient-question")
    assert "Not created yet: this patient already has 1 case" in question.inner_text()
    assert page.get_by_label("Patient's full name").input_value() == "Jane Doe"
    page.screenshot(path=str(SCREENSHOTS / "same-patient-new-case-asked.png"), full_page=True)
    assert serious_violations(page) == []
    question.get_by_role("button", name="Create another case for this patient").click()
    page.wait_for_load_state()

    card = page.locator("#same-patient")
    assert "This patient already has 1 other case in your clinic" in card.inner_text()
    assert card.get_by_role("link", name=f"Case #{earlier}").first.get_attribute("href") == (
        f"/cases/{earlier}"
    )
    assert f"delivered by this clinic on Dec 4, 2026, case #{earlier}" in " ".join(
        card.inner_text().split()
    )
    enter_standard_case(page, team["practitioner"])
    assert "Same or similar unit supplied before" in warning_codes(page)
    page.goto(page.url.split("?")[0].split("#")[0])
    page.screenshot(path=str(SCREENSHOTS / "same-patient-case-page.png"))
    page.locator("#decision .warnings").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "same-patient-decision.png"))
    assert serious_violations(page) == []

    remove = card.get_by_role("button", name="Remove this prior device")
    remove.click()
    page.wait_for_load_state()
    error = page.locator("#same-patient .field-error")
    assert "Say why this unit is not a prior device" in error.inner_text()
    page.locator("#same-patient").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "same-patient-reason-needed.png"))
    page.locator("#same-patient textarea").fill(
        "Delivered to her sister; entered on the wrong chart"
    )
    page.get_by_role("button", name="Remove this prior device").click()
    page.wait_for_load_state()
    removed = page.locator(".same-patient-removed").inner_text()
    assert "removed from the prior devices by Dana Reyes, PT" in removed
    assert "Delivered to her sister" in removed
    assert "Same or similar unit supplied before" not in warning_codes(page)
    page.screenshot(path=str(SCREENSHOTS / "same-patient-removed.png"))
    assert page.errors == []
    require_axe()
