"""Set-password links: 256-bit, stored as a hash, single use, 72 hours (issue 13)."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from dme_service.models import PasswordLink, UserSession, utcnow
from dme_service.services.accounts import passwords as accounts
from dme_service.services.clinic import password_links

BASE = "https://dme.example.org"
NEW = "a long new password for me"


@pytest.fixture
def invited(db_session, make_user):
    user = make_user("clinician")
    link = password_links.issue(db_session, user, BASE)
    db_session.commit()
    return user, link.url.rsplit("/", 1)[1]


def test_only_the_hash_is_stored_and_the_token_has_256_bits(db_session, invited):
    _user, raw = invited
    row = db_session.scalar(select(PasswordLink))
    assert row.token_hash == password_links.token_hash(raw) and raw not in row.token_hash
    assert len(raw) >= 43  # 32 bytes, base64url


def test_the_link_sets_the_password_once(db_session, invited):
    user, raw = invited
    password_links.set_password(db_session, raw, NEW, NEW)
    assert accounts.verify_password(user.password_hash, NEW)
    with pytest.raises(password_links.LinkGone):
        password_links.set_password(db_session, raw, NEW + "x", NEW + "x")


def test_the_link_expires_after_72_hours(db_session, invited):
    _user, raw = invited
    late = time_machine.travel(utcnow() + timedelta(hours=72, seconds=1))
    with late, pytest.raises(password_links.LinkGone):
        password_links.user_for(db_session, raw)
    with time_machine.travel(utcnow() + timedelta(hours=71)):
        assert password_links.user_for(db_session, raw).id == invited[0].id


def test_a_new_link_ends_the_older_one(db_session, invited):
    user, raw = invited
    password_links.issue(db_session, user, BASE)
    db_session.commit()
    with pytest.raises(password_links.LinkGone):
        password_links.user_for(db_session, raw)


def test_the_sign_in_password_rules_apply_and_the_link_stays_usable(db_session, invited):
    _user, raw = invited
    with pytest.raises(password_links.PasswordRefused) as refused:
        password_links.set_password(db_session, raw, "short", "short")
    assert "at least 12 characters" in refused.value.problems[0]
    with pytest.raises(password_links.PasswordRefused):
        password_links.set_password(db_session, raw, NEW, NEW + "!")
    password_links.set_password(db_session, raw, NEW, NEW)


def test_setting_the_password_ends_the_users_sessions(db_session, invited):
    user, raw = invited
    db_session.add(
        UserSession(id="a" * 64, user_id=user.id, created_at=utcnow(), last_seen_at=utcnow())
    )
    db_session.commit()
    password_links.set_password(db_session, raw, NEW, NEW)
    assert db_session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_a_deactivated_users_link_does_not_work(db_session, invited):
    user, raw = invited
    user.active = False
    db_session.commit()
    with pytest.raises(password_links.LinkGone):
        password_links.user_for(db_session, raw)
