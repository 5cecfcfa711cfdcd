"""A clinician's whole workflow in a real Chromium (issue 5 "Tests").

The app runs on a real server on a free loopback port with CSRF on; Playwright drives Debian's
chromium. The standard Medicare over-door case is entered section by section and decided
eligible; E0849 at 25 lb gets KX; myelopathy Yes is flagged at once and decided
contraindicated; a pain of 11 is refused at its field with everything else kept; two
browsers editing one case: the second gets the 409 page. axe-core checks each page.
"""

from __future__ import annotations

import re

import pytest

from browser import screenshot_dir
from browser.pages import open_as, require_axe, serious_violations
from dme_service.case.model import SCREENING_KEYS

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()


def save(page, section: str, button: str):
    page.locator(f"#section-{section}").get_by_role("button", name=button).click()
    page.wait_for_load_state()


def panel_status(page) -> str:
    return page.locator("#decision .decision-status .badge").inner_text()


def create_case(page, base_url):
    page.goto(f"{base_url}/cases/new")
    page.get_by_label("Patient's full name").fill("Maria Alvarez")
    page.get_by_label("Date of birth").fill("1958-03-14")
    page.get_by_label("Payer").select_option("medicare")
    page.get_by_label("Member id").fill("1EG4-TE5-MK73")
    page.get_by_role("button", name="Create the draft case").click()
    page.wait_for_load_state()
    another = page.get_by_role("button", name="Create another case for this patient")
    if another.count():  # the seeded cases hold the same patient: answer the question asked
        another.click()
        page.wait_for_load_state()
    return page.url.split("/cases/")[1].split("?")[0].split("#")[0]


def enter_standard_case(page, practitioner):
    """Diagnosis by words, one trial, all screening No, the suggested prescription, the order."""
    page.fill("#dx-query", "c5-c6 radic")
    page.get_by_role("button", name="Add M50.122").click()
    page.wait_for_load_state()
    page.fill("#trials-rows-0-date", "2026-10-02")
    page.select_option("#trials-rows-0-device", "E0860")
    page.select_option("#trials-rows-0-position", "seated")
    page.fill("#trials-rows-0-force_lb", "12")
    page.fill("#trials-rows-0-minutes", "15")
    page.select_option("#trials-rows-0-peripheralization", "no")
    page.select_option("#trials-rows-0-new_neuro_signs", "no")
    page.fill("#trials-rows-0-pain_before", "7")
    page.fill("#trials-rows-0-pain_after", "3")
    page.locator("#trials-rows-0-response").filter(has_text="Improved").wait_for()
    page.select_option("#trials-rows-0-use_demonstrated", "yes")
    page.select_option("#trials-rows-0-tolerated", "yes")
    save(page, "trials", "Save in-clinic trials")
    for key in SCREENING_KEYS:
        page.check(f"#screening-{key}-1")
    save(page, "screening", "Save screening")
    assert page.input_value("#request-force_lb") == "12"  # suggested from the trial
    page.fill("#request-length_of_need_months", "3")
    save(page, "prescription", "Save home prescription")
    page.select_option("#order-treating_practitioner", str(practitioner.id))
    page.fill("#order-onset_date", "2026-07-01")
    save(page, "order", "Save order and history")


def test_clinician_enters_the_standard_case_and_follows_the_decision(live_server, browser, team):
    page = open_as(browser, live_server, team["clinician"])
    case_id = create_case(page, live_server)
    assert panel_status(page) == "Draft"
    enter_standard_case(page, team["practitioner"])
    assert panel_status(page) == "Eligible"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server}/cases/{case_id}")  # the top of the page, with the panel beside
    page.screenshot(path=str(SCREENSHOTS / "case-page.png"))
    page.locator("#section-trials").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-trials.png"))
    assert serious_violations(page) == []

    page.select_option("#request-hcpcs", "E0849")
    page.fill("#request-force_lb", "25")
    save(page, "prescription", "Save home prescription")
    assert panel_status(page) == "Eligible"
    assert page.locator("#decision .modifiers").inner_text() == "KX"

    page.check("#screening-myelopathy-0")
    assert page.locator("#screening-myelopathy .contra-flag").is_visible()  # before saving
    page.locator("#screening-myelopathy").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-screening.png"))
    save(page, "screening", "Save screening")
    assert panel_status(page) == "Contraindicated"

    page.fill("#trials-rows-0-pain_after", "11")
    page.fill("#trials-rows-0-minutes", "20")
    save(page, "trials", "Save in-clinic trials")
    error = page.locator("#trials-rows-0-pain_after-error")
    assert "whole number from 0 to 10, not 11" in error.inner_text()
    assert page.input_value("#trials-rows-0-pain_after") == "11"
    assert page.input_value("#trials-rows-0-minutes") == "20"  # the other typed entry kept
    assert page.input_value("#trials-rows-0-date") == "2026-10-02"
    assert page.locator("#error-summary a[href='#trials-rows-0-pain_after']").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "case-errors.png"))
    assert serious_violations(page) == []
    assert page.errors == []
    assert case_id.isdigit()
    require_axe()


