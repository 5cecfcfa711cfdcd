"""The home log form through the patient's link: stored, red flag -> stop and call, errors
shown next to the fields with the input kept (security.md LOG-4)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services.patient_cases import a_stored_case
from sqlalchemy import func, select

from dme_service.models import AuditEvent, HomeLogEntry
from dme_service.services.patient import links as patient_links
from dme_service.services.patient.home_log import RED_FLAGS
from dme_service.web.pages.patient.common import local_today


@pytest.fixture
def patient(app, db_session, clinic, make_user):
    """A test client inside a patient's pages (English link)."""
    clinician = make_user("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician)
    _, raw = patient_links.create_link(db_session, case, clinician, lang="en")
    client = app.test_client()
    assert client.get(f"/p?t={raw}").status_code == 303
    client.case = case
    return client


def a_session(**changes) -> dict:
    data = {
        "date": local_today().isoformat(),
        "minutes": "15",
        "force_lb": "12",
        "pain_before": "6",
        "pain_after": "3",
    }
    data.update(changes)
    return data


def count(db_session, model=HomeLogEntry) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_form_is_prefilled_with_today_and_the_dose(patient):
    html = patient.get("/patient/log").get_data(as_text=True)
    assert f'value="{local_today().isoformat()}"' in html
    assert 'name="minutes" value="15"' in html
    assert "Your plan: 15 minutes." in html and "Your plan: 12 pounds." in html


def test_entry_is_stored_and_confirmed(patient, db_session):
    response = patient.post("/patient/log", data=a_session())
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/patient/log/")
    stored = db_session.scalar(select(HomeLogEntry))
    assert (stored.case_id, stored.minutes, stored.force_lb) == (patient.case.id, 15, 12)
    assert (stored.pain_before, stored.pain_after, stored.red_flags) == (6, 3, [])
    page = patient.get(response.headers["Location"]).get_data(as_text=True)
    assert "is saved. Thank you." in page and "Stop and call" not in page


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("neck_pain_worse", "Stop. Take the weight off. Call your therapist or doctor"),
        ("new_weakness_numbness", "Stop. Get care right away. Call 911 if it is sudden or bad."),
        ("bladder_bowel", "Stop. Get care right away. Call 911 if it is sudden or bad."),
    ],
)
def test_red_flag_shows_stop_and_call_at_once_and_flags_the_case(
    patient, db_session, flag, message
):
    response = patient.post("/patient/log", data=a_session(red_flags=flag), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="stop-title">Stop and call</h1>' in html and message in html
    assert 'role="alert"' in html and 'href="tel:5550100"' in html
    stored = db_session.scalar(select(HomeLogEntry))
    assert stored.red_flags == [flag]
    flagged = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "case.red_flag"))
    assert flagged.object_id == str(patient.case.id) and flagged.role == "patient"


def test_red_flag_page_in_spanish(patient):
    response = patient.post(
        "/patient/log?lang=es", data=a_session(red_flags="dizzy_vision_speech"),
        follow_redirects=True,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert "Pare y llame" in html and "Llame al 911" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pain_before": "11"}, "pain_before", "Not a valid choice."),
        ({"pain_after": ""}, "pain_after", "Pick a number from 0 to 10."),
        ({"minutes": "0"}, "minutes", "Enter a number from 1 to 60."),
        ({"minutes": ""}, "minutes", "Enter how many minutes you used it."),
        ({"force_lb": "80"}, "force_lb", "Enter a number from 0 to 50."),
        ({"date": ""}, "date", "Enter the day you used the unit."),
        ({"red_flags": "headache"}, "red_flags", "is not a valid choice"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_kept(patient, db_session, changes, field,
                                                        message):  # fmt: skip
    data = a_session(**changes)
    response = patient.post("/patient/log", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert "Not saved yet" in html
    assert count(db_session) == 0
    if field != "minutes":
        assert f'name="minutes" value="{data["minutes"]}"' in html  # the rest is kept


def test_future_date_is_refused_by_the_service(patient, db_session):
    future = (local_today() + timedelta(days=3)).isoformat()
    html = patient.post("/patient/log", data=a_session(date=future)).get_data(as_text=True)
    assert "That day has not come yet." in html and f'value="{future}"' in html
    assert count(db_session) == 0


def test_checked_pain_values_are_kept_after_an_error(patient):
    html = patient.post("/patient/log", data=a_session(minutes="0")).get_data(as_text=True)
    assert re.search(r'id="pain_before-6"[^>]*checked', html)
    assert re.search(r'id="pain_after-3"[^>]*checked', html)
    assert not re.search(r'id="pain_before-5"[^>]*checked', html)


def test_a_database_failure_keeps_the_input_and_gives_an_error_id(patient, monkeypatch):
    from dme_service.services.patient import home_log

    def broken(*args, **kwargs):
        raise RuntimeError("simulated outage")

    monkeypatch.setattr(home_log, "add_entry", broken)
    response = patient.post("/patient/log", data=a_session(minutes="17"))
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Not saved" in html and "E-" in html
    assert 'name="minutes" value="17"' in html
    assert "simulated outage" not in html


def test_recent_sessions_are_listed_newest_first(patient):
    today = local_today()
    for offset in (2, 0, 1):
        day = (today - timedelta(days=offset)).isoformat()
        assert patient.post("/patient/log", data=a_session(date=day)).status_code == 303
    html = patient.get("/patient/log").get_data(as_text=True)
    table = html[html.index("Your last sessions") :]
    positions = [table.index((today - timedelta(days=n)).isoformat()) for n in (0, 1, 2)]
    assert positions == sorted(positions)


NASTY = st.sampled_from(
    ["", " ", "\t", "x" * 10_000, "\x00", "\u202e12", "😀", "1; DROP TABLE cases", "{{ 7*7 }}",
     "-1", "1e9", "NaN", "2026-02-30", "12.5"]
)  # fmt: skip


def field_value(valid):
    return st.one_of(valid, NASTY)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.fixed_dictionaries(
        {
            "date": field_value(st.dates().map(date.isoformat)),
            "minutes": field_value(st.integers(-5, 90).map(str)),
            "force_lb": field_value(st.floats(-5, 80, allow_nan=False).map(str)),
            "pain_before": field_value(st.integers(-1, 12).map(str)),
            "pain_after": field_value(st.integers(-1, 12).map(str)),
            "red_flags": st.lists(st.one_of(st.sampled_from(RED_FLAGS), NASTY), max_size=3),
        }
    )
)
def test_any_log_input_is_saved_or_refused_never_a_server_error(patient, db_session, data):
    before = count(db_session)
    response = patient.post("/patient/log", data=data)
    assert response.status_code in (200, 303), response.status_code
    after = count(db_session)
    if response.status_code == 200:
        assert after == before  # refused: nothing written
    else:
        assert after == before + 1
        stored = db_session.scalars(select(HomeLogEntry).order_by(HomeLogEntry.id.desc())).first()
        assert stored.pain_before == int(data["pain_before"])
        assert set(stored.red_flags) == set(data["red_flags"])


@pytest.mark.parametrize(
    ("setting", "zone"),
    [("Pacific/Kiritimati", "Pacific/Kiritimati"), ("Not/AZone", "America/Chicago")],
)
def test_today_is_the_clinics_date(app, monkeypatch, setting, zone):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("DME_CLINIC_TIMEZONE", setting)
    with app.app_context():
        assert local_today() == datetime.now(ZoneInfo(zone)).date()
