"""What a signature covers and whether it still does (docs/security.md RET-2).

The canonical signed content is the signed facts: what the signed order and letter print
(case/signed_facts.py: patient, payer, device, dose, diagnoses, practitioner and decision, and
for the letter the weight, trials, screening, onset and the recorded clinical history), the
case version signed and the SHA-256 of each signed PDF. A signature made before that scope
existed covered the whole case document and is still checked that way
(`Signature.content_scope`). The signature stores its
HMAC-SHA-256 under an integrity key kept outside the database (dme_service/integrity_keys.py),
with the key id: someone who edits the order in the database cannot recompute it.
`check_signature` recomputes
it, and the PDFs' digests, on every read, so a change that bypassed the application (raw SQL,
re-hashed or not) shows at once. A signature without a key id (written before the keys
existed and not re-keyed by `dme-service db upgrade`) never counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service import integrity_keys
from dme_service.case import signed_facts
from dme_service.models import Case, Document, Signature, SignatureScan
from dme_service.store import unit_memo
from dme_service.store.cases import case_document
from dme_service.store.history import history_document


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
    return canonical_sha256(case_document(case))


SIGNATURE_PURPOSE = "signature"


def facts_now(case: Case, covers) -> dict:
    """The case's signed facts as they are now, for a signature over the documents `covers`
    (case/signed_facts.py: the order's facts, and the letter's when the letter is signed)."""
    letter = signed_facts.covers_letter(covers)
    return signed_facts.signed_facts(
        case_document(case), case.status, letter=letter, history=history_document(case)
    )


def covered_kinds(document_hashes: dict, decision_status: str | None = None) -> list[str]:
    """Which documents a new signature covers: the signed PDFs, or for a scan signed in ink
    the order, and the letter when the case is eligible (the letter is printed only then)."""
    kinds = [kind for kind in ("swo", "lmn") if kind in document_hashes]
    if kinds:
        return kinds
    return ["swo", "lmn"] if decision_status == "eligible" else ["swo"]


def _legacy_text(case: Case, case_version: int, document_hashes: dict) -> str:
    """Canonical JSON of what signatures made before the signed-facts scope covered: case id
    and version, the whole case document and the digests of the signed files."""
    digests = {kind: entry["sha256"] for kind, entry in document_hashes.items()}
    content = {
        "case_id": case.id,
        "case_version": case_version,
        "case": case_document(case),
        "documents": digests,
    }
    return _canonical(content)


def _facts_text(case_id: int, case_version: int, document_hashes: dict, covers, facts) -> str:
    """Canonical JSON of what the practitioner signs (docs/security.md RET-2): the case id and
    version, the signed facts, which documents print them and the digests of the signed files."""
    digests = {kind: entry["sha256"] for kind, entry in document_hashes.items()}
    content = {
        "scope": signed_facts.SCOPE,
        "case_id": case_id,
        "case_version": case_version,
        "covers": sorted(covers),
        "facts": facts,
        "documents": digests,
    }
    return _canonical(content)


def _canonical(content) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def signed_content_sha256(case: Case, case_version: int, document_hashes: dict) -> str:
    """The unkeyed SHA-256 signatures stored before the integrity keys existed; only
    `rekey_legacy_signatures` compares it, never a read."""
    return hashlib.sha256(_legacy_text(case, case_version, document_hashes).encode()).hexdigest()


@dataclass(frozen=True)
class Seal:
    """What a new signature stores: its scope, the facts it covers, key id and HMAC."""

    scope: str
    snapshot: dict
    key_id: str
    mac: str


def seal(case: Case, case_version: int, document_hashes: dict, covers=None) -> Seal:
    """The HMAC of the signed facts under the current integrity key, with the facts signed."""
    covers = sorted(covers or covered_kinds(document_hashes, case.status))
    facts = facts_now(case, covers)
    text = _facts_text(case.id, case_version, document_hashes, covers, facts)
    key_id, mac = integrity_keys.sign(SIGNATURE_PURPOSE, text)
    return Seal(signed_facts.SCOPE, {"documents": covers, "facts": facts}, key_id, mac)


def signed_content_mac(
    case: Case, case_version: int, document_hashes: dict, covers=None
) -> tuple[str, str]:
    """(key id, HMAC-SHA-256 of the signed facts under the current integrity key)."""
    sealed = seal(case, case_version, document_hashes, covers)
    return sealed.key_id, sealed.mac


def apply_seal(signature: Signature, sealed: Seal) -> None:
    """Write the seal onto a new signature row."""
    signature.content_scope = sealed.scope
    signature.signed_facts = sealed.snapshot
    signature.key_id, signature.content_sha256 = sealed.key_id, sealed.mac


def _covers(signature: Signature) -> list[str]:
    return list((signature.signed_facts or {}).get("documents") or ["swo", "lmn"])


def _text_now(signature: Signature, case: Case) -> str:
    """The signed content recomputed from the case now, in the signature's own scope."""
    hashes = signature.document_hashes or {}
    if signature.content_scope == signed_facts.SCOPE:
        covers = _covers(signature)
        facts = facts_now(case, covers)
        return _facts_text(case.id, signature.case_version, hashes, covers, facts)
    return _legacy_text(case, signature.case_version, hashes)


def still_covers(signature: Signature, case: Case) -> bool:
    """True when the signature's HMAC matches the case as it is now (never for unkeyed ones)."""
    text = _text_now(signature, case)
    return integrity_keys.check(SIGNATURE_PURPOSE, text, signature.key_id, signature.content_sha256)


