"""The private link over HTTP (security.md AUTH-7, AC-2, LOG-3): swap, kind page, throttle."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from services.patient_cases import CANARY, a_stored_case
from sqlalchemy import select

from dme_service.models import AuditEvent
from dme_service.services.patient import links as patient_links
from dme_service.web.pages.patient import patient

GONE_TITLE = "This link does not work"


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT")


@pytest.fixture
def case(db_session, clinic, clinician):
    return a_stored_case(db_session, clinic, clinician)


@pytest.fixture
def token(db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician)
    return raw


def open_link(client, raw, **kwargs):
    return client.get(f"/p?t={raw}", **kwargs)


def test_first_use_swaps_the_token_for_a_cookie_and_a_token_free_url(app, token):
    client = app.test_client()
    response = open_link(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/patient/instructions"
    assert token not in response.headers["Location"]
    cookie = client.get_cookie(patient.PLAIN_COOKIE)
    assert cookie is not None and token not in cookie.value
    assert cookie.http_only
    page = client.get("/patient/instructions")
    assert page.status_code == 200
    assert "Weight: 12 pounds." in page.get_data(as_text=True)


def test_final_url_carries_no_token_or_phi(app, token):
    client = app.test_client()
    response = open_link(client, token, follow_redirects=True)
    assert response.status_code == 200
    final = response.request.url
    assert token not in final and "Zebulon" not in final and "?" not in final


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(lambda raw: "x" * 43, id="wrong token"),
        pytest.param(lambda raw: raw[:-1], id="truncated token"),
        pytest.param(lambda raw: "", id="no token"),
    ],
)
def test_bad_tokens_get_the_kind_page(app, token, make_bad):
    response = open_link(app.test_client(), make_bad(token))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert GONE_TITLE in body and "call the clinic" in body
    assert CANARY not in body and "Test Spine Clinic" not in body


def test_expired_revoked_and_random_tokens_get_the_same_page(
    app, db_session, case, clinician, token
):
    random_body = open_link(app.test_client(), "R" * 43).get_data(as_text=True)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=91), tick=False):
        expired = open_link(app.test_client(), token)
    _, fresh = patient_links.create_link(db_session, case, clinician)
    patient_links.revoke_links(db_session, case, clinician)
    revoked = open_link(app.test_client(), fresh)
    for response in (expired, revoked):
        assert response.status_code == 404
        assert _main(response.get_data(as_text=True)) == _main(random_body)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_revoking_ends_an_open_patient_session(app, db_session, case, clinician, token):
    client = app.test_client()
    open_link(client, token)
    assert client.get("/patient/instructions").status_code == 200
    patient_links.revoke_links(db_session, case, clinician)
    response = client.get("/patient/instructions")
    assert response.status_code == 404
    assert GONE_TITLE in response.get_data(as_text=True)


def test_patient_session_ends_after_an_hour_idle(app, token):
    client = app.test_client()
    open_link(client, token)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61), tick=False):
        assert client.get("/patient/instructions").status_code == 404


def test_pages_without_a_patient_cookie_get_the_kind_page(client):
    for path in ("/patient/instructions", "/patient/log", "/patient/log/1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert GONE_TITLE in response.get_data(as_text=True)


def test_brute_force_gets_429_with_retry_after_then_even_a_right_token_waits(app, token):
    client = app.test_client()
    for attempt in range(patient_links.FAILURE_LIMIT):
        assert open_link(client, f"{attempt:043d}").status_code == 404
    paused = open_link(client, token)
    assert paused.status_code == 429
    assert 0 < int(paused.headers["Retry-After"]) <= 900
    assert "Too many tries" in paused.get_data(as_text=True)


def test_a_patient_never_reaches_another_patients_case(app, db_session, clinic, clinician):
    ann = a_stored_case(db_session, clinic, clinician, name="Ann Alpha", force_lb=9)
    bob = a_stored_case(db_session, clinic, clinician, name="Bob Beta", force_lb=14)
    _, ann_token = patient_links.create_link(db_session, ann, clinician)
    _, bob_token = patient_links.create_link(db_session, bob, clinician)
    client = app.test_client()
    open_link(client, ann_token)
    assert "Weight: 9 pounds." in client.get("/patient/instructions").get_data(as_text=True)
    bob_client = app.test_client()
    open_link(bob_client, bob_token)
    bob_client.post(
        "/patient/log",
        data={
            "date": datetime.now(UTC).date().isoformat(),
            "minutes": "15",
            "force_lb": "14",
            "pain_before": "5",
            "pain_after": "3",
        },
    )
    from dme_service.models import HomeLogEntry

    bob_entry = db_session.scalar(select(HomeLogEntry.id).where(HomeLogEntry.case_id == bob.id))
    assert bob_entry is not None
    assert client.get(f"/patient/log/{bob_entry}").status_code == 404
    log_page = client.get("/patient/log").get_data(as_text=True)
    assert "Bob Beta" not in log_page and "14 pounds" not in log_page


def test_opening_and_reading_are_audited(app, db_session, token, case):
    client = app.test_client()
    open_link(client, token, follow_redirects=True)
    rows = db_session.execute(
        select(AuditEvent.action, AuditEvent.role, AuditEvent.patient_id).order_by(AuditEvent.id)
    ).all()
    assert ("patient_link.open", "patient", case.patient_id) in rows
    assert ("instructions.read", "patient", case.patient_id) in rows
    client.get("/patient/log")
    reads = db_session.scalars(
        select(AuditEvent.role).where(AuditEvent.action == "home_log.read")
    ).all()
    assert reads == ["patient"]


def test_no_token_or_phi_in_logs(app, token, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    open_link(client, token, follow_redirects=True)
    open_link(client, "Q" * 43)
    client.get("/patient/log")
    text = caplog.text
    assert token not in text and CANARY not in text


def test_language_comes_from_the_link_then_the_patients_choice(app, db_session, case, clinician):
    _, raw = patient_links.create_link(db_session, case, clinician, lang="es")
    client = app.test_client()
    spanish = open_link(client, raw, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="es">' in spanish
    english = client.get("/patient/instructions?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    # the choice sticks for the rest of the visit
    again = client.get("/patient/instructions").get_data(as_text=True)
    assert '<html lang="en">' in again


def test_kind_page_language_follows_the_browser_not_the_link(app):
    response = open_link(app.test_client(), "Z" * 43, headers={"Accept-Language": "es-MX,es"})
    assert '<html lang="es">' in response.get_data(as_text=True)


def test_close_clears_the_patient_cookie(app, token):
    client = app.test_client()
    open_link(client, token)
    response = client.post("/patient/close", data={"lang": "en"})
    assert response.status_code == 303
    assert client.get("/patient/instructions").status_code == 404


@pytest.mark.parametrize("logger_name", ["werkzeug", "gunicorn.access"])
def test_access_logs_never_print_a_link_token(app, token, caplog, logger_name):
    caplog.set_level(logging.INFO)
    logging.getLogger(logger_name).info(
        '"%s" %s %s', f"GET /p?t={token}&lang=es HTTP/1.1", "303", "-"
    )
    assert token not in caplog.text
    assert "GET /p?[redacted] HTTP/1.1" in caplog.text


def test_patient_cookie_flags_over_https(app, token):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.get(f"/p?t={token}", base_url="https://localhost")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if "patient" in value)
    assert cookie.startswith(f"{patient.SECURE_COOKIE}=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie and "Expires" not in cookie
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/patient/instructions", base_url="https://localhost")
    assert page.status_code == 200


@pytest.mark.parametrize("logger_name", ["werkzeug", "gunicorn.access"])
def test_pentest_l8_a_percent_encoded_parameter_name_is_redacted_too(
    app, token, caplog, logger_name
):
    """L8: `/p?%74=<token>` opens the link and was logged in clear."""
    assert open_link(app.test_client(), "").status_code == 404
    assert app.test_client().get(f"/p?%74={token}").status_code == 303  # the same link
    caplog.set_level(logging.INFO)
    logging.getLogger(logger_name).info('"%s" %s %s', f"GET /p?%74={token} HTTP/1.1", "303", "-")
    assert token not in caplog.text


def test_pentest_m6_close_over_https_expires_the_host_cookie_with_secure(app, token):
    """M6: the deleting cookie had no Secure, so the browser kept `__Host-patient`."""
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    client.get(f"/p?t={token}", base_url="https://localhost")
    response = client.post("/patient/close", data={"lang": "en"}, base_url="https://localhost")
    deleting = next(v for v in response.headers.getlist("Set-Cookie") if "patient" in v)
    assert deleting.startswith(f"{patient.SECURE_COOKIE}=;")
    for flag in ("Secure", "HttpOnly", "Path=/", "Max-Age=0"):
        assert flag in deleting


def test_pentest_m6_a_cookie_copied_before_close_stops_working(app, token, replay_patient):
    client = app.test_client()
    open_link(client, token)
    copied = client.get_cookie(patient.PLAIN_COOKIE).value
    assert replay_patient(copied).get("/patient/instructions").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2)):
        assert client.post("/patient/close", data={"lang": "en"}).status_code == 303
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=4)):
        assert replay_patient(copied).get("/patient/instructions").status_code == 404
        fresh = app.test_client()
        assert open_link(fresh, token).status_code == 303  # the link itself still works
        assert fresh.get("/patient/instructions").status_code == 200


def test_pentest_m7_requests_that_cannot_name_a_link_add_no_audit_rows(app, db_session, token):
    """M7: 600 anonymous requests added 600 permanent audit rows (throttled ones included)."""
    client = app.test_client()
    for _ in range(50):
        assert client.get("/p?t=x").status_code == 404
    for _ in range(30):
        assert client.get("/p", query_string={"t": "A" * 43}).status_code in (404, 429)
    rows = db_session.scalars(
        select(AuditEvent.outcome).where(AuditEvent.action == "patient_link.open")
    ).all()
    assert rows == ["refused"] * patient_links.FAILURE_LIMIT


@pytest.fixture
def replay_patient(app):
    def _client(value):
        other = app.test_client()
        other.set_cookie(patient.PLAIN_COOKIE, value)
        return other

    return _client


def test_pentest_l8_a_link_without_a_query_answers_the_page_that_posts_the_fragment(app, token):
    """`/p#t=<token>`: the browser sends only `/p`; the page's script posts the token back."""
    client = app.test_client()
    page = client.get("/p")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "js/open-link.js" in html and 'name="t"' in html and 'action="/p"' in html
    assert client.get_cookie(patient.PLAIN_COOKIE) is None  # nothing opened yet


def test_pentest_l8_the_posted_token_is_swapped_like_the_old_query_form(app, token):
    client = app.test_client()
    response = client.post("/p", data={"t": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/patient/instructions"
    assert client.get("/patient/instructions").status_code == 200


def test_pentest_l8_a_wrong_posted_token_gets_the_kind_page(app, token):
    response = app.test_client().post("/p", data={"t": token[:-1] + "x"})
    assert response.status_code == 404 and GONE_TITLE in response.get_data(as_text=True)
