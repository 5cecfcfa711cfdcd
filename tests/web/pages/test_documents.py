"""A case's documents on the web: render, preview, download (security.md PDF-3, PDF-4, AC-2)."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from sample_case import store_case
from sqlalchemy import func, select, update

from dme_service.models import AuditEvent, Clinic, Document
from dme_service.services import documents as service


def fake_render(kind, case, decision, **options):
    return type("Rendered", (), {"pdf": f"%PDF-1.7 {kind} {time.time_ns()}".encode()})()


@pytest.fixture
def team(signed_in, make_user):
    client, clinician = signed_in("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    return client, clinician, practitioner


@pytest.fixture
def case(db_session, team):
    return store_case(db_session, team[1], team[2])


@pytest.fixture
def fast_render(monkeypatch):
    """Replace the bounded WeasyPrint render by a stand-in for tests about the web flow."""
    from dme_service.web.pages import documents

    monkeypatch.setattr(documents, "_bounded_render", fake_render)


def csrf_free_post(client, case, kind="lmn", **extra):
    return client.post(f"/cases/{case.id}/documents", data={"kind": kind, **extra})


def stored(db_session):
    db_session.expire_all()
    return db_session.scalars(select(Document).order_by(Document.id)).all()


def test_the_page_lists_every_kind_with_render_buttons(team, case):
    page = team[0].get(f"/cases/{case.id}/documents")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in service.KIND_LABELS.values():
        assert label in html
    assert html.count('name="kind"') == len(service.KIND_LABELS)
    assert "Not created yet." in html


def test_render_redirects_back_and_lists_the_version(team, case, db_session, fast_render):
    response = csrf_free_post(team[0], case, next=f"/cases/{case.id}/documents")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.id}/documents#documents-lmn")
    (document,) = stored(db_session)
    html = team[0].get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert f"/cases/{case.id}/documents/{document.id}/download" in html
    assert document.sha256[:12] in html


def test_next_must_be_a_path_of_this_site(team, case, fast_render):
    response = csrf_free_post(team[0], case, next="https://evil.example/")
    assert response.headers["Location"].endswith(f"/cases/{case.id}/documents#documents-lmn")


def test_download_is_a_no_store_attachment_named_by_kind_and_id(
    team, case, db_session, fast_render
):
    csrf_free_post(team[0], case)
    (document,) = stored(db_session)
    response = team[0].get(f"/cases/{case.id}/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="lmn-{document.id}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(response.data).hexdigest() == document.sha256


def test_preview_is_inline(team, case, db_session, fast_render):
    csrf_free_post(team[0], case, kind="swo")
    (document,) = stored(db_session)
    response = team[0].get(f"/cases/{case.id}/documents/{document.id}/preview")
    assert response.headers["Content-Disposition"] == f'inline; filename="swo-{document.id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "document.preview" in actions


def test_the_file_name_never_carries_patient_text(team, db_session, fast_render):
    hostile = store_case(db_session, team[1], team[2], **{"patient.name": 'x"; filename="evil.exe'})
    csrf_free_post(team[0], hostile)
    (document,) = stored(db_session)
    response = team[0].get(f"/cases/{hostile.id}/documents/{document.id}/download")
    assert re.fullmatch(
        r'attachment; filename="lmn-\d+\.pdf"', response.headers["Content-Disposition"]
    )


def test_superseded_versions_stay_downloadable_and_are_marked(team, case, db_session, fast_render):
    csrf_free_post(team[0], case)
    csrf_free_post(team[0], case)
    first, second = stored(db_session)
    assert first.superseded_at is not None and second.superseded_at is None
    assert team[0].get(f"/cases/{case.id}/documents/{first.id}/download").status_code == 200
    html = team[0].get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert "Superseded" in html and "Current" in html


def test_a_tampered_file_is_refused_with_an_error_id_and_audited(
    team, case, db_session, fast_render
):
    csrf_free_post(team[0], case)
    (document,) = stored(db_session)
    db_session.execute(update(Document).values(content=document.content + b" "))
    db_session.commit()
    response = team[0].get(f"/cases/{case.id}/documents/{document.id}/download")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "no longer matches" in body and re.search(r"E-[0-9A-Z]{6}", body)
    outcomes = db_session.scalars(select(AuditEvent.outcome)).all()
    assert outcomes[-1] == "hash_mismatch"


def test_a_prn_order_is_refused_next_to_its_button_and_nothing_stored(team, db_session):
    prn = store_case(db_session, team[1], team[2], **{"request.frequency_text": "as needed"})
    response = csrf_free_post(team[0], prn, kind="swo")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="documents-swo"' in html and "Not created" in html
    assert stored(db_session) == []


def test_a_render_timeout_answers_503_with_an_error_id_and_stores_nothing(
    team, case, db_session, app
):
    app.config["DOCUMENT_RENDER_TIMEOUT"] = 0.5
    from dme_service.documents import bounded

    def hang(*args, **kwargs):
        time.sleep(30)

    original = bounded.render
    bounded.render = hang  # the child process runs this instead of WeasyPrint
    try:
        response = csrf_free_post(team[0], case)
    finally:
        bounded.render = original
    assert response.status_code == 503
    assert re.search(r"E-[0-9A-Z]{6}", response.get_data(as_text=True))
    assert stored(db_session) == []
    assert team[0].get(f"/cases/{case.id}/documents").status_code == 200  # serves the next one


def test_the_real_bounded_render_stores_a_pdf(team, case, db_session):
    response = csrf_free_post(team[0], case)
    assert response.status_code == 303
    (document,) = stored(db_session)
    assert document.content.startswith(b"%PDF-")


def test_another_clinics_case_and_documents_are_404(team, case, db_session, signed_in, fast_render):
    csrf_free_post(team[0], case)
    (document,) = stored(db_session)
    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    stranger, _ = signed_in("clinician", clinic_id=other.id)
    for url in (
        f"/cases/{case.id}/documents",
        f"/cases/{case.id}/documents/{document.id}/download",
        f"/cases/{case.id}/documents/{document.id}/preview",
    ):
        assert stranger.get(url).status_code == 404, url
    assert csrf_free_post(stranger, case).status_code == 404
    assert db_session.scalar(select(func.count(Document.id))) == 1


def test_billing_downloads_but_admin_may_not(team, case, db_session, signed_in, fast_render):
    csrf_free_post(team[0], case)
    (document,) = stored(db_session)
    billing, _ = signed_in("billing")
    admin, _ = signed_in("admin")
    url = f"/cases/{case.id}/documents/{document.id}/download"
    assert billing.get(url).status_code == 200
    assert admin.get(url).status_code == 403


def test_each_kind_the_decision_does_not_allow_says_why_beside_its_button(team, case):
    """Issue 16: the refusal is one sentence beside the button, before anyone presses it."""
    html = team[0].get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert "Not printed for this decision: an ABN (form CMS-R-131) is printed only" in html
    assert html.count("Not printed for this decision:") == 1  # eligible: only the ABN


def test_a_refused_kind_answers_422_with_the_sentence_beside_its_button(team, case):
    response = csrf_free_post(team[0], case, kind="abn")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "decision.modifiers: an ABN (form CMS-R-131) is printed only for a Medicare" in html
