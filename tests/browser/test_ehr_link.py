"""A CDS Hooks card's app link in a real Chromium: the new-case form opens filled in from the
EHR's order, the clinician checks it and creates the draft (issue 18). axe-core checks the page."""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from browser.pages import open_as, require_axe, serious_violations
from dme_service.cds_hooks import prefill

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
FROM_HOOK = {
    "payer": "anthem",
    "patient": {"name": "Amy V. Baxter", "date_of_birth": "1987-02-20"},
    "diagnoses": ["M54.12", "H40.1131"],
    "request": {"hcpcs": "E0849"},
}


def test_the_app_link_fills_the_form_and_makes_the_draft(app, live_server, browser, make_user):
    clinician = make_user("clinician", credential="PT", name="Dana Reyes, PT")
    page = open_as(browser, live_server, clinician)
    token = prefill.seal(FROM_HOOK, app.config["SECRET_KEY"])
    page.goto(f"{live_server}/cases/new?ehr={token}")
    assert page.get_by_label("Patient's full name").input_value() == "Amy V. Baxter"
    assert page.get_by_label("Date of birth").input_value() == "1987-02-20"
    assert page.get_by_label("Payer").input_value() == "anthem"
    notice = page.get_by_role("status").first.inner_text()
    assert "Filled in from the EHR's order for E0849" in notice
    assert "M54.12, H40.1131" in notice
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ehr-new-case.png"), full_page=True)
    violations = serious_violations(page)
    page.get_by_label("Member id").fill("W123456789")
    page.get_by_role("button", name="Create the draft case").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url and "/new" not in page.url
    content = page.content()
    assert "Amy V. Baxter" in content
    assert "M54.12" in content and "H40.1131" in content  # the order's diagnoses came along
    assert page.errors == []
    assert violations == []
    require_axe()
