"""Behind a reverse proxy (DME_TRUSTED_PROXIES): forwarded client address, scheme and host
count only from that many proxies; with the default 0 a client's own X-Forwarded-* is ignored."""

from __future__ import annotations

import re

import pytest
from services.patient_cases import a_stored_case
from sqlalchemy import select

from dme_service.models import AuditEvent, LoginAttempt

CLIENT = "203.0.113.7"  # what the proxy saw
FORGED = "198.51.100.9"  # what the client claimed before reaching the proxy


@pytest.fixture
def trusted_proxies() -> str:
    """DME_TRUSTED_PROXIES for the test's app; a test parametrizes it."""
    return "0"


@pytest.fixture(autouse=True)
def _trusted_proxies_setting(monkeypatch, trusted_proxies):
    # Autouse fixtures run before the app fixture, so create_app reads this setting.
    monkeypatch.setenv("DME_TRUSTED_PROXIES", trusted_proxies)


def login(client, email, password, forwarded_for=CLIENT):
    data = {"email": email, "password": password}
    return client.post("/login", data=data, headers={"X-Forwarded-For": forwarded_for})


def login_ip(db_session, user) -> str:
    """The client address the audit trail recorded for the user's sign-in."""
    db_session.expire_all()
    events = select(AuditEvent.ip).where(AuditEvent.action == "session.login")
    return db_session.scalars(events.where(AuditEvent.user_id == user.id)).one()


def throttle_ip_keys(db_session) -> set[str]:
    db_session.expire_all()
    keys = db_session.scalars(select(LoginAttempt.key)).all()
    return {key for key in keys if key.startswith("ip:")}


def test_without_trusted_proxies_a_forwarded_address_is_not_the_client(client, make_user,
                                                                       db_session):  # fmt: skip
    user = make_user("clinician")
    assert login(client, user.email, user.password).status_code == 303
    assert login_ip(db_session, user) == "127.0.0.1"


def test_without_trusted_proxies_throttling_counts_the_connecting_address(client, db_session):
    login(client, "nobody@test.clinic", "not the password")
    assert throttle_ip_keys(db_session) == {"ip:127.0.0.1"}


@pytest.mark.parametrize("trusted_proxies", ["1"])
def test_behind_one_proxy_the_audit_records_the_forwarded_client(client, make_user, db_session):
    user = make_user("clinician")
    assert login(client, user.email, user.password).status_code == 303
    assert login_ip(db_session, user) == CLIENT


@pytest.mark.parametrize("trusted_proxies", ["1"])
def test_behind_one_proxy_throttling_counts_the_forwarded_client(client, db_session):
    login(client, "nobody@test.clinic", "not the password")
    assert throttle_ip_keys(db_session) == {f"ip:{CLIENT}"}


@pytest.mark.parametrize("trusted_proxies", ["1"])
def test_behind_one_proxy_an_address_the_client_forged_is_not_believed(client, make_user,
                                                                       db_session):  # fmt: skip
    user = make_user("clinician")
    login(client, user.email, user.password, forwarded_for=f"{FORGED}, {CLIENT}")
    assert login_ip(db_session, user) == CLIENT


@pytest.mark.parametrize(
    ("trusted_proxies", "origin"), [("0", "http://localhost/"), ("1", "https://127.0.0.1/")]
)
def test_patient_links_use_the_forwarded_scheme_and_host_only_behind_a_proxy(
    db_session, clinic, signed_in, origin
):
    client, clinician = signed_in("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "127.0.0.1"}
    page = client.post(f"/cases/{case.id}/patient-link", data={"lang": "en"}, headers=headers)
    link = re.search(r'id="patient-url" type="text" readonly value="([^"]+)"', page.text)
    assert link.group(1).startswith(origin)
