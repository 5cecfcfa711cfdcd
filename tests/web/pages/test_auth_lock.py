"""Passwords are hashed outside any transaction: on SQLite an open transaction holds the
write lock, and argon2 inside it (0.3 s of CPU, seconds on busy cores) stalled every other
request into 503s under `make load`."""

from __future__ import annotations

import pytest

from dme_service.db import get_session
from dme_service.services.accounts import passwords as accounts


@pytest.fixture
def hashing_checks_the_transaction(monkeypatch):
    seen = []
    real = accounts.verify_password

    def verify(stored, password):
        seen.append(get_session().in_transaction())
        return real(stored, password)

    monkeypatch.setattr(accounts, "verify_password", verify)
    return seen


def test_sign_in_checks_the_password_with_no_transaction_open(
    client, make_user, hashing_checks_the_transaction
):
    user = make_user("clinician", credential="PT")
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 303
    assert hashing_checks_the_transaction == [False]
