"""The case page's one Save (issue 15): the page is one form; any Save button saves every
edited section, untouched sections (the suggested prescription) are not stored, and a
refusal re-shows every section as typed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import AuditEvent, Case
from web.pages.cases.page_form import page_fields
from web.pages.cases.test_views import NEW_CASE, TRIAL_ROW, create


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


@pytest.fixture
def signer_id(make_user):
    return make_user("practitioner", credential="MD", name="Sam Lee").id


def the_page(client, case_id) -> dict:
    return page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))


def send(client, case_id, fields, **extra):
    return client.post(f"/cases/{case_id}/save", data={**fields, **extra})


def stored(app, case_id) -> dict:
    """The saved facts the tests look at, read in their own app context."""
    with app.app_context():
        db = get_session()
        db.expire_all()
        case = db.get(Case, case_id)
        prescription = case.home_prescription
        return {
            "version": case.version,
            "practitioner": case.treating_practitioner_id,
            "onset": case.onset_date.isoformat() if case.onset_date else None,
            "force": prescription.force_lb if prescription else None,
            "prescription": prescription is not None,
            "trials": len(case.trials),
            "name": case.patient.name,
        }


def test_the_page_is_one_form_that_posts_to_the_page_save(clinician):
    client, _ = clinician
    case_id = create(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.count(f'<form method="post" action="/cases/{case_id}/save"') == 1
    assert f"/cases/{case_id}/sections/" not in page  # no section posts on its own
    assert "Each Save button saves every change on this page." in page


def test_editing_two_sections_and_pressing_one_save_keeps_both(app, clinician, signer_id):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields["order-treating_practitioner"] = str(signer_id)
    fields["order-onset_date"] = "2026-07-01"
    fields["request-force_lb"] = "14"
    response = send(client, case_id, fields, section="prescription")
    assert response.status_code == 303
    assert "saved=prescription,order" in response.headers["Location"]
    case = stored(app, case_id)
    assert case["practitioner"] == signer_id
    assert case["onset"] == "2026-07-01"
    assert case["force"] == 14
    with app.app_context():
        actions = get_session().scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(case_id))
        )
        assert {"case.save.prescription", "case.save.order"} <= set(actions)


def test_an_untouched_section_is_not_saved(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields.update(TRIAL_ROW)
    response = send(client, case_id, fields, section="trials")
    assert "saved=trials" in response.headers["Location"]
    case = stored(app, case_id)
    assert case["trials"] == 1
    assert case["prescription"] is False  # the suggestion shown was not stored


def test_pressing_a_sections_save_saves_it_even_unchanged(app, clinician):
    client, _ = clinician
    case_id = create(client)
    send(client, case_id, the_page(client, case_id), section="prescription")
    assert stored(app, case_id)["prescription"] is True


def test_a_refusal_keeps_every_sections_typed_entries(app, clinician, signer_id):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields.update({**TRIAL_ROW, "trials-rows-0-pain_after": "11"})
    fields["order-treating_practitioner"] = str(signer_id)
    fields["screening-myelopathy"] = "no"
    response = send(client, case_id, fields, section="trials")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "whole number from 0 to 10, not 11" in page
    again = page_fields(page)
    assert again["trials-rows-0-pain_after"] == "11"
    assert again["order-treating_practitioner"] == str(signer_id)
    assert again["screening-myelopathy"] == "no"
    assert stored(app, case_id)["practitioner"] is None  # nothing saved


def test_adding_a_trial_row_keeps_the_other_sections_typed(clinician, signer_id):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields["order-treating_practitioner"] = str(signer_id)
    fields.update(TRIAL_ROW)
    page = send(client, case_id, fields, action="add_row").get_data(as_text=True)
    again = page_fields(page)
    assert "trials-rows-1-date" in again
    assert again["order-treating_practitioner"] == str(signer_id)


def test_finding_codes_keeps_the_other_sections_typed(clinician):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields["patient-weight_lb"] = "182"
    fields["dx-query"] = "pinched nerve"
    page = send(client, case_id, fields, action="search").get_data(as_text=True)
    assert 'value="M54.12"' in page
    assert page_fields(page)["patient-weight_lb"] == "182"


def test_nothing_edited_saves_nothing(app, clinician):
    client, _ = clinician
    case_id = create(client)
    before = stored(app, case_id)["version"]
    response = send(client, case_id, the_page(client, case_id))
    assert response.status_code == 303
    assert stored(app, case_id)["version"] == before


def test_a_save_made_on_an_older_version_gets_the_409_page(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    first = dict(fields, **{"patient-weight_lb": "180"})
    assert send(client, case_id, first).status_code == 303
    second = dict(fields, **{"patient-name": "Jane Doe-Smith"})
    response = send(client, case_id, second)
    assert response.status_code == 409
    assert "Jane Doe-Smith" in response.get_data(as_text=True)
    assert stored(app, case_id)["name"] == NEW_CASE["name"]  # nothing overwritten


# --- a Save that meets an ended session (web/pages/cases/typed_input.py) ---------------

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def typed_trial_after_idle(app, make_user, sign_in, *, minutes=16):
    """A PT signs in, opens a case, types a trial, waits, presses Save: the response."""
    user = make_user("clinician", credential="PT")
    clock = time_machine.travel(T0, tick=False)
    traveller = clock.start()
    client = app.test_client()
    sign_in(client, user)
    case_id = create(client)
    fields = the_page(client, case_id)
    fields.update(TRIAL_ROW)
    traveller.shift(timedelta(minutes=minutes))
    response = send(client, case_id, fields, section="trials")
    return client, user, case_id, response, clock


def sealed_of(page: str) -> str:
    return re.search(r'name="typed_input" value="([^"]+)"', page).group(1)


def test_save_after_idle_sign_out_keeps_the_typed_trial_and_saves_it(app, make_user, sign_in):
    client, user, case_id, response, clock = typed_trial_after_idle(app, make_user, sign_in)
    try:
        page = response.get_data(as_text=True)
        assert response.status_code == 401
        assert "What you typed on the case page is kept" in page
        assert "2026-10-02" not in page  # carried signed, not shown in a field
        back = client.post(
            "/login",
            data={"email": user.email, "password": user.password, "typed_input": sealed_of(page)},
        )
        assert back.status_code == 303
        assert f"/cases/{case_id}?" in back.headers["Location"]
        assert "resumed=1" in back.headers["Location"]
        shown = client.get(back.headers["Location"]).get_data(as_text=True)
        assert "What you typed before was saved." in shown
        # Nothing left to show again: the resume address just opens the case.
        again = client.get(f"/cases/{case_id}/resume")
        assert again.headers["Location"] == f"/cases/{case_id}"
    finally:
        clock.stop()
    assert stored(app, case_id)["trials"] == 1


def test_a_wrong_password_keeps_the_carried_entries(app, make_user, sign_in):
    client, user, _, response, clock = typed_trial_after_idle(app, make_user, sign_in)
    try:
        sealed = sealed_of(response.get_data(as_text=True))
        wrong = client.post(
            "/login", data={"email": user.email, "password": "not-it", "typed_input": sealed}
        )
        assert sealed_of(wrong.get_data(as_text=True)) == sealed
    finally:
        clock.stop()


def test_carried_entries_go_back_only_to_their_own_user(app, make_user, sign_in):
    client, _, case_id, response, clock = typed_trial_after_idle(app, make_user, sign_in)
    try:
        sealed = sealed_of(response.get_data(as_text=True))
        other = make_user("clinician", credential="PT", email="other@example.org")
        back = client.post(
            "/login", data={"email": other.email, "password": other.password, "typed_input": sealed}
        )
        assert back.status_code == 303
        assert f"/cases/{case_id}" not in back.headers["Location"]
    finally:
        clock.stop()
    assert stored(app, case_id)["trials"] == 0


def test_carried_entries_altered_in_the_page_are_ignored(app, make_user, sign_in):
    client, user, case_id, response, clock = typed_trial_after_idle(app, make_user, sign_in)
    try:
        sealed = sealed_of(response.get_data(as_text=True))
        back = client.post(
            "/login",
            data={"email": user.email, "password": user.password, "typed_input": sealed + "x"},
        )
        assert f"/cases/{case_id}" not in back.headers["Location"]
    finally:
        clock.stop()
    assert stored(app, case_id)["trials"] == 0


def test_a_refused_carried_save_shows_the_case_page_as_typed(app, make_user, sign_in):
    user = make_user("clinician", credential="PT")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        case_id = create(client)
        fields = the_page(client, case_id)
        fields.update({**TRIAL_ROW, "trials-rows-0-pain_after": "11"})
        clock.shift(timedelta(minutes=16))
        page = send(client, case_id, fields, section="trials").get_data(as_text=True)
        back = client.post(
            "/login",
            data={"email": user.email, "password": user.password, "typed_input": sealed_of(page)},
        )
        # Post/redirect/get: the case page is at its own address, so a reload does not send
        # the sign-in again, and it shows the entries again until they are saved.
        assert back.status_code == 303
        assert back.headers["Location"] == f"/cases/{case_id}/resume"
        for _ in range(2):  # the page, then a reload of it
            shown_response = client.get(back.headers["Location"])
            shown = shown_response.get_data(as_text=True)
            assert shown_response.status_code == 200
            assert "not saved yet: check it and press Save" in shown
            assert "whole number from 0 to 10, not 11" in shown
            assert page_fields(shown)["trials-rows-0-pain_after"] == "11"
            # The header is the signed-in user's.
            assert user.name in shown and ">Sign out<" in shown
    assert stored(app, case_id)["trials"] == 0


# --- order wording that cannot contradict itself ---------------------------------------


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        ("PRN as needed for neck pain", 'An order cannot say "PRN" or "as needed"'),
        ("30 minutes, three times daily", "says 30 minutes but Minutes per session is 15"),
    ],
)
def test_an_order_wording_that_cannot_go_on_the_order_is_refused_at_its_field(
    app, clinician, wording, message
):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields["request-frequency_text"] = wording
    page = send(client, case_id, fields, section="prescription").get_data(as_text=True)
    assert message in html.unescape(page)
    assert 'id="request-frequency_text-error"' in page
    assert page_fields(page)["request-frequency_text"] == wording
    assert stored(app, case_id)["prescription"] is False


def test_an_empty_wording_is_written_from_the_minutes_and_sessions(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    fields.update(
        {"request-minutes": "20", "request-sessions_per_day": "3", "request-frequency_text": ""}
    )
    send(client, case_id, fields, section="prescription")
    again = the_page(client, case_id)
    assert again["request-frequency_text"] == "20 minutes, three times daily"


def test_the_decision_panel_comes_before_the_sections_in_the_tab_order(clinician):
    client, _ = clinician
    page = client.get(f"/cases/{create(client)}").get_data(as_text=True)
    assert 0 < page.index('id="decision"') < page.index('id="section-patient"')


def test_the_clinicians_home_page_finds_a_case_by_name(clinician):
    client, _ = clinician
    create(client)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-search-name"' in home and 'action="/cases"' in home
    found = client.post("/cases", data={"scope": "clinic", "name": "jane"})
    assert found.status_code == 200
    assert NEW_CASE["name"] in found.get_data(as_text=True)
