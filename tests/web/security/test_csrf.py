"""CSRF on every state-changing request, with the checks switched on (security.md OUT-3)."""

from __future__ import annotations

import re

import pytest

from dme_service.db import get_session
from dme_service.services.accounts import api_tokens
from dme_service.web.security import access

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
HTTPS = "https://localhost"
CSRF_WORDS = "did not come from this site"  # dme_service.web.errors.CSRF_NEXT
# Endpoints no cookie authenticates, so a hostile page has nothing to ride on: the CDS Hooks
# call carries the EHR's signed JWT (test_a_session_cookie_does_not_authenticate_a_hook_call).
COOKIELESS = frozenset({"cds.hook"})


@pytest.fixture
def app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(client, path="/login", base_url="http://localhost"):
    page = client.get(path, base_url=base_url).get_data(as_text=True)
    return TOKEN.search(page).group(1)


def _login_data(user, token=None):
    data = {"email": user.email, "password": user.password}
    if token:
        data["csrf_token"] = token
    return data


def test_login_post_without_a_token_is_refused_with_400(app, make_user):
    user = make_user("clinician")
    response = app.test_client().post("/login", data=_login_data(user))
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


def test_login_post_with_the_pages_token_signs_in(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    response = client.post("/login", data=_login_data(user, _token(client)))
    assert response.status_code == 303


def test_another_browsers_token_is_refused(app, make_user):
    user = make_user("clinician")
    victim, attacker = app.test_client(), app.test_client()
    stolen = _token(attacker)
    _token(victim)  # the victim has a session cookie of their own
    assert victim.post("/login", data=_login_data(user, stolen)).status_code == 400


def test_signed_in_post_without_a_token_is_refused_and_changes_nothing(app, make_user):
    user = make_user("billing")
    client = app.test_client()
    client.post("/login", data=_login_data(user, _token(client)))
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_over_https_a_valid_token_with_a_foreign_referer_is_refused(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    token = _token(client, base_url=HTTPS)
    response = client.post(
        "/login",
        data=_login_data(user, token),
        base_url=HTTPS,
        headers={"Referer": "https://evil.example/login"},
    )
    assert response.status_code == 400


def test_over_https_a_valid_token_without_referer_is_refused(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    token = _token(client, base_url=HTTPS)
    response = client.post("/login", data=_login_data(user, token), base_url=HTTPS)
    assert response.status_code == 400


def test_over_https_a_valid_token_with_our_referer_passes(app, make_user):
    user = make_user("clinician")
    client = app.test_client()
    token = _token(client, base_url=HTTPS)
    response = client.post(
        "/login",
        data=_login_data(user, token),
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/login"},
    )
    assert response.status_code == 303


def _url(app, rule, seeds):
    """A URL that routes: seeded ids by argument name, else an id nothing has."""
    from flask import url_for

    values = {name: seeds.get(name, 999_999) for name in rule.arguments}
    for name, converter in rule._converters.items():
        if type(converter).__name__ not in ("IntegerConverter", "FloatConverter"):
            values[name] = seeds.get(name, "x")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _allowed_role(endpoint: str) -> str:
    rule = access.ACCESS[endpoint]
    if rule == access.PUBLIC or "admin" in rule:
        return "admin"
    # A staff role the test signs in (an outside practitioner is a practitioner flagged outside).
    return sorted(set(rule) - {access.OUTSIDE_PRACTITIONER})[0]


@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "valid-token"])
def test_every_state_changing_route_needs_the_token(app, make_user, session_client, with_token):
    target = make_user("clinician")
    users = {role: make_user(role) for role in ("clinician", "practitioner", "billing", "admin")}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in COOKIELESS:
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            client = session_client(users[_allowed_role(rule.endpoint)])
            data = {"csrf_token": _token(client, "/")} if with_token else {}
            url = _url(app, rule, {"user_id": target.id})
            response = client.open(url, method=method, data=data)
            refused_for_csrf = response.status_code == 400 and CSRF_WORDS in response.text
            assert refused_for_csrf is not with_token, (rule.endpoint, method, response.status_code)
            checked += 1
    assert checked >= 4


def test_the_api_with_a_cookie_needs_the_csrf_header(app, make_user, session_client, api_route):
    client = session_client(make_user("clinician"))
    assert client.post(api_route).status_code == 400
    token = _token(client, "/")
    response = client.post(api_route, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_the_api_with_a_bearer_token_needs_no_csrf_token(app, make_user, api_route):
    user = make_user("billing")
    with app.app_context():
        _, raw = api_tokens.create(get_session(), user, "script")
        get_session().commit()
    response = app.test_client().post(api_route, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json == {"email": user.email, "role": "billing", "method": "POST"}


def test_a_bearer_call_ignores_the_cookie_session(app, make_user, session_client, api_route):
    client = session_client(make_user("admin"))
    response = client.post(api_route, headers={"Authorization": "Bearer dme_not-a-real-token"})
    assert response.status_code == 401


def test_a_session_cookie_does_not_authenticate_a_hook_call(app, make_user, session_client):
    client = session_client(make_user("clinician"))
    body = {"hook": "order-sign", "hookInstance": "x", "context": {}}
    response = client.post("/cds-services/dme-traction-order-sign", json=body)
    assert response.status_code == 401
