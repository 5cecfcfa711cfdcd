"""In a real Chromium at a phone viewport: the patient keeps the signed plan while a change
waits for the practitioner's signature.

The physician signed 12 lb, 15 minutes, twice a day. The PT changes the minutes to 20 on the
case page and confirms the void. The patient's page (English and Spanish) still teaches the
signed 15 minutes and says the plan is being changed; the home log offers 15 minutes. Once the
physician signs the change, the page teaches 20 minutes. Screenshots go to the folder DME_SHOTS
names (default /tmp/dme-signed-plan) for a person to look at.

Signing is made through the service (its page is walked in test_signed_order.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.pages import open_as
from browser.signed_cases import alvarez_and_okafor, sign_again, sign_stored_case
from browser.test_patient import axe_violations, phone_page, sideways_overflow
from dme_service.services.patient import links as patient_links

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DME_SHOTS", "/tmp/dme-signed-plan"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def signed(app, make_user):
    def patient_link(session, case, people):
        _, raw = patient_links.create_link(session, case, people["clinician"], lang="en")
        return raw

    logins, case_id, raw = sign_stored_case(app, alvarez_and_okafor(make_user), patient_link)
    return app, logins, case_id, raw


def _dose(page) -> list[str]:
    return [" ".join(line.split()) for line in page.locator(".dose li").all_inner_texts()]


def test_the_patient_keeps_the_signed_plan_until_the_change_is_signed(live_server, browser, signed):
    app, logins, case_id, raw = signed
    patient = phone_page(browser)
    patient.goto(f"{live_server}/p#t={raw}")
    patient.wait_for_url(f"{live_server}/patient/instructions")
    assert "Time: 15 minutes." in _dose(patient)
    assert "Your doctor signed this order on" in patient.locator(".order-state").inner_text()
    shot(patient, "1-patient-signed-plan")

    pt = open_as(browser, live_server, logins["clinician"])
    pt.goto(f"{live_server}/cases/{case_id}")
    pt.locator("#request-minutes").fill("20")
    pt.locator("#request-frequency_text").fill("20 minutes, twice daily")
    pt.get_by_role("button", name="Save home prescription").click()
    pt.wait_for_load_state()
    pt.get_by_role("button", name="Save and void the signature").click()
    pt.wait_for_load_state()
    assert "Signature voided" in pt.locator("#signature-state").inner_text()

    patient.reload()
    state = " ".join(patient.locator(".order-state").inner_text().split())
    assert state.startswith(
        "Your plan is being changed. Keep to the plan below until your clinic calls you."
    )
    assert "Your doctor signed it on" in state
    dose = _dose(patient)
    assert "Time: 15 minutes." in dose and "Time: 20 minutes." not in dose
    assert axe_violations(patient) == []
    shot(patient, "2-patient-change-waits-en")
    assert sideways_overflow(patient, 360) <= 0
    patient.set_viewport_size({"width": 360, "height": 740})

    patient.get_by_role("link", name="Español").click()
    patient.wait_for_load_state()
    state = " ".join(patient.locator(".order-state").inner_text().split())
    assert state.startswith("Su plan está cambiando.")
    assert "Tiempo: 15 minutos." in _dose(patient)
    shot(patient, "3-patient-change-waits-es")

    patient.goto(f"{live_server}/patient/log?lang=en")
    assert patient.locator("input[name=minutes]").input_value() == "15"
    shot(patient, "4-patient-log-signed-minutes")

    sign_again(app, logins, case_id)
    patient.goto(f"{live_server}/patient/instructions?lang=en")
    assert "Time: 20 minutes." in _dose(patient)
    assert "being changed" not in patient.content()
    shot(patient, "5-patient-new-plan-signed")
    assert patient.problems == []
