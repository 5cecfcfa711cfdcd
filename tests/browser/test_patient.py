"""The patient's pages in a real Chromium at a phone viewport (360 x 740), in both languages:
the link swap, axe-core (no serious or critical WCAG 2.1 AA violations), no sideways scrolling
at 360 px, 320 px and 200 % zoom, the home log with a red flag, and the screenshots in
docs/screenshots/ (patient-instructions-en.png, patient-instructions-es.png, patient-log.png,
patient-stop.png, patient-card.png)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from services.patient_cases import a_stored_case, sign

from browser import screenshot_dir
from browser.pages import AXE
from dme_service.db import get_session
from dme_service.models import Clinic
from dme_service.services.patient import links as patient_links

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
PHONE = {"width": 360, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def story(app, make_user):
    """An invented patient with a signed over-door order, glaucoma on screening, and a link."""
    with app.app_context():
        db = get_session()
        clinic = Clinic(name="Riverside Spine & Physical Therapy", phone="(555) 010-0199")
        db.add(clinic)
        db.commit()
        clinician = make_user("clinician", credential="PT", name="Dana Reyes, PT",
                              clinic_id=clinic.id)  # fmt: skip
        doctor = make_user("practitioner", credential="MD", name="Dr. Samuel Greene",
                           clinic_id=clinic.id)  # fmt: skip
        case = a_stored_case(db, clinic, clinician, name="Maria Alvarez",
                             screening_yes=("glaucoma",))  # fmt: skip
        sign(db, case, doctor, when=datetime(2026, 11, 2, 15, tzinfo=UTC))
        _, raw = patient_links.create_link(db, case, clinician, lang="en")
        return {"token": raw, "case_id": case.id, "clinician": clinician}


def phone_page(browser, **options):
    # axe-core is injected as an inline script, which our Content-Security-Policy forbids:
    # only the test's own context bypasses it.
    context = browser.new_context(viewport=PHONE, bypass_csp=True, **options)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.problems = problems
    return page


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}); `make deps` installs it")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sideways_overflow(page, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 740})
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_pentest_l8_the_link_token_never_travels_to_the_server(live_server, browser, story):
    """The address handed to the patient holds the token in its fragment: no request the
    browser makes carries it, and the address bar ends token-free on the instructions."""
    page = phone_page(browser)
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url, r.post_data or "")))
    page.goto(f"{live_server}/p#t={story['token']}")
    page.wait_for_url(f"{live_server}/patient/instructions")
    assert "Weight: 12 pounds." in page.content()
    assert all(story["token"] not in url for _, url, _ in sent)
    carried = [(method, url) for method, url, body in sent if story["token"] in body]
    assert carried == [("POST", f"{live_server}/p")]  # only the same-origin form's body
    page.go_back()
    assert story["token"] not in page.url


def test_instructions_on_a_phone_in_english_and_spanish(live_server, browser, story):
    page = phone_page(browser)
    page.goto(f"{live_server}/p?t={story['token']}")
    assert page.url == f"{live_server}/patient/instructions"
    assert story["token"] not in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Your home neck traction"
    assert page.locator(".dose li").first.inner_text() == "Weight: 12 pounds."
    assert (
        float(
            page.locator(".dose li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        )
        >= 24
    )
    assert "Your records say you have glaucoma." in page.content()
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "patient-instructions-en.png"), full_page=True)

    page.get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".dose li").first.inner_text() == "Peso: 12 libras."
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "patient-instructions-es.png"), full_page=True)
    assert page.problems == []


def test_no_sideways_scrolling_at_phone_widths_and_200_percent_zoom(live_server, browser, story):
    page = phone_page(browser)
    page.goto(f"{live_server}/p?t={story['token']}")
    for width in (360, 320):
        assert sideways_overflow(page, width) <= 0, width
    # 200 % zoom of a 1280 px window is a 640 CSS px viewport at twice the pixel density
    zoomed = phone_page(browser, device_scale_factor=2)
    zoomed.set_viewport_size({"width": 640, "height": 400})
    zoomed.goto(f"{live_server}/p?t={story['token']}")
    assert sideways_overflow(zoomed, 640) <= 0
    # and 200 % text on the phone itself: everything still in one column
    page.set_viewport_size(PHONE)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_home_log_with_a_red_flag_says_stop_and_call(live_server, browser, story):
    page = phone_page(browser)
    page.goto(f"{live_server}/p?t={story['token']}")
    page.get_by_role("link", name="Write down a session").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_role("group", name="Pain before you started").get_by_text("6", exact=True).click()
    page.get_by_role("group", name="Pain when you finished").get_by_text("7", exact=True).click()
    page.get_by_label("Neck pain got worse and stayed worse.").check()
    page.screenshot(path=str(SCREENSHOTS / "patient-log.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Stop and call"
    assert page.get_by_role("link", name="Call (555) 010-0199").get_attribute("href") == (
        "tel:5550100199"
    )
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "patient-stop.png"), full_page=True)
    assert page.problems == []


def test_keyboard_only_can_fill_the_pain_scale(live_server, browser, story):
    page = phone_page(browser)
    page.goto(f"{live_server}/p?t={story['token']}")
    page.goto(f"{live_server}/patient/log")
    page.locator("#pain_before-0").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#pain_before-2").is_checked()


def test_the_clinician_sees_the_patients_log(live_server, browser, story):
    patient = phone_page(browser)
    patient.goto(f"{live_server}/p?t={story['token']}")
    patient.goto(f"{live_server}/patient/log")
    patient.get_by_role("group", name="Pain before you started").get_by_text(
        "6", exact=True
    ).click()
    patient.get_by_role("group", name="Pain when you finished").get_by_text("3", exact=True).click()
    patient.get_by_role("button", name="Save").click()
    patient.wait_for_load_state()

    page = staff_page(browser, live_server, story["clinician"])
    page.goto(f"{live_server}/cases/{story['case_id']}/patient-link")
    card = page.locator("#patient-home")
    assert "Active" in card.inner_text()
    assert "prescribed sessions" in card.inner_text()
    assert axe_violations(page) == []
    card.screenshot(path=str(SCREENSHOTS / "patient-card.png"))


def staff_page(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_a_red_flag_is_marked_until_a_clinician_reviews_it(live_server, browser, story):
    patient = phone_page(browser)
    patient.goto(f"{live_server}/p?t={story['token']}")
    patient.goto(f"{live_server}/patient/log")
    patient.get_by_role("group", name="Pain before you started").get_by_text(
        "5", exact=True
    ).click()
    patient.get_by_role("group", name="Pain when you finished").get_by_text("6", exact=True).click()
    patient.get_by_label("Neck pain got worse and stayed worse.").check()
    patient.get_by_role("button", name="Save").click()
    patient.wait_for_load_state()

    page = staff_page(browser, live_server, story["clinician"])
    badge = page.get_by_role("link", name="Red flag at home, not reviewed")
    assert badge.count() == 1 and axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "home-red-flag.png"))
    badge.click()
    page.wait_for_load_state()
    card = page.locator("#patient-home")
    card.get_by_label("Action taken").fill("Called her at 14:10.\nStop traction, seen tomorrow.")
    card.screenshot(path=str(SCREENSHOTS / "red-flag-review.png"))
    card.get_by_role("button", name="Mark reviewed").click()
    page.wait_for_load_state()
    # The note keeps the lines it was typed in.
    assert "Called her at 14:10.\nStop traction" in page.locator("#patient-home").inner_text()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/")
    assert page.get_by_role("link", name="Red flag at home, not reviewed").count() == 0
