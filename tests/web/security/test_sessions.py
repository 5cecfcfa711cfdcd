"""Server-side sessions: revocable, rotated, flagged, timed out on the server (AUTH-1..AUTH-3)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from dme_service.models import UserSession
from dme_service.web.security import sessions

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row_count(app) -> int:
    from dme_service.db import get_session

    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(UserSession))


def test_cookie_copied_before_logout_is_refused_after_it(app, signed_in, session_cookie, replay):
    client, _ = signed_in("clinician")
    copied = session_cookie(client)
    assert replay(copied).get("/").status_code == 200
    client.post("/logout")
    response = replay(copied).get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_cookie_copied_before_logout_gets_401_on_the_api(
    app, signed_in, api_route, session_cookie, replay
):
    client, _ = signed_in("clinician")
    copied = session_cookie(client)
    assert replay(copied).get(api_route).status_code == 200
    client.post("/logout")
    response = replay(copied).get(api_route)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"


def test_logout_deletes_the_session_row(app, signed_in):
    client, _ = signed_in("billing")
    assert _row_count(app) == 1
    client.post("/logout")
    assert _row_count(app) == 0


def test_login_issues_a_new_token_even_when_one_was_planted(
    app, make_user, sign_in, session_cookie, replay
):
    user = make_user("clinician")
    planted = "A" * 43  # a fixation attempt: the attacker's chosen cookie
    client = replay(planted)
    sign_in(client, user)
    after = session_cookie(client)
    assert after != planted
    assert replay(planted).get("/").status_code == 302


def test_each_login_gets_a_different_cookie(app, make_user, sign_in, session_cookie):
    user = make_user("clinician")
    first, second = app.test_client(), app.test_client()
    sign_in(first, user)
    sign_in(second, user)
    assert session_cookie(first) != session_cookie(second)


def test_password_change_ends_the_users_other_sessions_but_not_this_one(app, make_user, sign_in):
    user = make_user("practitioner", credential="MD")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    new = "a new long passphrase for the clinic"
    response = here.post(
        "/account/password",
        data={
            "current_password": user.password,
            "new_password": new,
            "confirm_password": new,
        },
    )
    assert response.status_code == 303
    assert elsewhere.get("/").status_code == 302
    assert here.get("/").status_code == 200


def test_deactivation_ends_every_session_of_that_user(app, make_user, signed_in, sign_in):
    victim = make_user("billing")
    browser = app.test_client()
    sign_in(browser, victim)
    admin_client, _ = signed_in("admin")
    response = admin_client.post(f"/users/{victim.id}/deactivate")
    assert response.status_code == 303
    assert browser.get("/").status_code == 302
    assert sign_in(app.test_client(), victim).status_code == 200  # form again: refused


def test_no_remember_token_is_ever_set(app, make_user, sign_in):
    user = make_user("admin")
    client = app.test_client()
    responses = [client.get("/login"), sign_in(client, user), client.get("/")]
    responses.append(client.post("/logout"))
    cookies = [h for r in responses for h in r.headers.getlist("Set-Cookie")]
    assert cookies, "login must set a session cookie"
    assert not any("remember" in header.lower() for header in cookies)


def test_the_cookie_is_a_random_token_that_decodes_to_no_data(app, signed_in, session_cookie):
    client, user = signed_in("clinician")
    value = session_cookie(client)
    assert len(value) == 43
    assert user.email not in value and str(user.id) != value
    raw = base64.urlsafe_b64decode(value + "=")
    assert len(raw) == 32
    with pytest.raises((UnicodeDecodeError, json.JSONDecodeError, binascii.Error)):
        json.loads(raw.decode())


def test_the_row_is_keyed_by_the_tokens_sha256_not_the_token(app, signed_in, session_cookie):
    from dme_service.db import get_session

    client, _ = signed_in("clinician")
    value = session_cookie(client)
    with app.app_context():
        ids = get_session().scalars(select(UserSession.id)).all()
    assert ids == [sessions.token_digest(value)]
    assert value not in ids


def test_stored_session_data_holds_only_allow_listed_keys(app, signed_in):
    from dme_service.db import get_session

    client, _ = signed_in("admin")
    client.get("/")
    client.get("/account/password")
    with app.app_context():
        stored = get_session().scalars(select(UserSession.data)).all()
    assert stored and all(set(data) <= set(sessions.ALLOWED_KEYS) for data in stored)
    assert set(stored[0]) >= {"user_id", "role", "created", "last_seen"}


@pytest.fixture
def https_app(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    return app


def test_over_https_the_cookie_is_host_prefixed_secure_httponly_lax(https_app, make_user, sign_in):
    user = make_user("clinician")
    response = sign_in(https_app.test_client(), user, base_url="https://localhost")
    header = response.headers["Set-Cookie"]
    assert header.startswith("__Host-session=")
    parts = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "path", "samesite"} <= parts
    assert "Path=/" in header and "SameSite=Lax" in header
    assert "domain" not in parts and "expires" not in parts and "max-age" not in parts


def test_a_request_after_14_idle_minutes_passes(app, make_user, sign_in):
    user = make_user("clinician")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=14))  # activity at +14 restarted the idle clock
        assert client.get("/").status_code == 200


def test_a_request_after_15_minutes_1_second_idle_goes_to_sign_in(app, make_user, sign_in):
    user = make_user("clinician")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=15, seconds=1))
        response = client.get("/")
    assert response.status_code == 302
    assert "reason=idle" in response.headers["Location"]
    assert _row_count(app) == 0


def test_the_sign_in_page_says_why_the_session_ended(client):
    page = client.get("/login?reason=idle").get_data(as_text=True)
    assert "15 minutes without activity" in page


def test_a_user_active_every_5_minutes_is_signed_out_after_12_hours(app, make_user, sign_in):
    user = make_user("billing")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        for _ in range(12 * 12):
            clock.shift(timedelta(minutes=5))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=1))  # 12 h 1 min after sign-in
        response = client.get("/")
    assert response.status_code == 302
    assert "reason=absolute" in response.headers["Location"]


def test_anonymous_visitors_get_no_session_row(app, client):
    client.get("/login")
    client.get("/")
    assert _row_count(app) == 0


def test_a_database_failure_while_loading_the_session_answers_503_not_sign_in(
    app, signed_in, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    client, _ = signed_in("clinician")

    def unavailable(_session):
        raise OperationalError("SELECT user_sessions", {}, Exception("database is locked"))

    monkeypatch.setattr(sessions, "_attach_row", unavailable)
    response = client.get("/")
    assert response.status_code == 503
    assert "Busy right now" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_pentest_i3_a_client_chosen_pre_login_token_is_replaced_before_the_login_form(
    app, replay, session_cookie
):
    """I3: `dme-session=AAAA…A` became the anonymous CSRF anchor as sent."""
    app.config["WTF_CSRF_ENABLED"] = True  # the login form then anchors a CSRF secret
    planted = "A" * 43
    client = replay(planted)
    assert client.get("/login").status_code == 200
    issued = session_cookie(client)
    assert issued not in (None, planted)
    again = app.test_client()
    again.set_cookie(sessions.cookie_name(app), issued)
    again.get("/login")
    assert session_cookie(again) == issued  # a token the server issued is kept
