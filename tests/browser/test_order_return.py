"""In a real Chromium: the practitioner asks for changes with a note, the clinician reads it at
the top of the case, edits the force and sends the order again, and the practitioner sees the
change field by field (who, when) and signs. Screenshots: order-returned-*.png.
"""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case

from browser.pages import open_as, serious_violations, shot
from dme_service.db import get_session
from dme_service.store.cases import parsed_and_decided
from dme_service.store.decisions import record_decision

pytestmark = pytest.mark.browser

NOTE = "Please order 10 lb, not 12: she is 5 weeks post flare."


@pytest.fixture
def order(app, make_user):
    clinician = make_user("clinician", credential="PT", name="Maria Alvarez")
    practitioner = make_user("practitioner", credential="MD", name="Daniel Okafor")
    with app.app_context():
        session = get_session()
        case = stored_case(session, clinician, practitioner, patient_name="Linda Castillo")
        # The decision panel reads the stored decision, as after a save through the page.
        record_decision(session, case, parsed_and_decided(case)[1])
        session.commit()
        found = case.id  # SQLite: leave no transaction (and its write lock) open
    return clinician, practitioner, found


def test_ask_for_changes_edit_send_again_and_sign(live_server, browser, order):
    clinician, practitioner, case_id = order
    doctor = open_as(browser, live_server, practitioner)
    table = doctor.locator("table.waiting-orders")
    row = table.locator("tbody tr").filter(has_text="Linda Castillo")
    assert (
        "E0860" in row.inner_text() and "Traction equipment, overdoor, cervical" in row.inner_text()
    )
    assert "Maria Alvarez" in row.inner_text() and "Waiting less than an hour" in row.inner_text()
    shot(doctor, "order-returned-1-practitioner-home")
    row.get_by_role("link", name="Linda Castillo").click()
    doctor.wait_for_load_state()
    # The note is required: an empty one comes back with the message beside the field.
    doctor.get_by_role("button", name="Ask for changes").click()
    doctor.wait_for_load_state()
    assert "Say what should change" in doctor.inner_text("body")
    doctor.get_by_label("Your note to the clinician").fill(NOTE)
    doctor.get_by_role("button", name="Ask for changes").click()
    doctor.wait_for_load_state()
    assert "Sent back to Maria Alvarez" in doctor.inner_text("body")
    assert doctor.locator("table.waiting-orders").count() == 0  # nothing waits any more
    shot(doctor, "order-returned-2-sent-back")

    pt = open_as(browser, live_server, clinician)
    pt.goto(f"{live_server}/cases/{case_id}")
    banner = pt.locator("#order-returned")
    assert "Daniel Okafor asked for changes" in banner.inner_text()
    assert NOTE in banner.inner_text()
    # The note is above the case's sections: seen without scrolling.
    assert banner.bounding_box()["y"] < 600
    assert serious_violations(pt) == []
    shot(pt, "order-returned-3-clinician-sees-the-note")
    pt.fill("#request-force_lb", "10")
    pt.locator("#section-prescription").get_by_role("button", name="Save home prescription").click()
    pt.wait_for_load_state()
    pt.get_by_role("button", name="Send again to Daniel Okafor").click()
    pt.wait_for_load_state()
    assert "Sent again to Daniel Okafor" in pt.inner_text("body")
    assert pt.locator("#order-returned").count() == 0

    doctor.goto(f"{live_server}/")
    doctor.get_by_role("link", name="Linda Castillo").click()
    doctor.wait_for_load_state()
    changes = doctor.locator("#since-last-look")
    text = changes.inner_text()
    assert "What changed since you asked for changes" in text
    assert NOTE in text
    force = changes.locator("tr").filter(has_text="Home prescription, force")
    assert "12 lb" in force.inner_text() and "10 lb" in force.inner_text()
    assert "Maria Alvarez" in force.inner_text()
    assert "request." not in text and "force_lb" not in text
    assert serious_violations(doctor) == []
    shot(doctor, "order-returned-4-what-changed")
    doctor.get_by_label("I am the treating practitioner", exact=False).check()
    doctor.get_by_label("Your password").fill(practitioner.password)
    doctor.get_by_role("button", name="Sign order and letter").click()
    doctor.wait_for_load_state()
    assert f"/signing/cases/{case_id}/history" in doctor.url
    assert "Valid" in doctor.inner_text("body")
    shot(doctor, "order-returned-5-signed")
    assert doctor.errors == [] and pt.errors == []
