"""Helpers for the JSON API tests: bearer tokens and calls that carry them."""

from __future__ import annotations

import pytest

from dme_service import api_tokens


def token_for(db_session, user) -> str:
    """A fresh bearer token for `user` (committed)."""
    _, raw = api_tokens.create(db_session, user, "tests")
    db_session.commit()
    return raw


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_user(db_session, make_user):
    """Factory: api_user("billing") -> (headers, user) for bearer calls."""

    def _api_user(role: str = "clinician", **kwargs):
        user = make_user(role, **kwargs)
        return bearer(token_for(db_session, user)), user

    return _api_user
