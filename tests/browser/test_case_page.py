"""The clinician's case page as therapists work (issue 15), in a real Chromium.

The diagnosis picker finds codes from a therapist's words as they type.
"""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from browser.pages import open_as
from browser.test_clinician import create_case

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()


SEARCHES = [
    ("herniated disc neck", "M50.20"),
    ("disc herniation c5-c6", "M50.222"),
    ("neck pain", "M54.2"),
    ("pinched nerve", "M54.12"),
    ("whiplash", "S13.4XXA"),
    ("C6", "M50.122"),
]


def test_the_picker_finds_codes_from_a_therapists_words(live_server, browser, team):
    page = open_as(browser, live_server, team["clinician"])
    create_case(page, live_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for query, first in SEARCHES:
        page.fill("#dx-query", query)
        first_button = page.locator("#dx-results .match-list li button").first
        first_button.filter(has_text=f"Add {first}").wait_for()
    page.locator("#dx-results .more-codes").wait_for()  # "C6" has more matches than shown
    page.locator("#section-diagnoses").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-code-search-c6.png"))
    page.locator("#dx-results").get_by_role("button", name="Add M50.122").click()
    page.wait_for_load_state()
    assert page.input_value("#dx-codes-0") == "M50.122"
    # The home page's case search finds it by name.
    page.goto(f"{live_server}/")
    page.get_by_label("Find a case by the patient's name").fill("alvarez")
    page.get_by_role("button", name="Find cases").click()
    page.wait_for_load_state()
    assert "Maria Alvarez" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "home-search-result.png"))
    assert page.errors == []


def test_editing_two_sections_and_saving_one_keeps_both(live_server, browser, team):
    page = open_as(browser, live_server, team["clinician"])
    create_case(page, live_server)
    page.select_option("#order-treating_practitioner", str(team["practitioner"].id))
    page.fill("#order-onset_date", "2026-07-01")
    page.fill("#request-force_lb", "14")
    page.fill("#request-length_of_need_months", "3")
    page.locator("#section-prescription").get_by_role(
        "button", name="Save home prescription"
    ).click()
    page.wait_for_load_state()
    assert page.input_value("#order-treating_practitioner") == str(team["practitioner"].id)
    assert page.input_value("#order-onset_date") == "2026-07-01"
    assert page.input_value("#request-force_lb") == "14"
    assert page.locator("#section-order .alert-success").is_visible()
    page.locator("#section-prescription").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-one-save.png"))
    assert page.errors == []


