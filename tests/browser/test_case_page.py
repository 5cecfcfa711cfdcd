"""The clinician's case page as therapists work (issue 15), in a real Chromium.

The diagnosis picker finds codes from a therapist's words as they type.
"""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from browser.test_clinician import create_case, new_page

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()


@pytest.fixture
def team(make_user):
    return {
        "clinician": make_user("clinician", credential="PT", name="Dana Reyes, PT"),
        "practitioner": make_user("practitioner", credential="MD", name="Dr. Samuel Greene"),
    }


SEARCHES = [
    ("herniated disc neck", "M50.20"),
    ("disc herniation c5-c6", "M50.222"),
    ("neck pain", "M54.2"),
    ("pinched nerve", "M54.12"),
    ("whiplash", "S13.4XXA"),
    ("C6", "M50.122"),
]


def test_the_picker_finds_codes_from_a_therapists_words(live_server, browser, team):
    page = new_page(browser, live_server, team["clinician"])
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
    assert page.errors == []
