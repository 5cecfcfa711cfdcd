"""`dme-service token`: printed once, stored as SHA-256, usable as a bearer, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from dme_service.cli import main
from dme_service.db import get_session
from dme_service.models import ApiToken


@pytest.fixture
def api_route(app, monkeypatch):
    """A small /api/ endpoint for staff (the real API arrives with a later issue)."""
    from flask import Blueprint, jsonify
    from flask_login import current_user

    from dme_service.web.security import access

    bp = Blueprint("tokenapi", __name__, url_prefix="/api/token-test")

    @bp.route("/whoami")
    def whoami():
        return jsonify(email=current_user.email)

    app.register_blueprint(bp)
    monkeypatch.setitem(access.ACCESS, "tokenapi.whoami", access.STAFF)
    return "/api/token-test/whoami"


@pytest.fixture
def cli_env(monkeypatch, database_url, app):
    """The command builds its own app from DME_ settings; point it at the test database."""
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return app


def _create(capsys, email, *extra):
    code = main(["token", "create", "--user", email, *extra])
    out = capsys.readouterr()
    return code, out.out.strip(), out.err


def test_create_prints_the_token_once_and_stores_only_its_sha256(cli_env, make_user, capsys):
    user = make_user("billing")
    code, token, note = _create(capsys, user.email, "--name", "claims script")
    assert code == 0
    assert token.startswith("dme_") and len(token) > 40
    assert "shown only now" in note and token not in note
    with cli_env.app_context():
        rows = get_session().scalars(select(ApiToken)).all()
    assert [(r.name, r.user_id) for r in rows] == [("claims script", user.id)]
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in rows[0].token_hash


def test_the_printed_token_authenticates_on_the_api(cli_env, make_user, capsys, api_route):
    user = make_user("clinician")
    _, token, _ = _create(capsys, user.email)
    response = cli_env.test_client().get(api_route, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == user.email


def test_a_revoked_token_is_refused_at_once(cli_env, make_user, capsys, api_route):
    user = make_user("clinician")
    _, token, _ = _create(capsys, user.email)
    with cli_env.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    assert main(["token", "revoke", "--id", str(token_id)]) == 0
    response = cli_env.test_client().get(api_route, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_revoke_by_user_revokes_every_live_token(cli_env, make_user, capsys):
    user = make_user("admin")
    _create(capsys, user.email, "--name", "one")
    _create(capsys, user.email, "--name", "two")
    assert main(["token", "revoke", "--user", user.email]) == 0
    assert "revoked 2 tokens" in capsys.readouterr().out
    assert main(["token", "revoke", "--user", user.email]) == 1  # nothing live is left


def test_a_deactivated_users_token_stops_working(cli_env, make_user, capsys, api_route):
    from dme_service.models import User

    user = make_user("clinician")
    _, token, _ = _create(capsys, user.email)
    with cli_env.app_context():
        get_session().get(User, user.id).active = False
        get_session().commit()
    response = cli_env.test_client().get(api_route, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_create_for_an_unknown_user_fails_and_says_so(cli_env, capsys):
    code, out, err = _create(capsys, "nobody@test.clinic")
    assert code == 1 and out == ""
    assert "no active user" in err


def test_list_shows_tokens_but_never_the_token(cli_env, make_user, capsys):
    user = make_user("billing")
    _, token, _ = _create(capsys, user.email, "--name", "nightly")
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nightly" in listing and user.email in listing and "live" in listing
    assert token not in listing


def test_a_token_without_the_prefix_or_unknown_is_refused(cli_env, api_route):
    client = cli_env.test_client()
    for header in ("Bearer nope", "Bearer dme_" + "x" * 43, "Basic dXNlcjpwYXNz"):
        assert client.get(api_route, headers={"Authorization": header}).status_code == 401
