"""In a real Chromium: the practitioner's sign page lists every supervised trial, the one that
decides home use marked, a clinic trial without tolerance words, and a lifetime length of need
as "99 (lifetime)". The screenshot goes to the folder DME_SHOTS names (default
/tmp/dme-sign-page) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from services.claim_cases import CASE_DOCUMENT, home_then_clinic_trials, stored_case

from browser.pages import open_as, serious_violations
from dme_service.db import get_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DME_SHOTS", "/tmp/dme-sign-page"))


@pytest.fixture
def two_trials(app, make_user):
    clinician = make_user("clinician", credential="PT", name="Maria Alvarez")
    doctor = make_user("practitioner", credential="MD", name="Daniel Okafor")
    request = {**CASE_DOCUMENT["request"], "length_of_need_months": 99}
    with app.app_context():
        session = get_session()
        case = stored_case(
            session, clinician, doctor, trials=home_then_clinic_trials(), request=request
        )
        case_id = case.id
        session.rollback()
    return SimpleNamespace(email=doctor.email, password=doctor.password), case_id


def test_the_sign_page_shows_every_trial_and_lifetime_need(live_server, browser, two_trials):
    doctor, case_id = two_trials
    page = open_as(browser, live_server, doctor)
    page.goto(f"{live_server}/signing/cases/{case_id}")
    trials = page.locator(".sign-trial")
    assert trials.count() == 2
    first, second = (" ".join(t.split()) for t in trials.all_inner_texts())
    assert first.startswith("Decides home use (latest home-unit trial).")
    assert "Home use demonstrated. Tolerated." in first
    assert second.startswith("Latest trial (gives the trial response).")
    assert "olerat" not in second
    assert "for 99 (lifetime)" in page.locator(".sign-summary").inner_text()
    assert serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".sign-summary").screenshot(path=str(SHOTS / "sign-page-trials.png"))
