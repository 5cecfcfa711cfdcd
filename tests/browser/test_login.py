"""Each role signs in through a real Chromium and lands on its home page (issue 3 "Done when").

Runs the app on a real server on a free 127.0.0.1 port with CSRF on, drives Debian's chromium
through Playwright, and writes the screenshots in docs/screenshots/ that the README shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from browser import screenshot_dir
from dme_service.db import get_session
from dme_service.models import Case, Clinic, Patient

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
HOME_HEADINGS = {
    "clinician": "My cases",
    "practitioner": "Awaiting my signature",
    "billing": "Billing queue",
    "admin": "Users",
}
# Invented people: the screenshots must never show a real patient.
PATIENTS = [
    ("Maria Alvarez", "medicare", "eligible", "awaiting_signature"),
    ("James Whitfield", "aetna", "eligible", "ready_to_submit"),
    ("Linh Tran", "uhc_commercial", "not_covered", "draft"),
    ("Robert Okafor", "medicare", "incomplete", "draft"),
]


@pytest.fixture
def staff(app, make_user):
    """One user per role in a clinic with a few invented cases, so the lists are not empty."""
    users = {
        "clinician": make_user(
            "clinician", credential="PT", name="Dana Reyes, PT", email="dana.reyes@riverside.test"
        ),
        "practitioner": make_user(
            "practitioner",
            credential="MD",
            name="Dr. Samuel Greene",
            email="samuel.greene@riverside.test",
        ),
        "billing": make_user("billing", name="Priya Nair", email="priya.nair@riverside.test"),
        "admin": make_user("admin", name="Alex Morgan", email="alex.morgan@riverside.test"),
    }
    with app.app_context():
        db = get_session()
        db.get(Clinic, users["admin"].clinic_id).name = "Riverside Spine & Physical Therapy"
        for number, (name, payer, status, billing_state) in enumerate(PATIENTS):
            patient = Patient(
                clinic_id=users["clinician"].clinic_id,
                name=name,
                date_of_birth=date(1950 + 5 * number, 3, 14),
                member_id=f"DEMO{number:05d}",
            )
            db.add(patient)
            db.flush()
            db.add(_case(patient, users, payer, status, billing_state, number))
        db.commit()
    return users


def _case(patient, users, payer, status, billing_state, number):
    clinician, practitioner = users["clinician"], users["practitioner"]
    return Case(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        payer=payer,
        status=status,
        billing_state=billing_state,
        author_id=clinician.id,
        created_by_id=clinician.id,
        updated_by_id=clinician.id,
        treating_practitioner_id=practitioner.id,
        updated_at=datetime(2026, 3, 2, 15, 40, tzinfo=UTC) - timedelta(hours=5 * number),
    )


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/")
    assert page.url.startswith(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_sign_in_page_renders_with_labels_and_no_console_errors(live_server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 760})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(f"{live_server}/login")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.get_by_label("E-mail address").is_visible()
    background = page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)", "the stylesheet did not load"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    assert problems == []  # a CSP violation would show up here


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_signs_in_and_lands_on_its_home_page(live_server, browser, staff, role):
    context = browser.new_context(viewport={"width": 1200, "height": 760})
    page = context.new_page()
    _sign_in(page, live_server, staff[role])
    assert page.url == f"{live_server}/"
    assert page.get_by_role("heading", level=1).inner_text() == HOME_HEADINGS[role]
    assert staff[role].name in page.inner_text("header")
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    session_cookie = next(iter(cookies.values()))
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax"
    assert "remember_token" not in cookies
    page.screenshot(path=str(SCREENSHOTS / f"home-{role}.png"), full_page=True)
    context.close()


def test_signing_out_in_the_browser_returns_to_sign_in(live_server, browser, staff):
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, live_server, staff["billing"])
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{live_server}/login")
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    context.close()
