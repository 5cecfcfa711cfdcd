"""Reviewing a red flag from the "Patient at home" card: a plain POST with CSRF, Post/Redirect/
Get on success, the typed note back with a message at the field on error, clinical roles
only, one clinic's cases only, and the card telling open red flags from reviewed ones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services.patient_cases import a_stored_case
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dme_service.models import AuditEvent, Clinic, HomeLogEntry
from dme_service.services.patient import home_log
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import red_flags as red_flag_review
from dme_service.services.patient.home_log import EntryInput
from dme_service.web.pages.patient.common import local_today

NOTE = "Called patient 14:10, advised to stop traction, appointment tomorrow"
ALERT = "Red flag reported by the patient"
ERROR_ID = re.compile(r"E-[0-9A-HJKMNP-TV-Z]{6}")


@pytest.fixture
def clinician_client(signed_in):
    return signed_in("clinician", credential="PT", name="Pat Kim")


@pytest.fixture
def case(db_session, clinic, clinician_client):
    return a_stored_case(db_session, clinic, clinician_client[1])


@pytest.fixture
def link(db_session, case, clinician_client):
    return patient_links.create_link(db_session, case, clinician_client[1])[0]


def log(db_session, link, flags=("arm_symptoms_worse",), days_ago=0) -> HomeLogEntry:
    today = local_today()
    values = EntryInput(today - timedelta(days=days_ago), 15, 12, 5, 6, flags)
    return home_log.add_entry(db_session, link, values, today)


def review_url(case, entry) -> str:
    return f"/cases/{case.id}/home-log/{entry.id}/review"


def stored(db_session, entry) -> HomeLogEntry:
    db_session.expire_all()
    return db_session.get(HomeLogEntry, entry.id)


def card(client, case) -> str:
    return client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)


def test_the_card_offers_a_review_form_for_an_open_red_flag(
    db_session, case, link, clinician_client
):
    entry = log(db_session, link)
    html = card(clinician_client[0], case)
    assert ALERT in html and "1 log entry with red flags not reviewed yet" in html
    assert f'action="{review_url(case, entry)}"' in html
    assert 'name="csrf_token"' in html and 'name="note"' in html and "Not reviewed" in html


def test_review_redirects_back_and_the_card_shows_who_when_and_what(
    app, db_session, case, link, clinician_client
):
    client, user = clinician_client
    entry = log(db_session, link)
    response = client.post(review_url(case, entry), data={"note": NOTE})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert f"/cases/{case.id}" in location and location.endswith("#patient-home")
    assert (stored(db_session, entry).reviewed_by_id, stored(db_session, entry).review_note) == (
        user.id,
        NOTE,
    )
    html = card(client, case)
    assert ALERT not in html and 'name="note"' not in html
    assert "Reviewed by Pat Kim on" in html and NOTE in html
    row = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "case.red_flag_reviewed"))
    assert (row.user_id, row.object_id) == (user.id, str(entry.id))


def test_back_goes_to_the_page_the_form_was_on_but_never_off_site(
    db_session, case, link, clinician_client
):
    client, _ = clinician_client
    first, second = log(db_session, link), log(db_session, link, days_ago=1)
    back = f"/cases/{case.id}/patient-link#patient-home"
    response = client.post(review_url(case, first), data={"note": NOTE, "back": back})
    assert response.headers["Location"] == back
    evil = client.post(
        review_url(case, second), data={"note": NOTE, "back": "https://evil.example/"}
    )
    assert evil.status_code == 303 and "evil.example" not in evil.headers["Location"]


def test_a_refused_note_keeps_where_the_form_came_from(db_session, case, link, clinician_client):
    client, _ = clinician_client
    entry = log(db_session, link)
    back = f"/cases/{case.id}/patient-link#patient-home"
    html = client.post(review_url(case, entry), data={"note": "", "back": back}).get_data(
        as_text=True
    )
    assert f'name="back" value="{back}"' in html
    html = client.post(review_url(case, entry), data={"note": ""}).get_data(as_text=True)
    assert 'name="back" value=""' in html  # not the review URL: the case page after saving


def test_a_red_flag_after_the_review_shows_the_alert_again(
    db_session, case, link, clinician_client
):
    client, _ = clinician_client
    first = log(db_session, link, days_ago=1)
    client.post(review_url(case, first), data={"note": NOTE})
    assert ALERT not in card(client, case)
    log(db_session, link, ("bladder_bowel",))
    html = card(client, case)
    assert ALERT in html and "1 log entry with red flags not reviewed yet" in html
    assert "Reviewed by Pat Kim on" in html  # the old one keeps its review


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Write what you did about this red flag"),
        ("   \n  ", "Write what you did about this red flag"),
        ("x" * (red_flag_review.NOTE_MAX + 1), "Keep the note to 500 characters or fewer"),
        ("called\x00back", "control characters"),
    ],
    ids=["empty", "whitespace", "too long", "NUL"],
)
def test_a_bad_note_comes_back_with_a_message_at_the_field(
    db_session, case, link, clinician_client, note, message
):
    client, _ = clinician_client
    entry = log(db_session, link)
    response = client.post(review_url(case, entry), data={"note": note})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(
        rf'<p class="field-error" id="review-note-{entry.id}-error">([^<]*)</p>', html
    )
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in html
    if note.strip():
        assert note.replace("\x00", "") in html.replace("\x00", "")  # the typed note is kept
    assert stored(db_session, entry).reviewed_at is None


def test_a_review_saved_by_someone_else_first_keeps_this_note(
    db_session, case, link, clinician_client, make_user
):
    client, _ = clinician_client
    entry = log(db_session, link)
    first = make_user("practitioner", credential="MD", name="Dr. Ana Reyes")
    red_flag_review.review_entry(db_session, first, case, entry.id, "Saw the patient today.")
    response = client.post(review_url(case, entry), data={"note": NOTE})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Dr. Ana Reyes reviewed this red flag at" in html and "was not saved" in html
    assert NOTE in html and "Saw the patient today." in html
    assert stored(db_session, entry).review_note == "Saw the patient today."


def test_a_failure_while_saving_keeps_the_note_and_gives_an_error_id(
    db_session, case, link, clinician_client, monkeypatch
):
    client, _ = clinician_client
    entry = log(db_session, link)

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE home_log_entries", {}, Exception("database is locked"))

    monkeypatch.setattr(red_flag_review, "review_entry", locked)
    response = client.post(review_url(case, entry), data={"note": NOTE})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Not saved" in html and ERROR_ID.search(html) and NOTE in html
    assert stored(db_session, entry).reviewed_at is None


@pytest.mark.parametrize(("role", "credential"), [("billing", None), ("admin", None)])
def test_billing_and_admin_are_refused_and_change_nothing(
    db_session, case, link, signed_in, role, credential
):
    entry = log(db_session, link)
    client, _ = signed_in(role, credential=credential)
    assert client.post(review_url(case, entry), data={"note": NOTE}).status_code == 403
    assert stored(db_session, entry).reviewed_at is None


def test_billing_never_sees_the_note(db_session, case, link, clinician_client, signed_in):
    entry = log(db_session, link)
    clinician_client[0].post(review_url(case, entry), data={"note": NOTE})
    client, _ = signed_in("billing")
    for path in ("/", "/billing/", f"/billing/cases/{case.id}", f"/cases/{case.id}/patient-link"):
        assert NOTE not in client.get(path).get_data(as_text=True), path


def test_a_practitioner_may_review(db_session, case, link, signed_in):
    entry = log(db_session, link)
    client, doctor = signed_in("practitioner", credential="MD")
    assert client.post(review_url(case, entry), data={"note": NOTE}).status_code == 303
    assert stored(db_session, entry).reviewed_by_id == doctor.id


def test_the_patient_and_anonymous_are_sent_to_sign_in(app, db_session, case, clinician_client):
    link, raw = patient_links.create_link(db_session, case, clinician_client[1])
    entry = log(db_session, link)
    patient = app.test_client()
    assert patient.get(f"/p?t={raw}").status_code == 303  # inside the patient's pages
    for client in (patient, app.test_client()):
        response = client.post(review_url(case, entry), data={"note": NOTE})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored(db_session, entry).reviewed_at is None


def test_another_clinics_case_and_another_cases_entry_do_not_exist(
    db_session, clinic, case, link, clinician_client, make_user
):
    other = Clinic(name="Other Clinic", phone="555-0199")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other.id)
    theirs = a_stored_case(db_session, other, stranger)
    their_entry = log(db_session, patient_links.create_link(db_session, theirs, stranger)[0])
    mine = log(db_session, link, flags=())
    client, _ = clinician_client
    for path in (
        review_url(theirs, their_entry),  # another clinic's case
        review_url(case, their_entry),  # another case's entry
        review_url(case, mine),  # an entry without a red flag
    ):
        assert client.post(path, data={"note": NOTE}).status_code == 404, path
    assert stored(db_session, their_entry).reviewed_at is None


def test_without_the_csrf_token_nothing_is_reviewed(app, db_session, case, link, clinician_client):
    entry = log(db_session, link)
    app.config["WTF_CSRF_ENABLED"] = True
    response = clinician_client[0].post(review_url(case, entry), data={"note": NOTE})
    assert response.status_code == 400
    assert stored(db_session, entry).reviewed_at is None


def test_the_case_page_shows_the_review_form(app, db_session, case, link, clinician_client):
    if "cases.show" not in app.view_functions:
        pytest.skip("the case page (issue 5) is not installed")
    entry = log(db_session, link)
    html = clinician_client[0].get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="{review_url(case, entry)}"' in html


NASTY = st.sampled_from(["", " ", "\x00", "\u202e", "😀" * 300, "{{ 7*7 }}", "' OR 1=1 --"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(note=st.one_of(NASTY, st.text(max_size=600)))
def test_any_note_is_saved_or_refused_never_a_server_error(
    db_session, case, link, clinician_client, note
):
    entry = log(db_session, link)
    response = clinician_client[0].post(review_url(case, entry), data={"note": note})
    assert response.status_code in (303, 422), response.status_code
    saved = stored(db_session, entry)
    if response.status_code == 303:
        assert saved.review_note == note.strip()
    else:
        assert saved.reviewed_at is None


def case_list(client) -> str:
    return client.post("/cases", data={"scope": "clinic"}).get_data(as_text=True)


def test_the_case_list_marks_a_case_until_its_red_flag_is_reviewed(
    db_session, case, link, clinician_client
):
    client = clinician_client[0]
    marker = "Red flag at home, not reviewed"
    assert marker not in case_list(client)
    entry = log(db_session, link)
    html = case_list(client)
    assert marker in html and f'href="/cases/{case.id}#patient-home"' in html
    client.post(review_url(case, entry), data={"note": NOTE})
    assert marker not in case_list(client)
    log(db_session, link, flags=("dizzy_vision_speech",))
    assert marker in case_list(client)


def test_the_clinicians_home_page_marks_the_case_and_billings_never_does(
    db_session, case, link, clinician_client, signed_in
):
    marker = "Red flag at home, not reviewed"
    log(db_session, link)
    assert marker in clinician_client[0].get("/").get_data(as_text=True)
    billing, _ = signed_in("billing", name="Bea Biller")
    assert marker not in billing.get("/").get_data(as_text=True)
