"""Helpers for the JSON API tests: bearer tokens and calls that carry them."""

from __future__ import annotations

from dme_service.services.accounts import api_tokens


def token_for(db_session, user) -> str:
    """A fresh bearer token for `user` (committed)."""
    _, raw = api_tokens.create(db_session, user, "tests")
    db_session.commit()
    return raw


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
