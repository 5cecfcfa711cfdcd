"""Error pages and JSON errors: what happened, what to do, an error id in body and log (LOG-4)."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Blueprint, abort
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from dme_service.db import RetryExhausted
from dme_service.web.security import access, sessions

ERROR_ID = re.compile(r"E-[0-9A-HJKMNP-TV-Z]{6}")
FORBIDDEN_WORDS = ("Traceback", "contact admin", "contact your admin", "SELECT ", "sqlalchemy")


@pytest.fixture
def failing_routes(app, monkeypatch):
    """Routes that fail in each way a view can, declared for staff."""
    bp = Blueprint("failing", __name__)
    failures = {
        "bug": RuntimeError("boom: secret detail"),
        "stale": StaleDataError("version mismatch"),
        "locked": OperationalError("UPDATE cases", {}, Exception("database is locked")),
        "retries": RetryExhausted("conflict 5 times"),
    }

    @bp.route("/fail/<kind>")
    @bp.route("/api/fail/<kind>")
    def fail(kind):
        if kind.isdigit():
            abort(int(kind))
        raise failures[kind]

    app.register_blueprint(bp)
    monkeypatch.setitem(access.ACCESS, "failing.fail", access.STAFF)
    return failures


def _assert_helpful(page: str) -> str:
    assert "What happened" in page and "What to do" in page
    for word in FORBIDDEN_WORDS:
        assert word.lower() not in page.lower(), word
    match = ERROR_ID.search(page)
    assert match, "no error id on the page"
    return match.group(0)


def test_404_says_what_happened_and_what_to_do(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    _assert_helpful(response.get_data(as_text=True))


def test_405_says_to_use_the_page_and_keeps_the_allow_header(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    _assert_helpful(response.get_data(as_text=True))


def test_403_names_the_way_forward(signed_in, make_user):
    client, _ = signed_in("billing")
    response = client.post(f"/users/{make_user('clinician').id}/deactivate")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    _assert_helpful(page)
    assert "home page" in page


def test_413_for_a_body_over_one_megabyte(client):
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024), "password": "p"})
    assert response.status_code == 413
    _assert_helpful(response.get_data(as_text=True))


def test_500_shows_an_error_id_that_is_in_the_log_with_the_trace(signed_in, failing_routes, caplog):
    client, _ = signed_in("clinician")
    with caplog.at_level(logging.ERROR):
        response = client.get("/fail/bug")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    error_id = _assert_helpful(page)
    assert "secret detail" not in page
    records = [r for r in caplog.records if getattr(r, "error_id", None) == error_id]
    assert records and records[0].exc_info is not None


@pytest.mark.parametrize(
    ("kind", "status", "retryable"),
    [("stale", 409, False), ("locked", 503, True), ("retries", 503, True), ("bug", 500, False)],
)
def test_database_failures_map_to_409_and_503(signed_in, failing_routes, kind, status, retryable):
    client, _ = signed_in("clinician")
    assert client.get(f"/fail/{kind}").status_code == status
    body = client.get(f"/api/fail/{kind}").json
    assert body["error"]["retryable"] is retryable


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 422, 429, 500, 503])
def test_every_error_page_status_renders_its_explanation(signed_in, failing_routes, status):
    client, _ = signed_in("clinician")
    response = client.get(f"/fail/{status}")
    assert response.status_code == status
    _assert_helpful(response.get_data(as_text=True))


def test_api_errors_are_json_with_id_code_message_retryable(signed_in, failing_routes):
    client, _ = signed_in("clinician")
    response = client.get("/api/fail/bug")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert set(error) == {"id", "code", "message", "retryable"}
    assert ERROR_ID.fullmatch(error["id"]) and error["code"] == "internal_error"
    assert "boom" not in error["message"]


def test_an_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_error_ids_differ_between_errors(client):
    first = ERROR_ID.search(client.get("/nope").get_data(as_text=True)).group(0)
    second = ERROR_ID.search(client.get("/nope").get_data(as_text=True)).group(0)
    assert first != second


def test_a_failed_login_post_re_renders_the_form_with_the_email_but_not_the_password(
    app, make_user, monkeypatch, caplog
):
    user = make_user("clinician")

    def broken_start(_user):
        raise RuntimeError("session table unavailable")

    monkeypatch.setattr(sessions, "start", broken_start)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().post(
            "/login", data={"email": user.email, "password": user.password}
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert f'value="{user.email}"' in page
    assert user.password not in page
    error_id = _assert_failure_box(page)
    assert any(getattr(r, "error_id", None) == error_id for r in caplog.records)


def test_a_failed_password_change_keeps_the_form_and_says_not_saved(signed_in, monkeypatch):
    from dme_service.services.accounts import passwords as accounts

    client, user = signed_in("clinician")

    def broken_hash(_password):
        raise OperationalError("UPDATE users", {}, Exception("database is locked"))

    monkeypatch.setattr(accounts, "hash_password", broken_hash)
    new = "river stones under winter light"
    response = client.post(
        "/account/password",
        data={"current_password": user.password, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    _assert_failure_box(page)
    assert new not in page and user.password not in page


def _assert_failure_box(page: str) -> str:
    assert "Not saved" in page and "press the button again" in page
    for word in FORBIDDEN_WORDS:
        assert word.lower() not in page.lower(), word
    return ERROR_ID.search(page).group(0)


def test_every_post_view_keeps_input_or_says_why_it_has_none(app):
    """LOG-4 route inventory: a POST view must be wrapped by keeps_input or no_input_to_keep."""
    unwrapped = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue  # JSON clients keep their own request body; LOG-4 covers HTML forms
        view = app.view_functions[rule.endpoint]
        if not (getattr(view, "keeps_input", False) or getattr(view, "no_input_reason", "")):
            unwrapped.append(rule.endpoint)
    assert unwrapped == []


@pytest.mark.parametrize("path", ["/login", "/api/v1/cases", "/no/such/page"])
def test_a_host_the_app_does_not_answer_to_gets_a_plain_400(client, path):
    """Flask builds no URL adapter for a host outside TRUSTED_HOSTS: the error page must not
    need one (it crashed in url_for before)."""
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert ERROR_ID.search(body)
    assert "evil.example" not in body and not any(word in body for word in FORBIDDEN_WORDS)
