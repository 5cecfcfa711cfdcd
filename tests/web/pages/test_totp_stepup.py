"""Admin TOTP at step-up re-authentication: with DME_ADMIN_TOTP on, an admin's stale login is
refreshed by the password and a one-time code, the same single-use counter as sign-in (AUTH-6).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select

from dme_service.db import get_session
from dme_service.models import AuditEvent, LoginAttempt, User
from dme_service.services.accounts import throttle

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
STALE = timedelta(minutes=6)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD_TYPED = "a password typed only in this test 7#"


@pytest.fixture
def totp_on(app):
    app.config["ADMIN_TOTP"] = True
    return app


@pytest.fixture
def admin(app, make_user):
    """An admin with an authenticator enrolled (the secret above) and a clinician to act on."""
    user = make_user("admin", password=PASSWORD_TYPED)
    with app.app_context():
        db = get_session()
        db.get(User, user.id).totp_secret = SECRET
        db.commit()
    return user


def _code(at: datetime) -> str:
    return pyotp.TOTP(SECRET).at(at)


def _sign_in(app, user, at: datetime | None = None):
    """A client signed in as `user`: with the code step when DME_ADMIN_TOTP asks for it."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": user.password})
    if response.status_code == 200:
        found = re.search(r'name="pending" type="hidden" value="([^"]*)"', response.text)
        pending = html.unescape(found.group(1))
        response = client.post("/login/totp", data={"pending": pending, "code": _code(at)})
    assert response.status_code == 303, response.text
    return client


def _reauth(client, user, code=None, next_path="/"):
    data = {"password": user.password, "next": next_path}
    if code is not None:
        data["code"] = code
    return client.post("/reauth", data=data)


def _deactivate(client, target):
    return client.post(f"/users/{target.id}/deactivate", headers={"Referer": "/"})


def _active(app, user) -> bool:
    with app.app_context():
        return get_session().get(User, user.id).active


