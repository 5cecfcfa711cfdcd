"""Writing and voiding a practitioner's signature, in the caller's transaction.

Storing a signature writes the signed SWO and LMN as new Document versions, the Signature row
with the HMAC of the canonical signed content under the integrity key (docs/security.md RET-2), and
their audit rows; voiding one marks it void and supersedes its documents (kept and downloadable).

Separate from `services.signing`, which decides whether this user may sign this case now,
renders and locks: this module only writes rows, and `services.after_save` voids through
it too. Neither commits; the caller's transaction does.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Case, Document, Signature, User, utcnow
from dme_service.store.documents import add_version
from dme_service.store.signed_content import apply_seal, current_signature, seal

SIGNED_LANG = "en"


def store_signature(session: Session, case: Case, signer: User, version, rendered, now):
    """Store the rendered documents and the Signature over them; returns the Signature.

    A standing signature that no longer matches the case (it was changed outside the
    application) is voided first.
    """
    stale = current_signature(session, case.id)
    if stale is not None:  # present but no longer valid: changed outside the application
        void(session, case, stale, signer, "the signed content no longer matched the case")
    hashes = {}
    for kind, document in rendered.items():
        row = store_document(session, case, kind, document, signer, now)
        hashes[kind] = {"document_id": row.id, "version": row.version, "sha256": row.sha256}
    signature = Signature(
        case_id=case.id,
        signer_id=signer.id,
        signed_at=now,
        credential=signer.credential,
        npi=signer.npi,
        case_version=version,
        document_hashes=hashes,
    )
    apply_seal(signature, seal(case, version, hashes, covers=list(rendered)))
    session.add(signature)
    session.flush()
    audit.record(
        session,
        user=signer,
        action="case.sign",
        object_type="signature",
        object_id=signature.id,
        patient_id=case.patient_id,
    )
    return signature


def store_document(session, case: Case, kind: str, rendered, user: User, now) -> Document:
    """A new version of the document; earlier current versions become superseded (kept)."""
    row = add_version(session, case, kind, SIGNED_LANG, rendered.pdf, user, now)
    audit.record(
        session,
        user=user,
        action="document.create",
        object_type="document",
        object_id=row.id,
        patient_id=case.patient_id,
    )
    return row


def void(session: Session, case: Case, signature: Signature, user: User, reason: str) -> None:
    """Void the signature and supersede its documents (kept and downloadable); audited."""
    now = utcnow()
    signature.voided_at = now
    signature.void_reason = reason
    for entry in signature.document_hashes.values():
        if "document_id" not in entry:
            continue  # a scan signed in ink stays as it was uploaded
        document = session.get(Document, entry["document_id"])
        if document is not None and document.superseded_at is None:
            document.superseded_at = now
    audit.record(
        session,
        user=user,
        action="signature.void",
        object_type="signature",
        object_id=signature.id,
        patient_id=case.patient_id,
    )
