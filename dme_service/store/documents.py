"""A case's stored PDFs: numbering and writing a version, and checking stored bytes on the way out.

A version is the PDF bytes and their SHA-256 in one Document row, written in the same
transaction as its audit row; the previous version of that kind and language is marked
superseded (kept, still downloadable). Before bytes leave, their SHA-256 is recomputed; a
mismatch refuses them and is audited (docs/security.md PDF-4, HIPAA (c)(2)).

Separate from `services.documents`, which decides what to render, from which facts, and
answers the views: this module knows only Document rows, so the SWO and LMN stored at signing
(`services.signature_store`) are numbered by the same code without importing the render
service, which itself reads signatures.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Case, Document, User, utcnow
from dme_service.store.cases import load_case


class DocumentTampered(RuntimeError):
    """The stored bytes no longer hash to the stored SHA-256; nothing was sent."""

    def __init__(self, document_id: int):
        super().__init__(f"document {document_id}: stored bytes do not match their SHA-256")
        self.document_id = document_id


def store_render(
    session: Session,
    user: User,
    case_id: int,
    kind: str,
    lang: str,
    pdf: bytes,
    *,
    case_version: int | None = None,
    source_sha256: str | None = None,
):
    """Store a render as the next version, audited as `document.render`.

    `case_version` and `source_sha256` say what the render was made from, read before the
    render (the case may have moved on meanwhile; then the new version is already stale).
    """
    # The case row lock serializes renders of one case (PostgreSQL; SQLite: BEGIN IMMEDIATE).
    case = load_case(session, user, case_id, for_update=True)
    document = add_version(
        session,
        case,
        kind,
        lang,
        pdf,
        user,
        utcnow(),
        case_version=case_version,
        source_sha256=source_sha256,
    )
    audit_document(session, user, "document.render", document, case)
    return document


def add_version(
    session: Session,
    case: Case,
    kind: str,
    lang: str,
    pdf: bytes,
    user: User,
    moment: datetime,
    *,
    case_version: int | None = None,
    source_sha256: str | None = None,
) -> Document:
    """Store pdf as the next version of (kind, lang); the current ones become superseded.

    The one place versions are numbered: renders from the documents page and the SWO and LMN
    stored at signing both come through here (the caller audits in its own words). Without
    `case_version`, the version of `case` as loaded is recorded (signing reads and stores under
    one lock).
    """
    latest = session.scalar(
        select(func.max(Document.version)).where(
            Document.case_id == case.id, Document.kind == kind, Document.lang == lang
        )
    )
    for older in session.scalars(current_versions(case.id, kind, lang)):
        older.superseded_at = moment
    document = Document(
        case_id=case.id,
        kind=kind,
        lang=lang,
        version=(latest or 0) + 1,
        content=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_at=moment,
        created_by_id=user.id,
        case_version=case.version if case_version is None else case_version,
        source_sha256=source_sha256,
    )
    session.add(document)
    session.flush()
    return document


def current_versions(case_id: int, kind: str, lang: str):
    """The query for the case's not-superseded versions of (kind, lang)."""
    return select(Document).where(
        Document.case_id == case_id,
        Document.kind == kind,
        Document.lang == lang,
        Document.superseded_at.is_(None),
    )


def verified(session: Session, user: User, case: Case, document: Document, action: str):
    """The document, once its bytes hash to its SHA-256 and the read's audit row is committed.

    A mismatch is audited (outcome `hash_mismatch`), committed, and raises DocumentTampered.
    """
    if hashlib.sha256(document.content).hexdigest() != document.sha256:
        audit_document(session, user, action, document, case, outcome="hash_mismatch")
        session.commit()
        raise DocumentTampered(document.id)
    audit_document(session, user, action, document, case)
    session.commit()  # LOG-1: the read is served only once its audit row is stored
    return document


def audit_document(session, user, action, document, case, outcome="ok") -> None:
    """The audit row of one render or read of a stored document."""
    audit.record(
        session,
        user=user,
        action=action,
        object_type="document",
        object_id=document.id,
        patient_id=case.patient_id,
        outcome=outcome,
    )