def _audit(app, action):
    with app.app_context():
        rows = get_session().execute(
            select(AuditEvent.outcome).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [row[0] for row in rows]


def _failed_attempts(app) -> int:
    with app.app_context():
        failures = select(func.count()).select_from(LoginAttempt)
        return get_session().scalar(failures.where(LoginAttempt.success.is_(False)))


def _assert_refused_at_the_code_field(response, message):
    assert response.status_code == 422
    page = response.text
    assert re.search(rf'<p class="field-error" id="code-error">[^<]*{message}', page)
    assert 'aria-invalid="true"' in page
    assert PASSWORD_TYPED not in page  # the password is never echoed back
    assert 'name="next" type="hidden" value="/"' in page  # the form is kept


def test_stale_admin_step_up_asks_for_a_code_and_a_fresh_one_lets_the_action_proceed(
    totp_on, admin, make_user
):
    target = make_user("clinician")
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        refused = _deactivate(client, target)
        assert refused.headers["Location"].startswith("/reauth?next=/")
        page = client.get(refused.headers["Location"]).text
        assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
        assert "authenticator app" in page

        without = _reauth(client, admin)
        _assert_refused_at_the_code_field(without, "Type the 6-digit code")
        assert _deactivate(client, target).status_code == 303  # still to /reauth
        assert _active(totp_on, target)

        answer = _reauth(client, admin, _code(T0 + STALE))
        assert answer.status_code == 303 and answer.headers["Location"] == "/"
        assert _deactivate(client, target).status_code == 303
    assert not _active(totp_on, target)
    assert _audit(totp_on, "session.reauth_totp") == ["ok"]


def test_the_code_used_at_sign_in_cannot_be_replayed_at_step_up(totp_on, admin):
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(timedelta(seconds=5))
        response = _reauth(client, admin, _code(T0))
    _assert_refused_at_the_code_field(response, "already used")
    assert f'value="{_code(T0)}"' in response.text
    assert _audit(totp_on, "session.reauth_totp") == ["refused"]
    assert _failed_attempts(totp_on) == 2  # one per throttle key (address, e-mail)


def test_a_step_up_code_works_once(totp_on, admin):
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        code = _code(T0 + STALE)
        assert _reauth(client, admin, code).status_code == 303
        clock.shift(timedelta(seconds=20))  # the code is still within its time window
        again = _reauth(client, admin, code)
    _assert_refused_at_the_code_field(again, "already used")
    assert _audit(totp_on, "session.reauth_totp") == ["ok", "refused"]


def test_a_wrong_step_up_code_is_refused_and_counted(totp_on, admin, make_user):
    target = make_user("clinician")
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        wrong = f"{(int(_code(T0 + STALE)) + 1) % 1_000_000:06d}"
        response = _reauth(client, admin, wrong)
        _assert_refused_at_the_code_field(response, "not right")
        assert _deactivate(client, target).status_code == 303
    assert _active(totp_on, target)
    assert _failed_attempts(totp_on) == 2  # one per throttle key (address, e-mail)
    assert _audit(totp_on, "session.reauth_totp") == ["refused"]


def test_wrong_step_up_codes_count_towards_the_sign_in_throttle(totp_on, admin):
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        for _ in range(throttle.LIMIT):
            assert _reauth(client, admin, "000000").status_code in (422, 429)
        response = _reauth(client, admin, _code(T0 + STALE))
    assert response.status_code == 429


def test_a_wrong_password_with_a_right_code_does_not_use_the_code_up(totp_on, admin):
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        code = _code(T0 + STALE)
        response = client.post("/reauth", data={"password": "not it at all", "code": code})
        assert "password is not right" in response.text
        assert _reauth(client, admin, code).status_code == 303


def test_setting_off_an_admin_steps_up_with_the_password_only(app, admin, make_user):
    assert app.config["ADMIN_TOTP"] is False
    target = make_user("clinician")
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(app, admin)
        clock.shift(STALE)
        location = _deactivate(client, target).headers["Location"]
        assert 'name="code"' not in client.get(location).text
        assert _reauth(client, admin).headers["Location"] == "/"
        assert _deactivate(client, target).status_code == 303
    assert not _active(app, target)
    assert _audit(app, "session.reauth_totp") == []


@pytest.mark.parametrize("role", ["clinician", "practitioner", "billing"])
def test_other_roles_step_up_with_the_password_only(totp_on, make_user, role):
    user = make_user(role, password=PASSWORD_TYPED)
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, user)
        clock.shift(STALE)
        assert 'name="code"' not in client.get("/reauth?next=/").text
        answer = _reauth(client, user)
        assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert _audit(totp_on, "session.reauth_totp") == []


def test_an_admin_without_an_enrolled_app_is_told_to_sign_in_again(totp_on, make_user):
    admin = make_user("admin")
    with time_machine.travel(T0, tick=False):
        # Signed in before the setting was turned on: no secret yet.
        totp_on.config["ADMIN_TOTP"] = False
        client = _sign_in(totp_on, admin)
        totp_on.config["ADMIN_TOTP"] = True
        response = _reauth(client, admin, "123456")
    assert response.status_code == 422
    assert "Sign out and sign in again" in response.text


def test_pentest_l6_a_password_change_does_not_stand_in_for_the_admins_code(
    totp_on, admin, make_user
):
    """L6: the change asks only for the current password and used to mark the login fresh, so
    an admin action then ran without the authenticator's code."""
    target = make_user("clinician")
    new = "another long passphrase for the admin 9%"
    with time_machine.travel(T0, tick=False) as clock:
        client = _sign_in(totp_on, admin, T0)
        clock.shift(STALE)
        changed = client.post(
            "/account/password",
            data={"current_password": admin.password, "new_password": new, "confirm_password": new},
        )
        assert changed.status_code == 303
        refused = _deactivate(client, target)
        assert refused.headers["Location"].startswith("/reauth?next=/")
    assert _active(totp_on, target)
