"""Patient links (security.md AUTH-7): hashed tokens, expiry, revocation, throttling, cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dme_service.models import AuditEvent, Clinic, LoginAttempt, PatientLink
from dme_service.services.patient import links as patient_links
from services.patient_cases import a_stored_case

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT")


@pytest.fixture
def case(db_session, clinic, clinician):
    return a_stored_case(db_session, clinic, clinician)


def test_token_has_256_bits_and_only_its_sha256_is_stored(db_session, case, clinician):
    link, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    assert len(raw) == 43  # 32 random bytes, base64url
    stored = db_session.scalar(select(PatientLink.token_hash).where(PatientLink.id == link.id))
    assert stored == patient_links.token_hash(raw)
    assert raw not in stored


def test_no_raw_token_anywhere_in_the_database(db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    patient_links.open_link(db_session, raw, "10.0.0.1", now=NOW)
    connection = db_session.connection()
    for table in ("patient_links", "audit_events", "login_attempts"):
        rows = connection.exec_driver_sql(f"SELECT * FROM {table}").fetchall()  # noqa: S608
        assert rows, table
        assert raw not in repr(rows), table


def test_link_expires_after_the_clinics_setting(db_session, clinic, case, clinician):
    clinic.patient_link_days = 30
    db_session.commit()
    link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
    assert link.expires_at == NOW + timedelta(days=30)


def test_link_lang_defaults_to_the_clinics_language(db_session, clinic, case, clinician):
    clinic.default_lang = "es"
    db_session.commit()
    link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
    assert link.lang == "es"
    chosen, _ = patient_links.create_link(db_session, case, clinician, lang="en", now=NOW)
    assert chosen.lang == "en"


@pytest.mark.parametrize(
    ("moment", "works"),
    [
        pytest.param(NOW + timedelta(days=89, hours=23), True, id="a day before expiry works"),
        pytest.param(NOW + timedelta(days=90), False, id="at expiry it stops"),
        pytest.param(NOW + timedelta(days=120), False, id="long after expiry it stops"),
    ],
)
def test_expired_link_does_not_open(db_session, case, clinician, moment, works):
    _, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    opened = patient_links.open_link(db_session, raw, "10.0.0.1", now=moment)
    assert (opened.link is not None) is works


def test_revoked_link_does_not_open(db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    assert patient_links.revoke_links(db_session, case, clinician, now=NOW) == 1
    assert patient_links.open_link(db_session, raw, "10.0.0.1", now=NOW).link is None


def test_a_new_link_revokes_the_old_one(db_session, case, clinician):
    first, old = patient_links.create_link(db_session, case, clinician, now=NOW)
    second, new = patient_links.create_link(db_session, case, clinician, now=NOW)
    assert patient_links.open_link(db_session, old, "10.0.0.1", now=NOW).link is None
    assert patient_links.open_link(db_session, new, "10.0.0.1", now=NOW).link.id == second.id


def test_wrong_token_does_not_open(db_session, case, clinician):
    patient_links.create_link(db_session, case, clinician, now=NOW)
    wrong = "A" * 43
    assert patient_links.open_link(db_session, wrong, "10.0.0.1", now=NOW).link is None


def test_ten_failures_pause_the_ip_even_for_a_right_token(db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    for attempt in range(patient_links.FAILURE_LIMIT):
        guess = f"{attempt:043d}"
        assert patient_links.open_link(db_session, guess, "10.0.0.9", now=NOW).link is None
    paused = patient_links.open_link(db_session, raw, "10.0.0.9", now=NOW)
    assert paused.link is None
    assert 0 < paused.retry_after <= 15 * 60
    # another IP is not paused, and the pause ends after the window
    assert patient_links.open_link(db_session, raw, "10.0.0.10", now=NOW).link is not None
    later = NOW + patient_links.FAILURE_WINDOW + timedelta(seconds=1)
    assert patient_links.open_link(db_session, raw, "10.0.0.9", now=later).link is not None


def test_counters_are_kept_in_the_database_for_every_worker(db_session, case, clinician):
    patient_links.open_link(db_session, "B" * 43, "10.0.0.7", now=NOW)
    keys = db_session.scalars(select(LoginAttempt.key)).all()
    assert keys == ["patient-ip:10.0.0.7"]


def test_every_open_is_audited_without_phi(db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
    patient_links.open_link(db_session, raw, "10.0.0.1", now=NOW)
    patient_links.open_link(db_session, "C" * 43, "10.0.0.1", now=NOW)
    rows = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "patient_link.open").order_by(AuditEvent.id)
    ).all()
    assert [(row.outcome, row.role) for row in rows] == [("ok", "patient"), ("refused", "patient")]
    assert rows[0].patient_id == case.patient_id
    assert rows[1].object_id is None


def test_create_and_revoke_are_audited(db_session, case, clinician):
    patient_links.create_link(db_session, case, clinician, now=NOW)
    patient_links.revoke_links(db_session, case, clinician, now=NOW)
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["patient_link.create", "patient_link.revoke"]


class TestSessionCookie:
    def test_round_trip(self, db_session, case, clinician):
        link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
        value = patient_links.session_cookie(SECRET, link, "es", now=NOW)
        found = patient_links.read_session_cookie(db_session, SECRET, value, now=NOW)
        assert (found.link.id, found.lang) == (link.id, "es")

    def test_holds_no_token_and_no_name(self, db_session, case, clinician):
        link, raw = patient_links.create_link(db_session, case, clinician, now=NOW)
        value = patient_links.session_cookie(SECRET, link, "en", now=NOW)
        assert raw not in value and "Zebulon" not in value and link.token_hash not in value

    def test_idle_cookie_ends(self, db_session, case, clinician):
        link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
        value = patient_links.session_cookie(SECRET, link, "en", now=NOW)
        later = NOW + patient_links.SESSION_IDLE + timedelta(seconds=1)
        assert patient_links.read_session_cookie(db_session, SECRET, value, now=later) is None

    def test_forged_cookie_for_another_link_is_refused(self, db_session, clinic, clinician):
        mine = a_stored_case(db_session, clinic, clinician, name="Ann Mine")
        theirs = a_stored_case(db_session, clinic, clinician, name="Bob Theirs")
        my_link, _ = patient_links.create_link(db_session, mine, clinician, now=NOW)
        their_link, _ = patient_links.create_link(db_session, theirs, clinician, now=NOW)
        value = patient_links.session_cookie(SECRET, my_link, "en", now=NOW)
        forged = value.replace(f"{my_link.id}.", f"{their_link.id}.", 1)
        assert patient_links.read_session_cookie(db_session, SECRET, forged, now=NOW) is None

    def test_revoking_the_link_ends_the_cookie(self, db_session, case, clinician):
        link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
        value = patient_links.session_cookie(SECRET, link, "en", now=NOW)
        patient_links.revoke_links(db_session, case, clinician, now=NOW)
        assert patient_links.read_session_cookie(db_session, SECRET, value, now=NOW) is None

    def test_wrong_secret_is_refused(self, db_session, case, clinician):
        link, _ = patient_links.create_link(db_session, case, clinician, now=NOW)
        value = patient_links.session_cookie("another-secret", link, "en", now=NOW)
        assert patient_links.read_session_cookie(db_session, SECRET, value, now=NOW) is None


def test_clinic_fixture_defaults(db_session, clinic):
    stored = db_session.get(Clinic, clinic.id)
    assert stored.patient_link_days == 90
