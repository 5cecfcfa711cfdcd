"""The history section as a clinician records it, in a real Chromium: typed by label, saved with
the page's Save, a refusal shown beside its field with everything typed kept; axe finds no
serious violation."""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from browser.pages import open_as, require_axe, serious_violations
from browser.test_clinician import create_case, save

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()


def test_a_clinician_records_prior_treatment_and_findings(live_server, browser, make_user):
    clinician = make_user("clinician", credential="PT", name="Maria Santos")
    page = open_as(browser, live_server, clinician)
    create_case(page, live_server)
    section = page.locator("#section-history")
    section.get_by_label("Weeks of physical therapy").fill("6")
    section.get_by_label("Traction during physical therapy").select_option("without")
    section.get_by_label("Result of physical therapy").fill("neck and left arm pain unchanged")
    section.get_by_label("Medications tried").fill("ibuprofen 600 mg PRN")
    section.get_by_label("Spurling's test").select_option("positive")
    section.get_by_label("Imaging or nerve study").select_option("mri")
    section.get_by_label("Date of the study").fill("2026-09-14")
    section.get_by_label("Finding of the study").fill("C5-C6 disc protrusion, left C6 root")
    section.get_by_label("Neck Disability Index (%)").fill("42")
    save(page, "history", "Save history and prior treatment")

    # PRN cannot go in a letter: refused beside the field, everything typed kept.
    error = page.locator("#history-medications-error")
    assert "Latin abbreviations" in error.inner_text()
    assert page.input_value("#history-physical_therapy_weeks") == "6"
    assert page.input_value("#history-imaging_finding") == "C5-C6 disc protrusion, left C6 root"
    section = page.locator("#section-history")
    section.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "case-history-refused.png"))

    page.fill("#history-medications", "ibuprofen 600 mg up to three times a day for 4 weeks")
    save(page, "history", "Save history and prior treatment")
    section = page.locator("#section-history")
    assert "Saved." in section.inner_text()
    assert page.input_value("#history-spurling_test") == "positive"
    section.screenshot(path=str(SCREENSHOTS / "case-history-saved.png"))
    assert page.errors == []
    assert serious_violations(page) == []
    require_axe()
