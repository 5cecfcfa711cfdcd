"""In a real Chromium: a clinician creates the LMN from the documents page (the bounded
WeasyPrint render), creates it again, and sees both versions, the older one marked
superseded; the download is a PDF attachment. Screenshot: docs/screenshots/documents.png.
"""

from __future__ import annotations

import pytest
from sample_case import store_case

from browser.pages import open_as, serious_violations, shot
from dme_service.db import get_session

pytestmark = pytest.mark.browser


@pytest.fixture
def case_id(app, make_user):
    clinician = make_user("clinician", credential="PT", name="Dana Reyes, PT")
    practitioner = make_user("practitioner", credential="MD", name="Dr. Samuel Greene")
    with app.app_context():
        session = get_session()
        case = store_case(session, clinician, practitioner, **{"patient.name": "Maria Alvarez"})
        found = case.id
        session.rollback()  # SQLite: leave no transaction (and its write lock) open
    return clinician, found


def test_create_two_versions_and_download_the_current_one(live_server, browser, case_id):
    clinician, found = case_id
    page = open_as(browser, live_server, clinician)
    page.goto(f"{live_server}/cases/{found}/documents")
    assert page.get_by_role("heading", level=1).inner_text() == "Documents for Maria Alvarez"
    lmn = page.locator("#documents-lmn")
    lmn.get_by_role("button", name="Create PDF").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{found}/documents#documents-lmn")
    lmn.get_by_role("button", name="Create new version").click()
    page.wait_for_load_state()
    rows = lmn.locator("tbody tr")
    assert rows.count() == 2
    assert "Current" in rows.nth(0).inner_text() and "Superseded" in rows.nth(1).inner_text()
    assert serious_violations(page) == []
    assert page.errors == []
    shot(page, "documents")
    with page.expect_download() as download:
        lmn.get_by_role("link", name="Download version 2").click()
    assert download.value.suggested_filename.startswith("lmn-")
    assert download.value.suggested_filename.endswith(".pdf")
