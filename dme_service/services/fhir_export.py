"""A stored case exported as a FHIR R4 Bundle, audited as a PHI export (security.md LOG-1)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from dme_service import audit, fhir
from dme_service.db import unit_of_work
from dme_service.models import Case, User, utcnow
from dme_service.services.clinic.printed import current_signature
from dme_service.services.document_freshness import current_of, freshness
from dme_service.store.cases import load_case, parsed_and_decided


def bundle(session: Session, user: User, case_id: int, *, letter_url: str) -> dict:
    """The case's Bundle, with the current LMN (found at `letter_url`) when one is stored.

    Raises CaseNotFound, or CaseIncomplete for a draft. Commits the audit row.
    """
    with unit_of_work(session):
        case = load_case(session, user, case_id)
        parsed, decision = parsed_and_decided(case)
        signature = current_signature(session, case)
        exported = fhir.bundle_json(
            parsed,
            decision,
            now=utcnow(),
            key=f"case-{case.id}",
            letter=_letter(session, case, letter_url),
            signed_at=signature.signed_at if signature else None,
        )
        audit.case_event(session, user, "case.export.fhir", case)
    return exported


def _letter(session: Session, case: Case, url: str) -> fhir.Letter | None:
    """The English LMN made from the case and signature as they are now (or the signed one
    while its signature stands), if one is stored and its bytes still match their SHA-256;
    one made before a change is left out (`url` makes the current one on request)."""
    row = current_of(session, case, "lmn", "en", freshness(session, case))
    if row is None or hashlib.sha256(row.content).hexdigest() != row.sha256:
        return None
    return fhir.Letter(
        pdf=row.content, created=row.created_at, lang=row.lang, url=url, version=row.version
    )
