"""Helpers for the web tests: sign a user in through the real login form."""

from __future__ import annotations

import pytest

from dme_service.web import sessions


def cookie_name(app) -> str:
    return sessions.cookie_name(app)


def sign_in(client, user, password=None, *, base_url="http://localhost"):
    """POST the login form as `user`; returns the response (303 on success)."""
    return client.post(
        "/login",
        data={"email": user.email, "password": password or user.password},
        base_url=base_url,
    )


@pytest.fixture
def signed_in(app, make_user):
    """Factory: signed_in("billing") -> (client, user), a fresh client signed in as a new user."""

    def _signed_in(role: str = "clinician", **kwargs):
        user = make_user(role, **kwargs)
        client = app.test_client()
        response = sign_in(client, user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client, user

    return _signed_in
