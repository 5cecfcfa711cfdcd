"""Every form of the app, fuzzed at the size limits (security.md IN-3): never a 5xx.

The forms are found the way a browser finds them: every GET page of the app is opened by a role
it is open to (ids of a complete case, its stored documents and a user), and each `<form
method="post">` gives its action and its fields with their values as served. Hypothesis then
posts each form with a random set of its fields replaced by hostile values: empty, blanks, NUL,
bidi overrides, emoji, formulas, template syntax, numbers out of range, impossible dates, text one
past and far past the 200-character bounds and up to about the 1 MiB body limit. The answer is
never a 5xx nor the bare 400; a 400, 409 or 422 page says what is wrong (a message beside a
field, the form's alert, or a refusal in its own words); 303, 403, 404 and 413 are fine.

Forms that appear only in later states (the patient's home log behind the link, a set-password
link, the admin's TOTP steps, billing's moves on a queued claim, the amend page of a paid claim,
a red flag to review) get those states set up and are fuzzed the same way.

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
            if not _answers_with_the_form(response):
                server_errors.append(
                    f"{endpoint} {action} {response.status_code} {sorted(hostile)}"
                )
        assert server_errors == []

    post_each_form()


# --- forms that only appear in later states ----------------------------------------------
#
# The pages above are opened with one unsigned case, signed-in staff and no patient: some forms
# never appear then. Each state below is set up as the people reach it, and only the forms it
# adds are fuzzed (the rest already are, above).

LATER_EXAMPLES = 20
# The words of a bare abort(400) (web/errors.EXPLANATIONS): the page is not told what was wrong.
BARE_400 = "The page sent something the service could not read"
LATER_FORMS = frozenset(
    {
        "patient.log",  # the patient's home log, behind the patient link's cookie
        "password_link.set_password",  # an invited user's set-password link
        "auth.totp_step",  # an enrolled admin's code, TOTP on
        "auth.totp_enroll",  # an admin's first code, TOTP on
        "billing.move",  # a claim in the billing queue
        "billing.claim_details",
        "order_amendment.amend",  # a signed order whose claim was paid
        "patient_link.review_red_flag",  # a home-log entry with a red flag
    }
)


@pytest.fixture
def later_states(app, db_session, make_user, monkeypatch, session_client):
    """(client, url, html) of each page that shows a form of LATER_FORMS, in the state it needs:
    every row written first, then the pages opened as their people open them."""
    from datetime import timedelta

    from services.billing.ready_claims import billing_people, ready_claim
    from services.claim_cases import stored_case
    from services.patient_cases import a_stored_case

    from dme_service.models import BillingEvent, Case, ClaimRecord
    from dme_service.services import signing
    from dme_service.services.clinic import password_links
    from dme_service.services.patient import home_log
    from dme_service.services.patient import links as patient_links
    from dme_service.services.patient.home_log import EntryInput
    from dme_service.web.pages.patient.common import local_today

    people = billing_people(make_user, monkeypatch, db_session)
    clinician, biller = people["clinician"], people["billing"]

    # The patient's link, and a red flag logged for the clinician to review.
    case = a_stored_case(db_session, clinician.clinic, clinician)
    link, raw = patient_links.create_link(db_session, case, clinician, lang="en")
    today = local_today()
    values = EntryInput(today - timedelta(days=1), 15, 12, 5, 6, ("arm_symptoms_worse",))
    home_log.add_entry(db_session, link, values, today)
    # An invited user's set-password link.
    invited = make_user("clinician", credential="PT")
    invited.password_hash = ""
    db_session.commit()
    set_password = password_links.issue(db_session, invited, "http://localhost").url
    db_session.commit()
    # Admins with TOTP on: one enrolled (the code step), one not yet (the enrolment step).
    enrolled, new_admin = make_user("admin"), make_user("admin")
    enrolled.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    # A claim ready to submit: billing's move and details forms.
    ready = ready_claim(db_session, people)
    # A signed order whose claim was paid: the clinician may amend it.
    paid = stored_case(db_session, clinician, people["practitioner"], patient_name="Walt Pruitt")
    signing.sign(db_session, paid.id, people["practitioner"], expected_version=paid.version)
    paid = db_session.get(Case, paid.id)
    db_session.add(BillingEvent(case_id=paid.id, from_state="signed", to_state="paid",
                                user_id=biller.id))  # fmt: skip
    paid.billing_state = "paid"
    db_session.add(ClaimRecord(case_id=paid.id, clinic_id=paid.clinic_id,
                               control_number=f"DME{paid.id}", icn="2226340123456",
                               adjustments=[], remarks=[]))  # fmt: skip
    db_session.commit()
    logins = [(admin.email, admin.password) for admin in (enrolled, new_admin)]
    urls = {
        "patient_link": f"/cases/{case.id}/patient-link",
        "claim": f"/billing/cases/{ready.id}",
        "amend": f"/cases/{paid.id}/amend",
    }
    clinician_client, biller_client = session_client(clinician), session_client(biller)
    db_session.close()  # the test's own session holds no lock while the app writes

    pages = []

    def page(client, url):
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((client, url, response.get_data(as_text=True)))

    patient = app.test_client()
    assert patient.get(f"/p?t={raw}").status_code == 303
    page(patient, "/patient/log")
    page(clinician_client, urls["patient_link"])
    page(app.test_client(), set_password.removeprefix("http://localhost"))
    app.config["ADMIN_TOTP"] = True
    for email, password in logins:
        client = app.test_client()
        step = client.post("/login", data={"email": email, "password": password})
        assert step.status_code == 200, email
        pages.append((client, "/login", step.get_data(as_text=True)))
    page(biller_client, urls["claim"])
    page(clinician_client, urls["amend"])
    return pages


def test_forms_of_later_states_at_the_size_limits_are_never_a_server_error(app, later_states):
    adapter = app.url_map.bind("localhost")
    forms = {}
    for client, url, html in later_states:
        for served_action, fields in _forms_in(html):
            action = served_action or url  # a form without an action posts to its page
            try:
                endpoint = adapter.match(action.split("?")[0], method="POST")[0]
            except Exception:  # noqa: BLE001 - a form posting elsewhere (none expected)
                continue
            if endpoint in LATER_FORMS:
                forms.setdefault((endpoint, action), (client, fields))
    assert {endpoint for endpoint, _ in forms} == LATER_FORMS

    @settings(max_examples=LATER_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    @given(data=st.data())
    def post_each_form(data):
        problems = []
        for (endpoint, action), (client, fields) in sorted(forms.items()):
            names = sorted({name for name, _ in fields})
            hostile = data.draw(st.sets(st.sampled_from(names)) if names else st.just(set()))
            body = {}
            for name, value in fields:
                body.setdefault(name, data.draw(HOSTILE) if name in hostile else value)
            response = client.post(action, data=body)
            if not _answers_with_the_form(response):
                problems.append(f"{endpoint} {action} {response.status_code} {sorted(hostile)}")
        assert problems == []

    post_each_form()


def _answers_with_the_form(response) -> bool:
    """Never a 5xx, never the bare 400 (the service "could not read" the page); a refusal
    (400, 409, 422) is a page saying what is wrong."""
    status = response.status_code
    if status >= 500:
        return False
    if status in (400, 409, 422) and response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        if BARE_400 in page:
            return False
        # A message beside a field, the form's alert, or a refusal in its own words (what
        # happened, what to do: web/errors.Refused).
        return any(mark in page for mark in ("field-error", 'role="alert"', "error-card"))
    return status != 400
