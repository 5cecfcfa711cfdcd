"""No GET stores a document version; making one is a POST with the CSRF token (security.md OUT-3).

A GET can be started by another site (a link, an image, a top-level navigation carrying the
SameSite=Lax cookie), by a prefetch or a crawler: none of them may make the service render and
store a new version. "Download current" is a form button; the same address fetched by a GET sends
the stored current version, or says that none is stored, and the API's GET answers 409. And no
GET route, for any role, adds or removes a row other than its audit row.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import url_for
from services.case_steps import save, standard_case
from sqlalchemy import func, select

from dme_service.db import get_session
from dme_service.models import Base, Case, Document
from dme_service.services import documents
from dme_service.web.pages import documents as documents_view
from dme_service.web.security import access

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_WORDS = "did not come from this site"  # dme_service.web.errors.CSRF_NEXT
CROSS_SITE = {"Referer": "https://evil.example/page", "Sec-Fetch-Site": "cross-site"}
PDF = b"%PDF-1.7 a test document"
ROLES_BY_PREFERENCE = ("clinician", "practitioner", "billing", "admin")


def tiny_render(kind, case, decision, **options):
    return SimpleNamespace(pdf=PDF)


@pytest.fixture
def app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def stale(app, db_session, make_user, session_client):
    """A complete case whose LMN, packet and instructions were made before the order's time
    changed (15 -> 20 minutes): stored, not current. Clients of each staff role."""
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    users = {
        "clinician": clinician,
        "practitioner": practitioner,
        "billing": make_user("billing"),
        "admin": make_user("admin"),
    }
    case = standard_case(db_session, clinician, practitioner)
    made = {
        kind: documents.render_document(db_session, clinician, case.id, kind, render=tiny_render)
        for kind in ("lmn", "packet", "instructions")
    }
    case = db_session.get(Case, case.id)
    rx = case.home_prescription
    request = {
        "hcpcs": rx.hcpcs,
        "force_lb": rx.force_lb,
        "minutes": 20,
        "sessions_per_day": rx.sessions_per_day,
        "length_of_need_months": rx.length_of_need_months,
        "frequency_text": "20 minutes, twice daily",
    }
    save(db_session, clinician, case, "prescription", {"request": request})
    ids = {
        "case_id": case.id,
        "document_id": made["lmn"].id,
        "user_id": clinician.id,
    }
    who = {role: SimpleNamespace(id=user.id, role=user.role) for role, user in users.items()}
    db_session.commit()
    # Sessions are made in an app context of their own, which lets go of these rows: ids only.
    clients = {role: session_client(user) for role, user in who.items()}
    return SimpleNamespace(ids=ids, clients=clients)


def stored_versions() -> int:
    db = get_session()
    count = db.scalar(select(func.count()).select_from(Document))
    db.commit()
    return count


def test_a_cross_site_get_of_download_current_makes_no_version(app, stale, monkeypatch):
    monkeypatch.setattr(documents_view, "_bounded_render", tiny_render)
    client = stale.clients["clinician"]
    url = f"/cases/{stale.ids['case_id']}/documents/lmn/current"
    before = stored_versions()

    followed = client.get(url, headers=CROSS_SITE)
    assert followed.status_code == 409
    assert followed.mimetype == "text/html"  # the page saying none is stored, not a PDF
    assert documents_view.NOT_MADE in followed.get_data(as_text=True).replace("&#34;", '"')
    assert stored_versions() == before

    forged = client.post(url, data={"lang": "en"}, headers=CROSS_SITE)
    assert forged.status_code == 400 and CSRF_WORDS in forged.get_data(as_text=True)
    assert stored_versions() == before

    token = TOKEN.search(client.get("/").get_data(as_text=True)).group(1)
    pressed = client.post(url, data={"lang": "en", "csrf_token": token})
    assert pressed.status_code == 200 and pressed.mimetype == "application/pdf"
    assert pressed.headers["X-Document-State"] == "current"
    assert stored_versions() == before + 1

    # Now that it is stored, the GET sends that very version and makes nothing more.
    again = client.get(url, headers=CROSS_SITE)
    assert again.status_code == 200 and again.data == pressed.data
    assert stored_versions() == before + 1


def test_the_api_get_with_a_session_cookie_makes_no_version(app, stale):
    client = stale.clients["billing"]
    before = stored_versions()
    response = client.get(f"/api/v1/cases/{stale.ids['case_id']}/documents/packet")
    assert response.status_code == 409
    assert "POST" in response.get_json()["error"]["message"]
    assert stored_versions() == before


def test_the_case_documents_offer_download_current_as_a_form_with_the_token(app, stale):
    html = stale.clients["clinician"].get(f"/cases/{stale.ids['case_id']}/documents").text
    buttons = re.findall(r'<form method="post" action="[^"]+/current"[^>]*>.*?</form>', html, re.S)
    assert len(buttons) >= len(documents.DOCUMENT_KINDS)
    assert all('name="csrf_token"' in button for button in buttons)
    assert not re.search(r'href="[^"]*/current', html)  # no link left that a GET would follow


def test_the_billing_packet_button_is_a_form_with_the_token(app, stale):
    html = stale.clients["billing"].get(f"/billing/cases/{stale.ids['case_id']}").text
    form = r'<form method="post" action="[^"]+/packet/current"[^>]*>.*?</form>'
    button = re.search(form, html, re.S)
    assert button and 'name="csrf_token"' in button.group(0)
    assert not re.search(r'href="[^"]*/current', html)


def _role_for(endpoint: str) -> str:
    rule = access.ACCESS[endpoint]
    if rule == access.PUBLIC:
        return "admin"
    return next(role for role in ROLES_BY_PREFERENCE if role in rule)


def _urls(app, rule, ids: dict) -> list[str]:
    """The rule's URLs with the stale case's ids; a rule taking a document kind, each kind."""
    kinds = documents.DOCUMENT_KINDS if "kind" in rule.arguments else (None,)
    urls = []
    for kind in kinds:
        values = {}
        for name in rule.arguments:
            converter = type(rule._converters[name]).__name__
            default = 999_999 if converter == "IntegerConverter" else "x"
            values[name] = kind if name == "kind" else ids.get(name, default)
        if rule.endpoint == "static":
            values["filename"] = "css/app.css"
        with app.test_request_context():
            urls.append(url_for(rule.endpoint, **values))
    return urls


# Reads are audited (LOG-1): their rows are the one thing a GET adds.
AUDIT_TABLES = frozenset({"audit_events", "audit_seals"})


def row_counts() -> dict[str, int]:
    """Rows per table, the audit trail aside."""
    db = get_session()
    counts = {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
        if table.name not in AUDIT_TABLES
    }
    db.commit()
    return counts


@pytest.mark.slow  # every GET route, a few hundred requests: engine-neutral, SQLite only
def test_no_get_route_adds_or_removes_a_row(app, stale):
    """Every GET of the app, by a role it is open to, on a case whose documents are stale:
    no table but the audit trail changes its row count (no version made, nothing stored)."""
    changed = []
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        client = stale.clients[_role_for(rule.endpoint)]
        for url in _urls(app, rule, stale.ids):
            before = row_counts()
            response = client.get(url)
            checked += 1
            after = row_counts()
            moved = {
                name: after[name] - before[name] for name in after if after[name] != before[name]
            }
            if moved:
                changed.append(f"{rule.endpoint} {url} ({response.status_code}): {moved}")
    assert changed == []
    assert checked > 40
