"""What a signature covers and whether it still does (docs/security.md RET-2).

The canonical signed content is the case document (patient, payer, diagnoses, trials,
screening, order fields, practitioner; never the free-text notes), the case version signed and
the SHA-256 of each signed PDF. The signature stores its HMAC-SHA-256 under an integrity key
kept outside the database (dme_service/integrity_keys.py), with the key id:
someone who edits the order in the database cannot recompute it. `check_signature` recomputes
it, and the PDFs' digests, on every read, so a change that bypassed the application (raw SQL,
re-hashed or not) shows at once. A signature without a key id (written before the keys
existed and not re-keyed by `dme-service db upgrade`) never counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import integrity_keys
from dme_service.models import Case, Document, Signature, SignatureScan
from dme_service.store.cases import to_document


@dataclass(frozen=True)
class SignatureCheck:
    """The case's current signature (if any) and whether it still covers the case."""

    signature: Signature | None
    valid: bool
    problem: str | None = None


# --- canonical signed content -------------------------------------------------------------


def canonical_sha256(value) -> str:
    """SHA-256 of canonical JSON (sorted keys, no spaces, ASCII)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def case_content_sha256(case: Case) -> str:
    """SHA-256 of the case's order content alone (the dme-case/1 document; no notes)."""
    return canonical_sha256(to_document(case))


SIGNATURE_PURPOSE = "signature"


def _signed_content_text(case: Case, case_version: int, document_hashes: dict) -> str:
    """Canonical JSON of what the practitioner signed: case id and version, the case document
    (patient, payer, diagnoses, trials, screening, order fields, practitioner) and the
    digests of the signed PDFs (docs/security.md RET-2)."""
    digests = {kind: entry["sha256"] for kind, entry in document_hashes.items()}
    content = {
        "case_id": case.id,
        "case_version": case_version,
        "case": to_document(case),
        "documents": digests,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def signed_content_sha256(case: Case, case_version: int, document_hashes: dict) -> str:
    """The unkeyed SHA-256 signatures stored before the integrity keys existed; only
    `rekey_legacy_signatures` compares it, never a read."""
    return hashlib.sha256(
        _signed_content_text(case, case_version, document_hashes).encode()
    ).hexdigest()


def signed_content_mac(case: Case, case_version: int, document_hashes: dict) -> tuple[str, str]:
    """(key id, HMAC-SHA-256 of the signed content under the current integrity key)."""
    return integrity_keys.sign(
        SIGNATURE_PURPOSE, _signed_content_text(case, case_version, document_hashes)
    )


def still_covers(signature: Signature, case: Case) -> bool:
    """True when the signature's HMAC matches the case as it is now (never for unkeyed ones)."""
    text = _signed_content_text(case, signature.case_version, signature.document_hashes)
    return integrity_keys.check(SIGNATURE_PURPOSE, text, signature.key_id, signature.content_sha256)


def current_signature(session: Session, case_id: int) -> Signature | None:
    """The newest signature of the case that has not been voided."""
    query = (
        select(Signature)
        .where(Signature.case_id == case_id, Signature.voided_at.is_(None))
        .order_by(Signature.signed_at.desc(), Signature.id.desc())
    )
    return session.scalars(query).first()


def signatures(session: Session, case_id: int) -> list[Signature]:
    """Every signature of the case, newest first, voided ones included."""
    query = select(Signature).where(Signature.case_id == case_id)
    return list(session.scalars(query.order_by(Signature.id.desc())))


def _signed_file(session: Session, entry: dict):
    """The stored file a signature entry covers: a rendered PDF, or the scan of an order
    signed in ink."""
    if "scan_id" in entry:
        return session.get(SignatureScan, entry["scan_id"])
    return session.get(Document, entry.get("document_id"))


def check_signature(session: Session, case: Case) -> SignatureCheck:
    """Recompute the signed content's hash and the PDFs' digests now (RET-2: catches raw SQL)."""
    signature = current_signature(session, case.id)
    if signature is None:
        return SignatureCheck(None, False, "Not signed yet.")
    if not still_covers(signature, case):
        return SignatureCheck(
            signature, False, "The case no longer matches what was signed; it must be re-signed."
        )
    for kind, entry in signature.document_hashes.items():
        document = _signed_file(session, entry)
        if document is None or hashlib.sha256(document.content).hexdigest() != entry["sha256"]:
            return SignatureCheck(
                signature, False, f"The signed {kind.upper()} file was altered; re-sign the case."
            )
    return SignatureCheck(signature, True)


def rekey_legacy_signatures(session: Session) -> int:
    """Key the signatures stored before the integrity keys existed (key_id NULL) whose unkeyed
    hash still matches their case; the others stay unkeyed and so count as not signed.
    Commits; returns how many were keyed. Run by `dme-service db upgrade`."""
    rekeyed = 0
    legacy = select(Signature).where(Signature.key_id.is_(None), Signature.voided_at.is_(None))
    for signature in session.scalars(legacy).all():
        case = session.get(Case, signature.case_id)
        if case is None:
            continue
        hashes = signature.document_hashes or {}
        if signed_content_sha256(case, signature.case_version, hashes) != signature.content_sha256:
            continue
        signature.key_id, signature.content_sha256 = signed_content_mac(
            case, signature.case_version, hashes
        )
        rekeyed += 1
    session.commit()
    return rekeyed
