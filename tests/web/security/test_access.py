"""The role x route matrix: every endpoint declared, every role checked (security.md AC-1).

Walks app.url_map, so a new route without an entry in web.security.access.ACCESS fails
here before it can leak anything. URL arguments come from SEEDS (by argument name) or a harmless
default per converter; add a seed when a new route needs a real object to answer.
"""

from __future__ import annotations

import pytest

from dme_service.web.security import access

PROTECTED_ANSWERS_FOR_ANONYMOUS = {302}
MISSING_INT = 999_999  # an id no seeded object has: allowed roles get 404, not 401/403


@pytest.fixture
def seeds(make_user):
    """Real objects for URL arguments, by argument name."""
    target = make_user("clinician", name="Target User")
    return {"user_id": target.id}


def _url(app, rule, seeds):
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        default = MISSING_INT if converter in ("IntegerConverter", "FloatConverter") else "x"
        values[name] = seeds.get(name, default)
    if rule.endpoint == "static":
        values["filename"] = "css/app.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _calls(app, seeds, *, protected_only=False):
    """(endpoint, method, url) for every rule and method, logout last (it ends the session).

    The endpoint is the one the URL and method actually route to: an OPTIONS request answers
    for every rule sharing its URL, so it is judged by the first of them.
    """
    adapter = app.url_map.bind("localhost")
    calls = set()
    for rule in app.url_map.iter_rules():
        url = _url(app, rule, seeds)
        for method in rule.methods:
            endpoint = adapter.match(url.split("?")[0], method=method)[0]
            if protected_only and access.ACCESS.get(endpoint) == access.PUBLIC:
                continue
            calls.add((endpoint, method, url))
    return sorted(calls, key=lambda call: (call[0] == "auth.logout", call))


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def test_every_endpoint_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(access.ACCESS))
    assert missing == [], f"declare these in dme_service/web/security/access.py ACCESS: {missing}"


def test_the_access_table_has_no_stale_entries(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(access.ACCESS) - endpoints)
    assert stale == [], f"these ACCESS entries match no route any more: {stale}"


def test_every_entry_is_public_or_a_set_of_known_roles():
    for endpoint, rule in access.ACCESS.items():
        assert rule == access.PUBLIC or (rule and set(rule) <= set(access.ACCESS_ROLES)), endpoint


def test_an_outside_practitioner_reaches_only_their_orders_and_their_account():
    reachable = {
        endpoint
        for endpoint, rule in access.ACCESS.items()
        if rule != access.PUBLIC and access.OUTSIDE_PRACTITIONER in rule
    }
    assert {e.split(".")[0] for e in reachable} <= {
        "auth",
        "home",
        "signing",
        "account",
        "ink",
        "order_return",
    }
    # Of the order's return, only "send back" (their own orders: store.cases.load_case).
    assert {e for e in reachable if e.startswith("order_return.")} == {"order_return.send_back"}
    assert access.ACCESS["ink.upload"] == access.CLINICAL  # only the scan download
    assert not any(
        e.startswith(("cases.", "documents.", "billing.", "patient.", "api.")) for e in reachable
    )


def test_anonymous_callers_are_sent_to_sign_in_or_get_401(app, seeds):
    client = app.test_client()
    for endpoint, method, url in _calls(app, seeds, protected_only=True):
        response = client.open(url, method=method)
        expected = {401} if _is_api(url) else PROTECTED_ANSWERS_FOR_ANONYMOUS
        assert response.status_code in expected, (endpoint, method, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), (endpoint, method)


@pytest.mark.parametrize("role", access.ACCESS_ROLES)
def test_each_role_is_allowed_exactly_what_the_table_says(
    app, seeds, make_user, role, session_client, db_session
):
    outside = role == access.OUTSIDE_PRACTITIONER
    user = make_user(
        "practitioner" if outside else role,
        credential="MD" if role in access.SIGNERS else None,
    )
    if outside:
        user.outside = True
        db_session.commit()
    for endpoint, method, url in _calls(app, seeds):
        rule = access.ACCESS[endpoint]
        response = session_client(user).open(url, method=method)
        if rule == access.PUBLIC or role in rule:
            assert response.status_code not in (401, 403), (endpoint, method, role)
            assert response.status_code < 500, (endpoint, method, role, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, role, response.status_code)


def test_the_red_flag_review_is_in_the_matrix_for_the_clinical_team_only(app, seeds):
    """It holds clinical free text: billing (AC-3) and admin get 403 in the matrix above."""
    assert ("patient_link.review_red_flag", "POST") in {(e, m) for e, m, _ in _calls(app, seeds)}
    assert access.ACCESS["patient_link.review_red_flag"] == {access.CLINICIAN, access.PRACTITIONER}


def test_the_admin_totp_steps_are_in_the_matrix_as_public_posts(app, seeds):
    """They come before any session exists; the signed step token says who (AUTH-6)."""
    calls = {(e, m) for e, m, _ in _calls(app, seeds)}
    for endpoint in ("auth.totp_step", "auth.totp_enroll"):
        assert (endpoint, "POST") in calls
        assert (endpoint, "GET") not in calls
        assert access.ACCESS[endpoint] == access.PUBLIC


def test_a_patient_inside_their_pages_is_refused_every_staff_endpoint(
    app, seeds, db_session, clinic, make_user
):
    """The patient's link cookie is no staff session: sign-in (401 on /api/) everywhere."""
    from services.patient_cases import a_stored_case

    from dme_service.services.patient import links as patient_links

    clinician = make_user("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician)
    _, raw = patient_links.create_link(db_session, case, clinician)
    patient = app.test_client()
    assert patient.get(f"/p?t={raw}").status_code == 303
    for endpoint, method, url in _calls(app, seeds, protected_only=True):
        response = patient.open(url, method=method)
        expected = {401} if _is_api(url) else PROTECTED_ANSWERS_FOR_ANONYMOUS
        assert response.status_code in expected, (endpoint, method, response.status_code)
    assert patient.get("/patient/log").status_code == 200  # still inside their own pages


def test_when_the_role_lookup_fails_nothing_protected_answers_200(
    app, seeds, make_user, session_client, monkeypatch
):
    admin = make_user("admin")

    def broken_role_lookup():
        raise RuntimeError("role lookup failed")

    monkeypatch.setattr(access, "current_role", broken_role_lookup)
    for endpoint, method, url in _calls(app, seeds, protected_only=True):
        response = session_client(admin).open(url, method=method)
        assert response.status_code != 200, (endpoint, method)
        assert response.status_code >= 400, (endpoint, method)


def test_an_undeclared_endpoint_is_refused_to_everyone(app, make_user, session_client):
    @app.route("/forgotten")
    def forgotten():
        return "patient list"

    assert "forgotten" not in access.ACCESS
    assert app.test_client().get("/forgotten").status_code == 403
    assert session_client(make_user("admin")).get("/forgotten").status_code == 403


def test_the_api_refuses_a_cookie_less_call_with_401_json(app, api_route):
    response = app.test_client().get(api_route)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json["error"]) == {"id", "code", "message", "retryable"}
