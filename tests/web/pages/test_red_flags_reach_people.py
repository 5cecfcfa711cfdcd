"""A red flag from home reaches people: the patient is told truthfully what happens and given
the clinic's number; the case's clinician is mailed; the flag shows at the top of the decision
panel and on the treating practitioner's home page."""

from __future__ import annotations

from pathlib import Path

import pytest
from services.patient_cases import a_stored_case

from dme_service.services.patient import links as patient_links
from dme_service.web.pages.patient.common import local_today


@pytest.fixture
def setting(app, db_session, clinic, make_user, sign_in):
    clinician = make_user("clinician", credential="PT", name="Pat Kim")
    doctor = make_user("practitioner", credential="MD", name="Dr Sam Lee")
    case = a_stored_case(db_session, clinic, clinician, practitioner=doctor, name="Ann Flag")
    _, raw = patient_links.create_link(db_session, case, clinician, lang="en")
    patient = app.test_client()
    assert patient.get(f"/p?t={raw}").status_code == 303
    clients = {}
    for key, user in (("clinician", clinician), ("doctor", doctor)):
        clients[key] = app.test_client()
        assert sign_in(clients[key], user).status_code == 303
    return case, patient, clients, clinician


def _log_red_flag(patient, flag="arm_symptoms_worse"):
    data = {
        "date": local_today().isoformat(),
        "minutes": "15",
        "force_lb": "12",
        "pain_before": "5",
        "pain_after": "7",
        "red_flags": flag,
    }
    return patient.post("/patient/log", data=data, follow_redirects=True).get_data(as_text=True)


def test_the_patient_is_told_what_really_happens_and_given_the_number(app, setting):
    _case, patient, _clients, clinician = setting
    page = _log_red_flag(patient)
    assert "can see this now" not in page
    assert "Your clinic is told about this" in page and "opening hours" in page
    assert "call Test Spine Clinic now at " in page and ">555-0100</span>." in page
    assert "call 911" in page
    outbox = Path(app.instance_path) / "outbox"
    mails = [path.read_text() for path in outbox.glob("*.eml")]
    assert any("X-DME-Kind: red_flag" in mail and clinician.email in mail for mail in mails)
    assert not any("Ann Flag" in mail for mail in mails)  # no patient data in a mail


def test_the_flag_is_at_the_top_of_the_decision_panel(setting):
    case, patient, clients, _clinician = setting
    _log_red_flag(patient)
    page = clients["clinician"].get(f"/cases/{case.id}").get_data(as_text=True)
    panel = page[page.index('id="decision"') :]
    assert panel.index('id="red-flag-alert"') < panel.index('id="decision-title"')
    assert "Red flag from home, not reviewed" in panel
    assert "#red-flag-" in panel


def test_the_practitioner_home_page_lists_the_flag(setting):
    case, patient, clients, _clinician = setting
    _log_red_flag(patient)
    home = clients["doctor"].get("/").get_data(as_text=True)
    assert "Red flags from home, not reviewed" in home
    assert "Ann Flag" in home and f"/cases/{case.id}#red-flag-" in home
