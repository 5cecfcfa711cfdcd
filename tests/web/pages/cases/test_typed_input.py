"""A case-page Save that meets an ended session, with the CSRF checks on: the page's own ticket
proves where the typed entries come from, whatever cookie the browser holds by then."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dme_service.web.pages.cases import typed_input
from dme_service.web.security import access
from web.pages.cases.page_form import page_fields
from web.pages.cases.test_page_save import sealed_of, stored
from web.pages.cases.test_views import TRIAL_ROW, create

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
# What the page's live response check asks while the therapist types the pain scores.
LIVE_CHECK = "/cases/trial-response?pain_before=6&pain_after=3&peripheralization=no"


@pytest.fixture
def typed_page(app, make_user, sign_in):
    """A PT opens a case with CSRF on and types a trial; the clock then stands 16 minutes
    later (the session ended idle). Yields (client, user, case id, the typed fields)."""
    user = make_user("clinician", credential="PT")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        case_id = create(client)
        app.config["WTF_CSRF_ENABLED"] = True
        fields = page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))
        fields.update(TRIAL_ROW)
        clock.shift(timedelta(minutes=16))
        yield client, user, case_id, fields


def save(client, case_id, fields):
    return client.post(f"/cases/{case_id}/save", data={**fields, "section": "trials"})


def sign_in_again(client, user, page: str):
    data = {"email": user.email, "password": user.password, "typed_input": sealed_of(page)}
    return client.post("/login", data={**data, "csrf_token": CSRF.search(page).group(1)})


def test_a_request_after_the_session_ended_does_not_lose_the_typed_trial(app, typed_page):
    client, user, case_id, fields = typed_page
    # The live check meets the ended session first: sent to the sign-in page, which gives
    # the browser a new cookie, so the page's CSRF token no longer matches the cookie.
    client.get(LIVE_CHECK, follow_redirects=True)
    response = save(client, case_id, fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "What you typed on the case page is kept" in page
    back = sign_in_again(client, user, page)
    assert back.status_code == 303
    assert f"/cases/{case_id}?" in back.headers["Location"]
    assert stored(app, case_id)["trials"] == 1


def test_the_sign_in_page_says_the_session_ended_idle_when_the_server_knows_it(typed_page):
    client, _, case_id, fields = typed_page
    page = save(client, case_id, fields).get_data(as_text=True)
    assert "You were signed out after 15 minutes without activity." in page
    assert "What you typed on the case page is kept" in page


def test_after_signing_out_elsewhere_the_sign_in_page_does_not_claim_inactivity(
    app, make_user, sign_in
):
    from sqlalchemy import delete

    from dme_service.db import get_session
    from dme_service.models import UserSession

    user = make_user("clinician", credential="PT")
    client = app.test_client()
    sign_in(client, user)
    case_id = create(client)
    app.config["WTF_CSRF_ENABLED"] = True
    fields = page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))
    fields.update(TRIAL_ROW)
    with app.app_context():  # "Sign out" pressed in another tab: the session row is gone
        get_session().execute(delete(UserSession))
        get_session().commit()
    response = save(client, case_id, fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "You were signed out after 15 minutes without activity." not in page
    assert "by signing out in another tab or window" in page
    assert "What you typed on the case page is kept" in page


def test_a_save_without_the_pages_ticket_is_not_carried(app, typed_page):
    """A form from another site can hold this browser's sign-in CSRF token, never a ticket."""
    client, _, case_id, fields = typed_page
    login = client.get("/login").get_data(as_text=True)
    forged = {**fields, "csrf_token": CSRF.search(login).group(1)}
    forged.pop(typed_input.TICKET_FIELD)
    response = save(client, case_id, forged)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_ticket_for_another_case_is_not_carried(typed_page):
    client, _, case_id, fields = typed_page
    response = save(client, case_id + 1, fields)
    assert response.status_code == 302


def test_a_ticket_altered_in_the_page_is_not_carried(typed_page):
    client, _, case_id, fields = typed_page
    fields[typed_input.TICKET_FIELD] += "x"
    assert save(client, case_id, fields).status_code == 302


def test_another_users_ticket_does_not_carry_into_this_users_ended_session(
    app, typed_page, make_user
):
    client, _, case_id, fields = typed_page
    other = make_user("clinician", credential="PT", email="other@example.org")
    with app.test_request_context():
        fields[typed_input.TICKET_FIELD] = typed_input.page_ticket(other.id, case_id)
    assert save(client, case_id, fields).status_code == 302


def test_a_ticket_older_than_a_session_can_last_is_not_carried(typed_page):
    client, _, case_id, fields = typed_page
    with time_machine.travel(T0 + timedelta(hours=13), tick=False):
        assert save(client, case_id, fields).status_code == 302


def test_the_pages_live_check_after_the_session_ended_leaves_the_cookie_alone(
    app, typed_page, session_cookie
):
    client, _, _, _ = typed_page
    before = session_cookie(client)
    response = client.get(LIVE_CHECK, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == access.SIGNED_OUT
    assert session_cookie(client) == before
