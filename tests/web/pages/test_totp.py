"""Admin TOTP at sign-in: DME_ADMIN_TOTP on, admins give a code that works once (AUTH-6)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select

from dme_service.db import get_session
from dme_service.models import AuditEvent, LoginAttempt, User, UserSession
from dme_service.services.accounts import throttle

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def totp_on(app):
    app.config["ADMIN_TOTP"] = True
    return app


@pytest.fixture
def enrolled_admin(app, make_user):
    admin = make_user("admin")
    with app.app_context():
        db = get_session()
        db.get(User, admin.id).totp_secret = SECRET
        db.commit()
    return admin


def _password(client, user, password=None, **data):
    return client.post(
        "/login", data={"email": user.email, "password": password or user.password, **data}
    )


def _pending(response) -> str:
    found = re.search(r'name="pending" type="hidden" value="([^"]*)"', response.get_data(True))
    assert found, response.get_data(as_text=True)
    return html.unescape(found.group(1))


def _code(client, pending, code, endpoint="/login/totp"):
    return client.post(endpoint, data={"pending": pending, "code": code})


def _sessions_of(app, user) -> int:
    with app.app_context():
        query = select(func.count()).select_from(UserSession)
        return get_session().scalar(query.where(UserSession.user_id == user.id))


def _user(app, user) -> User:
    with app.app_context():
        db = get_session()
        found = db.get(User, user.id)
        db.refresh(found)
        return found


def _audit(app, action):
    with app.app_context():
        rows = get_session().execute(
            select(AuditEvent.outcome, AuditEvent.object_id)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def test_setting_off_an_admin_signs_in_with_the_password_only(app, enrolled_admin):
    assert app.config["ADMIN_TOTP"] is False
    client = app.test_client()
    response = _password(client, enrolled_admin)
    assert response.status_code == 303
    assert client.get("/").status_code == 200


def test_password_only_admin_gets_the_code_step_and_no_session(totp_on, enrolled_admin):
    client = totp_on.test_client()
    response = _password(client, enrolled_admin)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert 'action="/login/totp"' in page
    assert SECRET not in page
    assert _sessions_of(totp_on, enrolled_admin) == 0
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/login")


def test_the_right_code_signs_the_admin_in_and_keeps_next(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        pending = _pending(_password(client, enrolled_admin, next="/billing"))
        response = _code(client, pending, pyotp.TOTP(SECRET).at(T0))
        assert response.status_code == 303
        assert response.headers["Location"] == "/billing"
        assert client.get("/").status_code == 200
    assert _sessions_of(totp_on, enrolled_admin) == 1
    assert _audit(totp_on, "session.totp") == [("ok", str(enrolled_admin.id))]


def test_a_code_from_the_previous_step_is_accepted_for_clock_drift(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        pending = _pending(_password(client, enrolled_admin))
        previous = pyotp.TOTP(SECRET).at(T0 - timedelta(seconds=30))
        assert _code(client, pending, previous).status_code == 303


def test_the_same_code_again_in_a_new_sign_in_is_refused(totp_on, enrolled_admin):
    code = pyotp.TOTP(SECRET).at(T0)
    with time_machine.travel(T0, tick=False) as clock:
        first = totp_on.test_client()
        assert _code(first, _pending(_password(first, enrolled_admin)), code).status_code == 303
        clock.shift(timedelta(seconds=5))
        second = totp_on.test_client()
        response = _code(second, _pending(_password(second, enrolled_admin)), code)
    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)
    assert second.get("/").status_code == 302
    assert _sessions_of(totp_on, enrolled_admin) == 1  # only the first browser's
    assert _audit(totp_on, "session.totp") == [
        ("ok", str(enrolled_admin.id)),
        ("refused", str(enrolled_admin.id)),
    ]


def test_an_older_code_than_the_last_accepted_one_is_refused(totp_on, enrolled_admin):
    with time_machine.travel(T0, tick=False):
        client = totp_on.test_client()
        now_code = pyotp.TOTP(SECRET).at(T0)
        pending = _pending(_password(client, enrolled_admin))
        assert _code(client, pending, now_code).status_code == 303
        other = totp_on.test_client()
        older = pyotp.TOTP(SECRET).at(T0 - timedelta(seconds=30))
        assert _code(other, _pending(_password(other, enrolled_admin)), older).status_code == 422


def test_a_wrong_code_is_refused_at_the_field_and_the_form_is_kept(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        pending = _pending(_password(client, enrolled_admin))
        right = pyotp.TOTP(SECRET).at(T0)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        response = _code(client, pending, wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="field-error" id="code-error">[^<]*not right', page)
    assert 'aria-invalid="true"' in page
    assert f'value="{wrong}"' in page
    assert _pending(response) == pending  # the same step continues: no new password needed
    assert _sessions_of(totp_on, enrolled_admin) == 0
    assert _audit(totp_on, "session.totp") == [("refused", str(enrolled_admin.id))]
    with totp_on.app_context():
        failures = select(func.count()).select_from(LoginAttempt)
        assert get_session().scalar(failures.where(LoginAttempt.success.is_(False))) == 2


def test_wrong_codes_count_towards_the_sign_in_throttle(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        pending = _pending(_password(client, enrolled_admin))
        for _ in range(throttle.LIMIT):
            assert _code(client, pending, "000000").status_code in (422, 429)
        response = _code(client, pending, pyotp.TOTP(SECRET).at(T0))
    assert response.status_code == 429
    assert _sessions_of(totp_on, enrolled_admin) == 0


def test_the_step_token_does_not_work_in_another_browser(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        pending = _pending(_password(client, enrolled_admin))
        other = totp_on.test_client()
        response = _code(other, pending, pyotp.TOTP(SECRET).at(T0))
    assert response.status_code == 303
    assert "reason=totp_expired" in response.headers["Location"]
    assert _sessions_of(totp_on, enrolled_admin) == 0


def test_the_step_expires_after_five_minutes(totp_on, enrolled_admin):
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        pending = _pending(_password(client, enrolled_admin))
        clock.shift(timedelta(minutes=5, seconds=1))
        response = _code(client, pending, pyotp.TOTP(SECRET).now())
    assert "reason=totp_expired" in response.headers["Location"]
    assert _sessions_of(totp_on, enrolled_admin) == 0


def test_a_forged_or_missing_step_token_goes_back_to_sign_in(totp_on, enrolled_admin):
    client = totp_on.test_client()
    for pending in ("", "not-a-token", "eyJ1IjoxfQ.forged.sig"):
        response = _code(client, pending, "123456")
        assert response.status_code == 303
        assert "reason=totp_expired" in response.headers["Location"]
    assert "took too long" in client.get("/login?reason=totp_expired").get_data(as_text=True)


def test_a_wrong_password_never_reaches_the_code_step(totp_on, enrolled_admin):
    response = _password(totp_on.test_client(), enrolled_admin, "not the password at all")
    assert response.status_code == 200
    assert "pending" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["clinician", "practitioner", "billing"])
def test_other_roles_are_unaffected(totp_on, make_user, role):
    user = make_user(role)
    client = totp_on.test_client()
    assert _password(client, user).status_code == 303
    assert client.get("/").status_code == 200


def test_enrollment_shows_a_qr_code_and_saves_the_secret_only_after_a_code(totp_on, make_user):
    admin = make_user("admin")
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        response = _password(client, admin)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'action="/login/totp/enroll"' in page
        assert re.search(r'<svg class="totp-qr"[^>]*role="img"', page)
        assert re.search(r'<path d="(M\d+ \d+h1v1h-1z)+" fill="#000"/>', page)
        assert "data:" not in page and "<img" not in page
        secret = re.search(r'<code class="totp-secret">([A-Z2-7]{32})</code>', page).group(1)
        pending = _pending(response)
        assert _user(totp_on, admin).totp_secret is None

        wrong = f"{(int(pyotp.TOTP(secret).at(T0)) + 1) % 1_000_000:06d}"
        refused = _code(client, pending, wrong, "/login/totp/enroll")
        assert refused.status_code == 422
        again = refused.get_data(as_text=True)
        assert 'id="code-error"' in again and secret in again  # same key: the app keeps it
        assert _user(totp_on, admin).totp_secret is None
        assert _sessions_of(totp_on, admin) == 0

        clock.shift(timedelta(seconds=30))
        code = pyotp.TOTP(secret).now()
        done = _code(client, pending, code, "/login/totp/enroll")
        assert done.status_code == 303
        assert client.get("/").status_code == 200
    stored = _user(totp_on, admin)
    assert stored.totp_secret == secret
    assert stored.totp_last_counter == pyotp.TOTP(secret).timecode(T0 + timedelta(seconds=30))
    assert _audit(totp_on, "user.totp_enroll") == [
        ("refused", str(admin.id)),
        ("ok", str(admin.id)),
    ]

    # the confirming code is used up; the next sign-in goes to the code step, not enrollment
    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        other = totp_on.test_client()
        response = _password(other, admin)
        assert 'action="/login/totp"' in response.get_data(as_text=True)
        assert _code(other, _pending(response), code).status_code == 422


def test_the_enrollment_token_cannot_skip_to_the_code_step(totp_on, make_user):
    admin = make_user("admin")
    client = totp_on.test_client()
    with time_machine.travel(T0, tick=False):
        response = _password(client, admin)
        secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', response.text).group(1)
        refused = _code(client, _pending(response), pyotp.TOTP(secret).at(T0))
    assert "reason=totp_expired" in refused.headers["Location"]
    assert _user(totp_on, admin).totp_secret is None


def test_the_code_pages_are_served_under_the_usual_content_security_policy(
    totp_on, make_user, enrolled_admin
):
    for admin in (enrolled_admin, make_user("admin")):
        response = _password(totp_on.test_client(), admin)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "data:" not in policy
        assert "no-store" in response.headers.get("Cache-Control", "")
