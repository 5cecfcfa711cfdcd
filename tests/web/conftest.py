"""Helpers for the web tests: sign a user in through the real login form."""

from __future__ import annotations

import pytest

from dme_service.web.security import sessions


def _sign_in(client, user, password=None, *, base_url="http://localhost"):
    """POST the login form as `user`; returns the response (303 on success)."""
    return client.post(
        "/login",
        data={"email": user.email, "password": password or user.password},
        base_url=base_url,
    )


@pytest.fixture
def sign_in():
    """sign_in(client, user[, password]) -> the login POST's response."""
    return _sign_in


@pytest.fixture
def session_cookie(app):
    """session_cookie(client) -> the session cookie's value, or None."""

    def _value(client):
        cookie = client.get_cookie(sessions.cookie_name(app))
        return cookie.value if cookie else None

    return _value


@pytest.fixture
def replay(app):
    """replay(value) -> a fresh client (another browser) carrying a copied cookie value."""

    def _client(value):
        thief = app.test_client()
        thief.set_cookie(sessions.cookie_name(app), value)
        return thief

    return _client


@pytest.fixture
def signed_in(app, make_user):
    """Factory: signed_in("billing") -> (client, user), a fresh client signed in as a new user."""

    def _signed_in(role: str = "clinician", **kwargs):
        user = make_user(role, **kwargs)
        client = app.test_client()
        response = _sign_in(client, user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client, user

    return _signed_in


@pytest.fixture
def api_route(app, monkeypatch):
    """A small /api/ endpoint for staff (real API routes arrive with a later issue)."""
    from flask import Blueprint, jsonify, request
    from flask_login import current_user

    from dme_service.web.security import access

    bp = Blueprint("testapi", __name__, url_prefix="/api/test")

    @bp.route("/whoami", methods=["GET", "POST"])
    def whoami():
        return jsonify(email=current_user.email, role=current_user.role, method=request.method)

    app.register_blueprint(bp)
    monkeypatch.setitem(access.ACCESS, "testapi.whoami", access.STAFF)
    return "/api/test/whoami"


@pytest.fixture
def session_client(app):
    """session_client(user) -> a client with a brand-new session of `user` (no password check).

    Fast (no argon2), for tests that need many sessions, e.g. the role x route matrix.
    """
    import secrets
    from datetime import UTC, datetime

    from dme_service.db import get_session
    from dme_service.models import UserSession

    def _client(user):
        token = secrets.token_urlsafe(32)
        moment = datetime.now(UTC)
        with app.app_context():
            db = get_session()
            db.add(
                UserSession(
                    id=sessions.token_digest(token),
                    user_id=user.id,
                    created_at=moment,
                    last_seen_at=moment,
                    fresh_at=moment,
                    data={"user_id": user.id, "role": user.role},
                )
            )
            db.commit()
        client = app.test_client()
        client.set_cookie(sessions.cookie_name(app), token)
        return client

    return _client


@pytest.fixture
def clinician_client(signed_in):
    """A signed-in physical therapist: (client, user)."""
    return signed_in("clinician", credential="PT")


@pytest.fixture
def doctor(make_user):
    """The practitioner who signs the patient-side tests' orders."""
    return make_user("practitioner", credential="MD", name="Dr. Samuel Greene")
