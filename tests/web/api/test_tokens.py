"""API bearer tokens (api_tokens): the lookup ends its transaction (pen test M3), tokens expire
and a password change revokes them (pen test I6)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Blueprint, jsonify

from dme_service.db import get_session
from dme_service.web.security import access
from web.api_helpers import bearer, token_for


@pytest.fixture
def probe_route(app, monkeypatch):
    """/api/test/lock: reports, from inside a bearer request, whether the request's database
    session holds a transaction and whether another connection can take the write lock."""
    bp = Blueprint("locktest", __name__, url_prefix="/api/test")

    @bp.get("/lock")
    def lock():
        holding = get_session().in_transaction()
        other_writer_waits = None
        url = get_session().get_bind().url
        if url.get_backend_name() == "sqlite":
            other = sqlite3.connect(url.database, timeout=0.2)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                other_writer_waits = False
            except sqlite3.OperationalError:
                other_writer_waits = True
            finally:
                other.close()
        return jsonify(holding=holding, other_writer_waits=other_writer_waits)

    app.register_blueprint(bp)
    monkeypatch.setitem(access.ACCESS, "locktest.lock", access.STAFF)
    return "/api/test/lock"


@pytest.mark.parametrize("recently_used", [False, True])
def test_pentest_m3_a_bearer_request_holds_no_transaction_in_the_view(
    client, db_session, make_user, probe_route, recently_used
):
    """M3: when last_used_at was recent, the lookup's BEGIN IMMEDIATE stayed open all request."""
    headers = bearer(token_for(db_session, make_user("billing")))
    if recently_used:
        assert client.get(probe_route, headers=headers).status_code == 200
    answer = client.get(probe_route, headers=headers).get_json()
    assert answer["holding"] is False
    assert answer["other_writer_waits"] in (False, None)  # None: not SQLite


def test_pentest_i6_a_token_expires_after_ninety_days(client, db_session, make_user, api_route):
    headers = bearer(token_for(db_session, make_user("billing")))
    assert client.get(api_route, headers=headers).status_code == 200
    later = datetime.now(UTC) + timedelta(days=90, minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(api_route, headers=headers).status_code == 401


def test_pentest_i6_changing_the_password_revokes_the_users_tokens(
    app, db_session, make_user, api_route
):
    user = make_user("clinician")
    headers = bearer(token_for(db_session, user))
    browser = app.test_client()
    assert (
        browser.post("/login", data={"email": user.email, "password": user.password}).status_code
        == 303
    )
    new = "a brand new passphrase for tokens 42"
    response = browser.post(
        "/account/password",
        data={"current_password": user.password, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert app.test_client().get(api_route, headers=headers).status_code == 401