def signed_snapshot(signature: Signature, case: Case) -> dict | None:
    """The facts the signature stored, when its HMAC proves they are what was signed; None
    when it predates the signed-facts scope or its stored facts were altered."""
    snapshot = signature.signed_facts or {}
    if signature.content_scope != signed_facts.SCOPE or "facts" not in snapshot:
        return None
    covers = _covers(signature)
    hashes = signature.document_hashes or {}
    text = _facts_text(case.id, signature.case_version, hashes, covers, snapshot["facts"])
    if not integrity_keys.check(
        SIGNATURE_PURPOSE, text, signature.key_id, signature.content_sha256
    ):
        return None
    return snapshot["facts"]


def changed_facts(signature: Signature, case: Case) -> list[signed_facts.Change]:
    """The signed facts that differ between the signature and the case now; empty when the
    signed facts cannot be proven (then nobody can say what changed, only that something
    did)."""
    facts = signed_snapshot(signature, case)
    if facts is None:
        return []
    return signed_facts.changes(facts, facts_now(case, _covers(signature)))


def last_signed_facts(session: Session, case: Case) -> tuple[Signature, dict] | None:
    """The newest signature of the case, voided or not, with the facts it proves were signed;
    None when the case was never signed or that signature cannot prove its facts."""
    query = (
        select(Signature)
        .where(Signature.case_id == case.id)
        .order_by(Signature.signed_at.desc(), Signature.id.desc())
    )
    newest = session.scalars(query).first()
    if newest is None:
        return None
    facts = signed_snapshot(newest, case)
    return None if facts is None else (newest, facts)


def seal_intact(session: Session, signature: Signature) -> bool:
    """True when a signature still proves what was signed: its HMAC over the facts it stored
    and the digests of its signed files. For a signature kept for a claim already billed
    (superseded by an amended order), whose facts no longer match the case."""
    snapshot = signature.signed_facts or {}
    if signature.content_scope != signed_facts.SCOPE or "facts" not in snapshot:
        return False
    hashes = signature.document_hashes or {}
    text = _facts_text(
        signature.case_id, signature.case_version, hashes, _covers(signature), snapshot["facts"]
    )
    if not integrity_keys.check(
        SIGNATURE_PURPOSE, text, signature.key_id, signature.content_sha256
    ):
        return False
    files = _signed_files(session, hashes)
    for kind, entry in hashes.items():
        stored = files[kind]
        if stored is None or hashlib.sha256(stored.content).hexdigest() != entry["sha256"]:
            return False
    return True


def current_signature(session: Session, case_id: int) -> Signature | None:
    """The newest signature of the case that has not been voided nor superseded by an
    amended order (that one still covers the claim billed on it, not the case now); read once
    per unit of work (store/unit_memo.py)."""
    return unit_memo.remembered(
        session, ("current_signature", case_id), lambda: _read_current(session, case_id)
    )


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_STANDING = (
    select(Signature)
    .where(
        Signature.case_id == bindparam("case_id"),
        Signature.voided_at.is_(None),
        Signature.superseded_at.is_(None),
    )
    .order_by(Signature.signed_at.desc(), Signature.id.desc())
)
_DOCUMENTS = select(Document).where(Document.id.in_(bindparam("ids", expanding=True)))


def _read_current(session: Session, case_id: int) -> Signature | None:
    return session.scalars(_STANDING, {"case_id": case_id}).first()


def signatures(session: Session, case_id: int) -> list[Signature]:
    """Every signature of the case, newest first, voided ones included."""
    query = select(Signature).where(Signature.case_id == case_id)
    return list(session.scalars(query.order_by(Signature.id.desc())))


def _signed_files(session: Session, hashes: dict) -> dict:
    """Kind -> the stored file each signature entry covers (None when it is gone): a rendered
    PDF, or the scan of an order signed in ink. The PDFs are read in one query."""
    ids = [e["document_id"] for e in hashes.values() if "scan_id" not in e and "document_id" in e]
    found = session.scalars(_DOCUMENTS, {"ids": ids}) if ids else ()
    documents = {document.id: document for document in found}
    return {
        kind: session.get(SignatureScan, entry["scan_id"])
        if "scan_id" in entry
        else documents.get(entry.get("document_id"))
        for kind, entry in hashes.items()
    }


def check_signature(session: Session, case: Case) -> SignatureCheck:
    """Recompute the signed content's hash and the PDFs' digests now (RET-2: catches raw SQL),
    once per unit of work: the page's parts that ask again get the same answer
    (store/unit_memo.py; it is worked out afresh after any write or a new transaction)."""
    return unit_memo.remembered(
        session, ("check_signature", case.id), lambda: _check(session, case)
    )


def _check(session: Session, case: Case) -> SignatureCheck:
    signature = current_signature(session, case.id)
    if signature is None:
        return SignatureCheck(None, False, "Not signed yet.")
    if not still_covers(signature, case):
        return SignatureCheck(
            signature, False, "The case no longer matches what was signed; it must be re-signed."
        )
    files = _signed_files(session, signature.document_hashes)
    for kind, entry in signature.document_hashes.items():
        document = files[kind]
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
        # Keyed in its own scope: it was signed over the whole case document.
        signature.key_id, signature.content_sha256 = integrity_keys.sign(
            SIGNATURE_PURPOSE, _legacy_text(case, signature.case_version, hashes)
        )
        signature.content_scope = signed_facts.LEGACY_SCOPE
        rekeyed += 1
    session.commit()
    return rekeyed