def expire_sessions(app) -> None:
    """The idle limit passed: every session was last seen 16 minutes ago."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from dme_service.db import get_session
    from dme_service.models import UserSession

    with app.app_context():
        db = get_session()
        past = datetime.now(UTC) - timedelta(minutes=16)
        db.execute(update(UserSession).values(last_seen_at=past))
        db.commit()


def test_a_session_that_ends_while_typing_keeps_the_typed_trial(app, live_server, browser, team):
    user = team["clinician"]
    page = open_as(browser, live_server, user)
    case_id = create_case(page, live_server)
    page.fill("#trials-rows-0-date", "2026-10-02")
    page.select_option("#trials-rows-0-device", "E0860")
    page.fill("#trials-rows-0-force_lb", "12")
    page.fill("#trials-rows-0-minutes", "15")
    page.fill("#trials-rows-0-pain_before", "6")
    page.fill("#trials-rows-0-pain_after", "3")
    page.select_option("#trials-rows-0-peripheralization", "no")
    page.select_option("#trials-rows-0-new_neuro_signs", "no")
    page.fill("#trials-rows-0-note", "Seated, 20 degrees of flexion; set-up taught.")
    expire_sessions(app)
    page.locator("#section-trials").get_by_role("button", name="Save in-clinic trials").click()
    page.wait_for_load_state()
    assert "What you typed on the case page is kept" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "sign-in-keeping-typed.png"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert f"/cases/{case_id}" in page.url
    assert "What you typed before was saved." in page.locator("#resumed").inner_text()
    assert page.input_value("#trials-rows-0-date") == "2026-10-02"
    assert page.input_value("#trials-rows-0-pain_after") == "3"
    assert page.input_value("#trials-rows-0-note").startswith("Seated, 20 degrees")
    row = page.locator("fieldset.trial-row").first
    assert "Run by Dana Reyes, PT" in row.inner_text()  # the signed-in clinician, recorded
    page.screenshot(path=str(SCREENSHOTS / "case-after-sign-in.png"))
    assert page.errors == []


def test_monday_demonstration_and_wednesday_clinic_trial_reach_eligible(live_server, browser, team):
    """walk.md top 4: the over-door unit demonstrated on Monday, clinic mechanical traction on
    Wednesday; eligible with both visits recorded as they happened (clarification 13)."""
    from dme_service.case.model import SCREENING_KEYS

    page = open_as(browser, live_server, team["clinician"])
    create_case(page, live_server)
    page.fill("#dx-query", "c5-c6 radic")
    page.get_by_role("button", name="Add M50.122").click()
    page.wait_for_load_state()
    for field, value in {
        "date": "2026-10-05", "force_lb": "12", "minutes": "15",
        "pain_before": "6", "pain_after": "4",
    }.items():  # fmt: skip
        page.fill(f"#trials-rows-0-{field}", value)
    page.select_option("#trials-rows-0-device", "E0860")
    for field in ("peripheralization", "new_neuro_signs"):
        page.select_option(f"#trials-rows-0-{field}", "no")
    for field in ("use_demonstrated", "tolerated"):
        page.select_option(f"#trials-rows-0-{field}", "yes")
    page.get_by_role("button", name="Add another trial").click()
    page.fill("#trials-rows-1-date", "2026-10-07")
    page.select_option("#trials-rows-1-device", "mechanical")
    assert not page.locator("#trials-rows-1-use_demonstrated").is_visible()  # not asked
    page.select_option("#trials-rows-1-position", "supine")
    for field, value in {
        "force_lb": "15",
        "minutes": "15",
        "pain_before": "6",
        "pain_after": "2",
    }.items():
        page.fill(f"#trials-rows-1-{field}", value)
    for field in ("peripheralization", "new_neuro_signs"):
        page.select_option(f"#trials-rows-1-{field}", "no")
    for key in SCREENING_KEYS:
        page.check(f"#screening-{key}-1")
    page.fill("#request-length_of_need_months", "3")
    page.select_option("#order-treating_practitioner", str(team["practitioner"].id))
    page.fill("#order-onset_date", "2026-07-01")
    page.locator("#section-order").get_by_role("button", name="Save order and history").click()
    page.wait_for_load_state()
    assert page.locator("#decision .decision-status .badge").inner_text() == "Eligible"
    reasons = page.locator("#decision .reasons").inner_text()
    assert "on the 2026-10-05 E0860 trial" in reasons
    assert page.locator("#decision-title").is_visible()
    page.goto(page.url.split("#")[0])
    page.screenshot(path=str(SCREENSHOTS / "case-monday-wednesday-eligible.png"))
    page.locator("#section-trials").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-monday-wednesday-trials.png"))
    assert page.errors == []


# A visible select whose chosen text is wider than the room inside it (padding and the arrow).
CUT_SELECTS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll("#case-form select")).filter((s) => {
    if (!s.offsetParent || s.selectedIndex < 0) return false;
    const style = getComputedStyle(s);
    canvas.font = style.font;
    const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return canvas.measureText(s.options[s.selectedIndex].text).width > room - 20;
  }).map((s) => s.id + ": " + s.options[s.selectedIndex].text);
}"""


def test_screening_by_keyboard_and_trial_rows_that_keep_their_shape(live_server, browser, team):
    page = open_as(browser, live_server, team["clinician"])
    create_case(page, live_server)
    screening = page.locator("#section-screening")
    screening.locator("fieldset.question input[type=radio]").first.focus()
    for _ in range(19):
        page.keyboard.press("n")
    assert screening.locator("input[type=radio][value=no]:checked").count() == 19
    assert screening.locator("input[type=radio][value=yes]:checked").count() == 0
    page.fill("#trials-rows-0-date", "2026-10-02")
    page.select_option("#trials-rows-0-device", "mechanical")
    page.select_option("#trials-rows-0-position", "")
    for field, value in {"force_lb": "15", "minutes": "15", "pain_before": "6"}.items():
        page.fill(f"#trials-rows-0-{field}", value)
    page.fill("#trials-rows-0-pain_after", "11")
    page.locator("#section-trials").get_by_role("button", name="Save in-clinic trials").click()
    page.wait_for_load_state()
    error = page.locator("#trials-rows-0-pain_after-error").bounding_box()
    after = page.locator("#trials-rows-0-pain_after").bounding_box()
    before = page.locator("#trials-rows-0-pain_before").bounding_box()
    assert before["y"] == after["y"]  # the error does not push its input out of line
    assert error["y"] >= after["y"] + after["height"]  # it sits under its own input
    assert page.evaluate(CUT_SELECTS) == []
    assert screening.locator("input[type=radio][value=no]:checked").count() == 19  # kept
    page.locator("#section-trials").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-trial-row-error.png"))
    assert page.errors == []
