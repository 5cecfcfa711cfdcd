"""services.accounts.totp: single-use codes, confirmed enrollment, reset (security.md AUTH-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pyotp
import pytest

from dme_service.services.accounts import totp

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = timedelta(seconds=30)


def _user(secret=SECRET, last=None, role="admin"):
    return SimpleNamespace(totp_secret=secret, totp_last_counter=last, role=role)


def _code(at):
    return pyotp.TOTP(SECRET).at(at)


def test_only_admins_need_it_and_only_when_enforced():
    assert totp.required_for(_user(role="admin"), True)
    assert not totp.required_for(_user(role="admin"), False)
    for role in ("clinician", "practitioner", "billing"):
        assert not totp.required_for(_user(role=role), True)


def test_a_code_works_once():
    user = _user()
    assert totp.accept_code(user, _code(T0), at=T0)
    assert user.totp_last_counter == pyotp.TOTP(SECRET).timecode(T0)
    assert not totp.accept_code(user, _code(T0), at=T0)
    assert not totp.accept_code(user, _code(T0), at=T0 + timedelta(seconds=10))


def test_a_code_at_or_below_the_last_counter_is_refused_even_within_drift():
    user = _user()
    assert totp.accept_code(user, _code(T0), at=T0)
    assert not totp.accept_code(user, _code(T0 - STEP), at=T0)
    assert totp.accept_code(user, _code(T0 + STEP), at=T0 + STEP)


def test_one_step_of_drift_either_way_and_no_more():
    assert totp.accept_code(_user(), _code(T0 - STEP), at=T0)
    assert totp.accept_code(_user(), _code(T0 + STEP), at=T0)
    assert not totp.accept_code(_user(), _code(T0 - 3 * STEP), at=T0)
    assert not totp.accept_code(_user(), _code(T0 + 3 * STEP), at=T0)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None, "12345\u0661"])
def test_malformed_codes_are_refused(code):
    assert not totp.accept_code(_user(), code, at=T0)


def test_spaces_and_dashes_in_a_code_are_ignored():
    code = _code(T0)
    assert totp.accept_code(_user(), f"{code[:3]} {code[3:]}", at=T0)
    assert totp.accept_code(_user(), f"{code[:3]}-{code[3:]}", at=T0)


def test_no_secret_means_no_code_is_accepted():
    assert not totp.accept_code(_user(secret=None), _code(T0), at=T0)


def test_enrollment_stores_the_secret_only_with_a_matching_code_and_uses_it_up():
    user = _user(secret=None)
    secret = totp.new_secret()
    assert len(secret) == 32
    wrong = f"{(int(pyotp.TOTP(secret).at(T0)) + 1) % 1_000_000:06d}"
    assert not totp.enroll(user, secret, wrong, at=T0)
    assert user.totp_secret is None
    assert totp.enroll(user, secret, pyotp.TOTP(secret).at(T0), at=T0)
    assert user.totp_secret == secret
    assert not totp.accept_code(user, pyotp.TOTP(secret).at(T0), at=T0)


def test_reset_forgets_the_secret_and_counter():
    user = _user(last=123)
    assert totp.reset(user)
    assert user.totp_secret is None and user.totp_last_counter is None
    assert not totp.reset(user)


def test_the_provisioning_uri_and_its_qr_code():
    uri = totp.provisioning_uri(SECRET, "admin@test.clinic")
    assert uri.startswith("otpauth://totp/DME%20Service:admin%40test.clinic?secret=" + SECRET)
    assert "issuer=DME%20Service" in uri
    size, path = totp.qr_svg_path(uri)
    assert size >= 21 + 8  # version 1 plus the 4-module quiet zone on both sides
    assert path.startswith("M") and set(path) <= set("Mhvz0123456789- ")


def test_pentest_l7_a_code_sent_twice_at_once_opens_one_session(db_session, make_user):
    """L7: both requests read the old counter before either wrote (PostgreSQL READ COMMITTED).
    Here the second request's user row is loaded before the first one's commit, as in the race;
    the conditional UPDATE refuses it on SQLite and PostgreSQL alike."""
    from sqlalchemy.orm import Session

    from dme_service.models import User

    user = make_user("admin")
    db_session.get(User, user.id).totp_secret = SECRET
    db_session.commit()
    at = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
    code = _code(at)
    with (
        Session(db_session.get_bind(), expire_on_commit=False) as first,
        Session(db_session.get_bind(), expire_on_commit=False) as second,
    ):
        early = second.get(User, user.id)  # read before the first request writes
        second.commit()
        assert totp.accept_code(first.get(User, user.id), code, at=at)
        first.commit()
        assert early.totp_last_counter is None  # the stale read the race had
        assert not totp.accept_code(early, code, at=at)
        second.commit()
