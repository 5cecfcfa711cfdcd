"""The case page follows contract revision 2 (clarification 13): a clinic trial is not asked
about the home unit, the Monday demonstration / Wednesday clinic sequence decides eligible
without editing either visit, and the prescription is suggested from the home-unit trial."""

from __future__ import annotations

import pytest

from web.pages.cases.page_form import page_fields
from web.pages.cases.test_page_save import send, stored
from web.pages.cases.test_views import create

MONDAY = {
    "trials-rows-0-date": "2026-10-05",
    "trials-rows-0-device": "E0849",
    "trials-rows-0-position": "seated",
    "trials-rows-0-force_lb": "22",
    "trials-rows-0-minutes": "15",
    "trials-rows-0-pain_before": "6",
    "trials-rows-0-pain_after": "4",
    "trials-rows-0-peripheralization": "no",
    "trials-rows-0-new_neuro_signs": "no",
    "trials-rows-0-use_demonstrated": "yes",
    "trials-rows-0-tolerated": "yes",
}
WEDNESDAY = {
    "trials-rows-1-date": "2026-10-07",
    "trials-rows-1-device": "mechanical",
    "trials-rows-1-position": "supine",
    "trials-rows-1-force_lb": "15",
    "trials-rows-1-minutes": "15",
    "trials-rows-1-pain_before": "6",
    "trials-rows-1-pain_after": "2",
    "trials-rows-1-peripheralization": "no",
    "trials-rows-1-new_neuro_signs": "no",
}


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


def the_page(client, case_id) -> str:
    return client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_a_clinic_trial_is_not_asked_about_the_home_unit(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = page_fields(the_page(client, case_id))
    # A hidden answer left on the clinic trial is not recorded.
    fields.update({**MONDAY, **WEDNESDAY, "trials-rows-1-use_demonstrated": "no"})
    assert send(client, case_id, fields, section="trials").status_code == 303
    page = the_page(client, case_id)
    assert "Clinic trial: whether the home unit was demonstrated" in page
    shown = page_fields(page)
    assert shown["trials-rows-0-use_demonstrated"] == "yes"
    assert shown["trials-rows-1-use_demonstrated"] == ""  # not recorded
    assert stored(app, case_id)["trials"] == 2


def test_the_prescription_is_suggested_from_the_latest_home_unit_trial(clinician):
    client, _ = clinician
    case_id = create(client)
    fields = page_fields(the_page(client, case_id))
    fields.update({**MONDAY, **WEDNESDAY})
    send(client, case_id, fields, section="trials")
    shown = page_fields(the_page(client, case_id))
    assert shown["request-hcpcs"] == "E0849"  # the demonstrated unit, not the clinic's
    assert shown["request-force_lb"] == "22"  # Monday's force, not Wednesday's 15 lb
