"""Sign-in, throttling, safe redirects, password change and step-up (AUTH-4..AUTH-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from werkzeug.security import generate_password_hash

from dme_service.db import get_session
from dme_service.models import User
from dme_service.services.accounts import throttle
from dme_service.web.security.access import safe_next

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _post_login(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_a_user_signs_in_and_lands_on_the_home_page(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    response = _post_login(client, user.email, user.password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "My cases" in client.get("/").get_data(as_text=True)


def test_the_email_is_matched_without_regard_to_case_or_spaces(app, make_user):
    user = make_user("billing")
    response = _post_login(app.test_client(), f"  {user.email.upper()} ", user.password)
    assert response.status_code == 303


def test_a_wrong_password_keeps_the_email_but_never_echoes_the_password(app, make_user):
    user = make_user("clinician")
    response = _post_login(app.test_client(), user.email, "a wrong password, typed fast")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not right" in page
    assert f'value="{user.email}"' in page
    assert "a wrong password, typed fast" not in page


def test_unknown_user_and_bad_password_answers_are_byte_identical(app, make_user):
    user = make_user("clinician", email="pat@test.clinic")
    client = app.test_client()
    with time_machine.travel(T0, tick=False):
        bad_password = _post_login(client, "pat@test.clinic", "not the password at all")
        with app.app_context():
            get_session().get(User, user.id).email = "someone.else@test.clinic"
            get_session().commit()
        unknown_user = _post_login(client, "pat@test.clinic", "not the password at all")
    assert bad_password.status_code == unknown_user.status_code == 200
    assert bad_password.get_data() == unknown_user.get_data()


def test_a_deactivated_user_gets_the_same_answer_as_a_wrong_password(app, make_user):
    user = make_user("clinician", active=False)
    response = _post_login(app.test_client(), user.email, user.password)
    assert response.status_code == 200
    assert "not right" in response.get_data(as_text=True)


def test_the_eleventh_bad_try_is_refused_with_429_and_retry_after(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    with time_machine.travel(T0, tick=False):
        for _ in range(throttle.LIMIT):
            assert _post_login(client, user.email, "wrong password again").status_code == 200
        response = _post_login(client, user.email, "wrong password again")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 15 * 60
    assert "try again in 15 minutes" in response.get_data(as_text=True)


def test_the_right_password_is_refused_inside_the_window_and_accepted_after(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(throttle.LIMIT):
            _post_login(client, user.email, "wrong password again")
        clock.shift(timedelta(minutes=14))
        assert _post_login(client, user.email, user.password).status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))
        assert _post_login(client, user.email, user.password).status_code == 303


def test_the_limit_counts_per_account_across_ip_addresses(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    for number in range(throttle.LIMIT):
        environ = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}
        client.post(
            "/login",
            data={"email": user.email, "password": "wrong password again"},
            environ_base=environ,
        )
    response = client.post(
        "/login",
        data={"email": user.email, "password": user.password},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429


def test_the_limit_counts_per_ip_across_accounts(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    for number in range(throttle.LIMIT):
        _post_login(client, f"nobody{number}@test.clinic", "wrong password again")
    assert _post_login(client, user.email, user.password).status_code == 429


def test_throttle_keys_never_hold_the_email_in_clear():
    keys = throttle.keys_for("127.0.0.1", "Pat@Test.Clinic")
    assert keys[0] == "ip:127.0.0.1"
    assert "pat" not in keys[1].lower().removeprefix("user:")
    assert keys == throttle.keys_for("127.0.0.1", " pat@test.clinic")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/users?page=2", "/users?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
    ids=[
        "relative",
        "absolute",
        "scheme-relative",
        "backslash",
        "javascript",
        "crlf",
        "empty",
        "none",
    ],
)
def test_next_accepts_only_relative_paths(target, expected):
    assert safe_next(target) == expected


def test_next_after_sign_in_goes_to_a_relative_path(app, make_user):
    user = make_user("admin")
    response = _post_login(app.test_client(), user.email, user.password, next="/account/password")
    assert response.headers["Location"] == "/account/password"


def test_next_pointing_at_another_site_lands_on_home(app, make_user):
    user = make_user("admin")
    response = _post_login(
        app.test_client(), user.email, user.password, next="https://evil.example/"
    )
    assert response.headers["Location"] == "/"


def test_a_protected_page_sends_to_sign_in_and_back(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    first = client.get("/account/password")
    assert first.status_code == 302
    assert first.headers["Location"] == "/login?next=/account/password"
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'value="/account/password"' in page
    response = _post_login(client, user.email, user.password, next="/account/password")
    assert response.headers["Location"] == "/account/password"


@pytest.mark.password_cost
def test_a_legacy_hash_is_upgraded_to_argon2id_at_sign_in(app, make_user):
    user = make_user("clinician")
    with app.app_context():
        get_session().get(User, user.id).password_hash = generate_password_hash(user.password)
        get_session().commit()
    assert _post_login(app.test_client(), user.email, user.password).status_code == 303
    with app.app_context():
        stored = get_session().get(User, user.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_logout_is_post_only(signed_in):
    client, _ = signed_in("clinician")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_a_signed_in_user_visiting_sign_in_goes_home(signed_in):
    client, _ = signed_in("billing")
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def _change(client, current, new, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post("/account/password", data=data)


def test_password_change_works_and_the_old_password_stops_working(app, signed_in):
    client, user = signed_in("clinician")
    new = "river stones under winter light"
    response = _change(client, user.password, new)
    assert response.status_code == 303
    assert "was changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _post_login(app.test_client(), user.email, user.password).status_code == 200
    assert _post_login(app.test_client(), user.email, new).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong current password", "river stones under winter light", None, "current password"),
        (None, "elevenchars", None, "at least 12"),
        (None, "qwerty123456", None, "commonly used"),
        (None, "river stones under winter light", "river stones", "differ"),
        (None, None, None, "same as the current"),
    ],
    ids=["wrong-current", "too-short", "listed", "mismatch", "unchanged"],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, signed_in, current, new, confirm, message
):
    client, user = signed_in("clinician")
    response = _change(client, current or user.password, new or user.password, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _post_login(app.test_client(), user.email, user.password).status_code == 303


def test_an_admin_action_with_a_six_minute_old_login_asks_for_the_password(app, make_user):
    admin, target = make_user("admin"), make_user("clinician")
    client = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        _post_login(client, admin.email, admin.password)
        clock.shift(timedelta(minutes=3))
        client.get("/")  # still active, but the password was typed 6 minutes ago below
        clock.shift(timedelta(minutes=3))
        response = client.post(f"/users/{target.id}/deactivate", headers={"Referer": "/"})
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/reauth?next=/")
        with app.app_context():
            assert get_session().get(User, target.id).active
        answer = client.post("/reauth", data={"password": admin.password, "next": "/"})
        assert answer.headers["Location"] == "/"
        assert client.post(f"/users/{target.id}/deactivate").status_code == 303
    with app.app_context():
        assert not get_session().get(User, target.id).active


def test_reauth_with_a_wrong_password_says_so(signed_in):
    client, _ = signed_in("practitioner", credential="MD")
    response = client.post("/reauth", data={"password": "not my password at all", "next": "/"})
    assert response.status_code == 200
    assert "not right" in response.get_data(as_text=True)


def test_an_admin_cannot_deactivate_themselves(signed_in):
    client, admin = signed_in("admin")
    response = client.post(f"/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "your own account" in response.get_data(as_text=True)


def test_an_admin_cannot_reach_another_clinics_user(app, signed_in, make_user):
    from dme_service.models import Clinic

    client, _ = signed_in("admin")
    with app.app_context():
        other = Clinic(name="Other Clinic")
        get_session().add(other)
        get_session().commit()
        other_id = other.id
    stranger = make_user("clinician", clinic_id=other_id)
    assert client.post(f"/users/{stranger.id}/deactivate").status_code == 404


def test_sign_in_sign_out_and_refusals_of_real_accounts_are_audited(app, make_user):
    from sqlalchemy import select

    from dme_service.models import AuditEvent

    user = make_user("clinician")
    client = app.test_client()
    _post_login(client, user.email, "not the password at all")
    _post_login(client, "nobody@test.clinic", "not the password at all")
    _post_login(client, user.email, user.password)
    client.post("/logout")
    with app.app_context():
        rows = get_session().execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.object_id).order_by(
                AuditEvent.id
            )
        )
        found = [tuple(row) for row in rows]
    assert found == [
        ("session.login", "refused", str(user.id)),
        ("session.login", "ok", str(user.id)),
        ("session.logout", "ok", str(user.id)),
    ]


@pytest.mark.parametrize(
    ("role", "action", "audited"),
    [
        ("clinician", "home.list", 1),
        ("billing", "billing.queue.read", 1),
        ("admin", "home.list", 0),
    ],
)
def test_a_home_list_of_patients_is_an_audited_read(app, signed_in, role, action, audited):
    from sqlalchemy import func, select

    from dme_service.models import AuditEvent

    client, _ = signed_in(role)
    assert client.get("/").status_code == 200
    with app.app_context():
        count = get_session().scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    assert count == audited
