"""Every form of the app, fuzzed at the size limits (security.md IN-3): never a 5xx.

The forms are found the way a browser finds them: every GET page of the app is opened by a role
it is open to (ids of a complete case, its stored documents and a user), and each `<form
method="post">` gives its action and its fields with their values as served. Hypothesis then
posts each form with a random set of its fields replaced by hostile values: empty, blanks, NUL,
bidi overrides, emoji, formulas, template syntax, numbers out of range, impossible dates, text one
past and far past the 200-character bounds and up to about the 1 MiB body limit. Any answer
but a 5xx is fine (the form again with a message, 303, 403, 404, 409, 413, 422).

Slow (a few hundred requests), engine-neutral: SQLite only, with the other fuzz tests.
"""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services.case_steps import standard_case

from dme_service.services import documents
from dme_service.web.security import access

pytestmark = pytest.mark.slow

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\t\r\n",
        "\u202eevil",
        "😀" * 50,
        "=1+1",
        "{{ 7*7 }}",
        "-1",
        "1e309",
        "99999999999999999999",
        "2026-02-30",
        "0000-00-00",
        "x" * 199,
        "x" * 200,
        "x" * 201,
        "x" * 10_000,
        "é" * 120_000,  # 720 KB URL-encoded: past the form's 500,000-byte memory limit
        "a" * 499_000,  # just under it
    ]
)
ROLES_BY_PREFERENCE = ("clinician", "practitioner", "billing", "admin")
ANONYMOUS = "anonymous"
# Posting these would end the signed-in session the rest of the run needs.
ENDS_THE_SESSION = frozenset({"auth.logout"})


@pytest.fixture
def world(app, db_session, make_user, session_client):
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    users = {
        "clinician": clinician,
        "practitioner": practitioner,
        "billing": make_user("billing"),
        "admin": make_user("admin"),
    }
    case = standard_case(db_session, clinician, practitioner)
    letter = documents.render_document(
        db_session, clinician, case.id, "lmn", render=lambda *a, **k: SimpleNamespace(pdf=b"%PDF")
    )
    # The admin's user forms act on a user of their own, so a deactivation ends no session here.
    target = make_user("clinician", credential="PT")
    ids = {"case_id": case.id, "document_id": letter.id, "user_id": target.id}
    who = {role: SimpleNamespace(id=user.id, role=user.role) for role, user in users.items()}
    db_session.commit()
    return SimpleNamespace(ids=ids, who=who, session_client=session_client)


def _roles_for(endpoint: str) -> list[str]:
    rule = access.ACCESS[endpoint]
    if rule == access.PUBLIC:
        return ["clinician"]
    return [role for role in ROLES_BY_PREFERENCE if role in rule]


def _url(app, rule, ids: dict) -> str:
    from flask import url_for

    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        default = 999_999 if converter == "IntegerConverter" else "x"
        values[name] = ids.get(name, "lmn" if name == "kind" else default)
    if rule.endpoint == "static":
        values["filename"] = "css/app.css"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _acts_on_the_team(path: str, target_user_id: int) -> bool:
    """An admin form for one of the users posting the forms (deactivating them would sign the
    rest of the run out); the target user's forms are kept."""
    found = re.search(r"/users/(\d+)(?:/|$)", path)
    return found is not None and int(found[1]) != target_user_id


def _forms_in(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(action, [(name, value as served)]) of each POST form of a page."""
    found = []
    for head, body in FORM.findall(html):
        attributes = dict(ATTRIBUTE.findall(head))
        if attributes.get("method", "get").lower() != "post":
            continue
        fields = []
        for _, raw in FIELD.findall(body):
            field = dict(ATTRIBUTE.findall(raw))
            if "name" in field:
                fields.append((unescape(field["name"]), unescape(field.get("value", ""))))
        found.append((unescape(attributes.get("action", "")), fields))
    return found


def every_form(app, world) -> dict[tuple[str, str], tuple[str, list[tuple[str, str]]]]:
    """(endpoint, action) -> (the role whose page shows it, its fields), from every page each
    role can open."""
    adapter = app.url_map.bind("localhost")
    forms: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}
    for action, fields in _forms_in(app.test_client().get("/login").get_data(as_text=True)):
        forms[("auth.login", action)] = (ANONYMOUS, fields)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for role in _roles_for(rule.endpoint):
            client = world.session_client(world.who[role])
            url = _url(app, rule, world.ids)
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for action, fields in _forms_in(response.get_data(as_text=True)):
                path = action.split("?")[0].split("#")[0] or url
                try:
                    endpoint = adapter.match(path, method="POST")[0]
                except Exception:  # noqa: BLE001 - a form posting elsewhere (none expected)
                    continue
                if _acts_on_the_team(path, world.ids["user_id"]):
                    continue
                forms.setdefault((endpoint, action or path), (role, fields))
    return forms


def test_every_form_at_the_size_limits_is_never_a_server_error(app, world):
    forms = every_form(app, world)
    posted = {endpoint for endpoint, _ in forms}
    # Every POST route a page offers is here; a few have no page form (API, hooks, /p's script).
    # Every form the seeded pages offer (a few need state these pages do not have: a patient's
    # cookie, a deactivated user, a set-password token); the core ones named.
    assert len(posted) >= 25, sorted(posted)
    assert {"auth.login", "cases.new", "cases.save_page", "signing.sign", "billing.fees"} <= posted

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(data=st.data())
    def post_each_form(data):
        server_errors = []
        for (endpoint, action), (role, fields) in sorted(forms.items()):
            if endpoint in ENDS_THE_SESSION:
                continue
            names = sorted({name for name, _ in fields})
            hostile = data.draw(st.sets(st.sampled_from(names)) if names else st.just(set()))
            body = {}
            for name, value in fields:
                body.setdefault(name, data.draw(HOSTILE) if name in hostile else value)
            client = (
                app.test_client() if role == ANONYMOUS else world.session_client(world.who[role])
            )
            response = client.post(action, data=body)
            if response.status_code >= 500:
                server_errors.append(
                    f"{endpoint} {action} {response.status_code} {sorted(hostile)}"
                )
        assert server_errors == []

    post_each_form()
