"""A scan over 10 MB uploaded from a real browser comes back to the upload form with the
message beside the file field (the browser is still sending when the server answers: the
answer must reach it, not a reset connection)."""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case

from browser import screenshot_dir
from browser.pages import open_as
from dme_service.db import get_session

pytestmark = pytest.mark.browser


def test_a_scan_over_10_mb_comes_back_to_the_form(live_server, browser, app, make_user, tmp_path):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Pat Rivera")
    with app.app_context():
        case = stored_case(get_session(), clinician, doctor)
    big = tmp_path / "signed-scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    page = open_as(browser, live_server, clinician)
    page.goto(f"{live_server}/signing/cases/{case.id}/ink")
    page.get_by_label("Signed scan").set_input_files(str(big))
    page.get_by_role("button", name="Upload as the signature").click()
    page.wait_for_load_state()
    error = page.locator("#scan-error")
    assert error.inner_text().startswith("The file is larger than 10 MB.")
    assert page.get_by_label("Signed scan").get_attribute("aria-invalid") == "true"
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "ink-upload-too-large.png"), full_page=True)