def test_second_of_two_concurrent_edits_gets_the_409_page(live_server, browser, team):
    first = open_as(browser, live_server, team["clinician"])
    case_id = create_case(first, live_server)
    second = open_as(browser, live_server, team["practitioner"])
    second.goto(f"{live_server}/cases/{case_id}")
    first.fill("#request-length_of_need_months", "3")
    save(first, "prescription", "Save home prescription")
    second.fill("#request-length_of_need_months", "6")
    save(second, "prescription", "Save home prescription")
    assert (
        second.get_by_role("heading", level=1)
        .inner_text()
        .endswith("was changed while you were editing")
    )
    assert second.input_value("#request-length_of_need_months") == "6"
    assert "(yours: 6)" in second.locator(".conflict").inner_text()
    second.screenshot(path=str(SCREENSHOTS / "case-409.png"), full_page=True)
    assert serious_violations(second) == []
    second.get_by_role("button", name="Save my entries").click()
    second.wait_for_load_state()
    assert second.input_value("#request-length_of_need_months") == "6"
    require_axe()


def seed_cases(app, team):
    """A few invented patients with different decisions, so the list shows each label."""
    from services.case_steps import new_case, standard_case

    from dme_service.db import get_session

    clinician, signer = team["clinician"], team["practitioner"]
    with app.app_context():
        db = get_session()
        standard_case(db, clinician, signer, name="James Whitfield", payer="uhc_commercial")
        standard_case(db, clinician, signer, name="Linh Tran", screening={"myelopathy": True})
        standard_case(db, signer, signer, name="Robert Okafor", payer="aetna")
        new_case(db, clinician, name="Grace Liu", member_id="2AC3DE4FG56")


def test_case_list_and_new_case_pages_pass_axe(app, live_server, browser, team):
    seed_cases(app, team)
    page = open_as(browser, live_server, team["clinician"])
    create_case(page, live_server)
    page.goto(f"{live_server}/cases/new")
    assert serious_violations(page) == []
    page.goto(f"{live_server}/cases")
    page.get_by_label("All cases of the clinic").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Maria Alvarez").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "case-list.png"), full_page=True)
    assert serious_violations(page) == []
    assert page.errors == []
    require_axe()


def tab_to(page, element_id: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_new_case_can_be_made_with_the_keyboard_alone(live_server, browser, team):
    page = open_as(browser, live_server, team["clinician"])
    page.goto(f"{live_server}/cases/new")
    tab_to(page, "name")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus ring is visible
    page.keyboard.type("Maria Alvarez")
    page.keyboard.press("Tab")
    page.keyboard.type("03141958")
    tab_to(page, "payer")
    page.keyboard.type("Medicare")
    tab_to(page, "member_id")
    page.keyboard.type("1EG4TE5MK73")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/cases/[0-9]+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Maria Alvarez"
    tab_to(page, "patient-name", limit=40)
    assert page.errors == []


def test_double_clicking_create_makes_one_case(app, live_server, browser, team):
    from sqlalchemy import func, select

    from dme_service.db import get_session
    from dme_service.models import Case

    page = open_as(browser, live_server, team["clinician"])
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Patient's full name").fill("Maria Alvarez")
    page.get_by_label("Date of birth").fill("1958-03-14")
    page.get_by_label("Payer").select_option("medicare")
    page.get_by_label("Member id").fill("1EG4-TE5-MK73")
    page.get_by_role("button", name="Create the draft case").dblclick()
    page.wait_for_url(re.compile(r".*/cases/[0-9]+$"))
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Case)) == 1
