"""The case page's reads, counted (not timed): a rich case's page asks the database a bounded
number of statements, and more rows (trials, document versions) add none: no read per row,
no card reading again what another card read (store/unit_memo.py).

The case is the one `make bench` measures (bench/pages.py): the demo's signed Medicare case
with three diagnoses, four trials, its signed letter and order, the patient's instructions in
two languages and a billing packet made after signing.
"""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from services.claim_cases import fake_render as fake_signed_render
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench import pages as bench_pages
from dme_service.commands import demo
from dme_service.db import get_engine
from dme_service.services import signing
from dme_service.web.pages import documents as document_pages

# Statements one GET of the page sends, transactions' BEGIN apart: the session row, the case
# with its patient, prescription, history and trials, the read's audit row, the signers, the
# screening answers, the diagnoses, the carried prior devices, the patient's other cases, the
# signature and its signed files, the amendments, the latest decision, an open return, the
# newest patient link, the claim's purchase-or-rental choice, the billing moves and the
# documents list.
MOST_STATEMENTS = 17

_RENDERS = itertools.count(1)


def fake_render(kind, case, decision, **options):
    pdf = f"%PDF-1.7 {kind} {options['lang']} {next(_RENDERS)}".encode()
    return type("Rendered", (), {"pdf": pdf})()


@pytest.fixture
def rich_case(app, monkeypatch):
    """The clinician's client and the path of the bench's case page."""
    monkeypatch.setattr(signing, "_render_signed", fake_signed_render)
    monkeypatch.setattr(document_pages, "_bounded_render", fake_render)
    rich = bench_pages._rich_documents(demo.demo_documents())
    with (
        mock.patch.object(demo, "demo_documents", lambda: rich),
        Session(get_engine(app)) as session,
    ):
        passwords = demo.seed(session)
        session.commit()
    client = app.test_client()
    email = "pt@demo.clinic"
    assert client.post("/login", data={"email": email, "password": passwords[email]}).status_code
    for kind, lang in bench_pages.DOCUMENTS_AFTER_SIGNING:
        made = client.post("/cases/1/documents", data={"kind": kind, "lang": lang})
        assert made.status_code == 303, (kind, made.status_code)
    return client


def statements_of(app, client, path: str) -> list[str]:
    """The SQL statements one GET of `path` sends (a transaction's BEGIN not counted)."""
    sent = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            sent.append(" ".join(statement.split())[:120])

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return sent


def test_the_rich_case_page_reads_in_a_bounded_number_of_statements(app, rich_case):
    rich_case.get("/cases/1")  # the first page after sign-in also refreshes the session row
    sent = statements_of(app, rich_case, "/cases/1")
    assert len(sent) <= MOST_STATEMENTS, "\n".join(sent)


def test_more_document_versions_add_no_statement(app, rich_case):
    before = statements_of(app, rich_case, "/cases/1")
    for kind, lang in bench_pages.DOCUMENTS_AFTER_SIGNING:
        assert rich_case.post("/cases/1/documents", data={"kind": kind, "lang": lang}).status_code
    after = statements_of(app, rich_case, "/cases/1")
    assert len(after) == len(before), "\n".join(after)
