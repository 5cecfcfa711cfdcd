"""Rendering and serving a case's documents (LMN, SWO, instructions, packet) as stored PDFs.

A render stores a new version and a download serves a stored one; how versions are numbered,
superseded and checked against their SHA-256 before they leave is `services.document_store`
(docs/security.md PDF-4). The render itself runs before the write transaction opens, in a bounded
child process when the caller asks for it (PDF-3), so a slow layout never holds a database lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from dme_service.case.parse import FieldError
from dme_service.db import run_with_retry
from dme_service.models import DOCUMENT_KINDS, Case, ClaimRecord, Document, User, utcnow
from dme_service.services.clinic.clinic_time import local
from dme_service.services.clinic.printed import printed_clinic, printed_signature
from dme_service.services.document_freshness import (
    Freshness,
    current_of,
    freshness,
    freshness_with,
)
from dme_service.services.followed_order import as_followed, packet_plan
from dme_service.services.order_reason import order_reason
from dme_service.store import signed_content
from dme_service.store.cases import (
    CaseIncomplete,
    load_case,
    parsed_and_decided,
    trial_records,
)
from dme_service.store.documents import (
    # Re-exported: fetch raises it, and the views and tests catch it as documents.DocumentTampered
    # (their code is not this module's to change; only their imports follow a move).
    DocumentTampered,
    store_render,
    verified,
)
from dme_service.store.history import history_of

KIND_LABELS = {
    "lmn": "Letter of medical necessity",
    "swo": "Standard written order",
    "instructions": "Patient instructions",
    "packet": "Billing packet",
    "summary": "Coverage summary",
    "submission": "Submission packet",
    "abn": "Advance Beneficiary Notice",
}
# What each document is for, in a line the clinician and billing clerk read on the case page.
KIND_PURPOSES = {
    "lmn": "The treating practitioner's letter to the payer: why the home unit is needed, "
    "built from the recorded trial and findings.",
    "swo": "The order the supplier and the payer need: device, dose, quantity and length of "
    "need, for the practitioner's signature.",
    "instructions": "For the patient: setting up the unit, the dose in large type, when to "
    "stop, and a 14-day log. English or Spanish.",
    "packet": "Everything billing sends, in one PDF: cover sheet with the checklist, order, "
    "letter, trial note, instructions and a manifest of SHA-256 fingerprints.",
    "summary": "For the treating practitioner: what the payer requires, what is met and not, "
    "and the options. Printed for every decision; not a letter.",
    "submission": "What goes to the payer: order, letter, trial values and ABN, without the "
    "internal checklist, the decision JSON or the patient's instructions.",
    "abn": "Form CMS-R-131 for a Medicare or IBX Medicare Advantage claim billed with GA or GZ, "
    "pre-filled; the patient chooses an option and signs before delivery. English only: a "
    "Spanish-speaking patient gets CMS's official Spanish form.",
}
# Only the patient's instructions are printed in Spanish; the payer's papers are English, and
# so is the ABN (CMS's own Spanish form is the one to give; documents/abn.py).
LANGUAGES = {
    "lmn": ("en",),
    "swo": ("en",),
    "instructions": ("en", "es"),
    "packet": ("en",),
    "summary": ("en",),
    "submission": ("en",),
    "abn": ("en",),
}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
INSERT_ATTEMPTS = 3  # two renders racing for the same version number: the loser takes the next
MAKE_CURRENT_ATTEMPTS = 2  # a save during the render: made once more from the saved case


# A re-render of the SWO or LMN after signing would print the e-signature statement on a PDF
# the signature does not cover, and make the signed one "superseded". So while the
# signature stands, the signed versions are the current ones (docs/security.md RET-2).
SIGNED_KINDS = ("swo", "lmn")
SIGNED_STANDS = (
    "the {label} is signed: download the signed version; a new one is made only when a "
    "change to the case voids the signature and the practitioner signs again"
)


class DocumentNotFound(LookupError):
    """No such document (or kind) for this case in the caller's clinic (AC-2: 404)."""


class NoCurrentVersion(LookupError):
    """No stored version of the kind is made from the case and signature as they are now."""


class CaseNotReady(ValueError):
    """The case cannot be printed yet: its document fails the parser (a draft)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Version:
    """One stored version of a document, without its bytes (for lists)."""

    id: int
    case_id: int
    kind: str
    lang: str
    version: int
    sha256: str
    created_at: datetime
    superseded_at: datetime | None
    size: int
    # Made from the case and signature as they are now (services/document_freshness.py); a
    # version that is not superseded but made before a change is not current either.
    current: bool = True
    case_version: int | None = None

    @property
    def outdated(self) -> bool:
        """Not current although nothing newer was stored yet: made before the last change."""
        return not self.current and self.superseded_at is None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def filename(self) -> str:
        return filename(self.kind, self.id, self.current)


def filename(kind: str, document_id: int, current: bool = True) -> str:
    """The download name: kind and id only, never patient text (PDF-4); a version made before
    the case or its signature last changed says so."""
    return f"{kind}-{document_id}{'' if current else '-superseded'}.pdf"


def check_kind(kind: str, lang: str = "en") -> None:
    if kind not in DOCUMENT_KINDS:
        raise DocumentNotFound(f"unknown document kind {kind!r}")
    if lang not in LANGUAGES[kind]:
        raise CaseNotReady(
            [FieldError("lang", f"{KIND_LABELS[kind]} is printed in English only (en)")]
            if LANGUAGES[kind] == ("en",)
            else [FieldError("lang", "choose en (English) or es (Spanish)")]
        )


# --- rendering ---------------------------------------------------------------------------


def render_document(
    session: Session,
    user: User,
    case_id: int,
    kind: str,
    lang: str = "en",
    *,
    render: Callable | None = None,
    now: datetime | None = None,
) -> Document:
    """Render `kind` for the case and store it as a new version; returns the Document row.

    `render(kind, case, decision, **options)` defaults to the in-process renderer; the web
    layer passes the bounded one. Raises CaseNotFound, CaseNotReady (a draft, or facts that
    cannot make this document, e.g. a PRN order) or the renderer's timeout/failure; in every
    failure case nothing is written.
    """
    check_kind(kind, lang)
    parsed, decision, options, fresh = _inputs(session, user, case_id, lang, now)
    if kind == "instructions":  # the dose the patient follows: never one not signed yet
        case = load_case(session, user, case_id)
        parsed, followed = as_followed(session, case, parsed, user.clinic.timezone)
        options.update(followed)
    if kind in PACKET_KINDS:
        options["signed_pdfs"] = _signed_pdfs(session, fresh)
    if kind == "packet":  # the cover prints the claim's checklist as billing sees it
        options["checklist"] = fresh.checklist
        # its instructions part teaches what the patient follows, as the patient's copy does
        case = load_case(session, user, case_id)
        options["patient_plan"] = packet_plan(session, case, parsed, user.clinic.timezone)
    if kind in SIGNED_KINDS and options["signature"] is not None:
        session.rollback()
        raise CaseNotReady([FieldError("kind", SIGNED_STANDS.format(label=KIND_LABELS[kind]))])
    session.commit()  # end the read before the slow render: no lock is held meanwhile
    from dme_service.documents.types import DocumentRefused  # WeasyPrint: only when printing

    if render is None:
        from dme_service.documents.render import render
    try:
        rendered = render(kind, parsed, decision, **options)
    except DocumentRefused as refused:
        raise CaseNotReady([FieldError(refused.field, refused.message)]) from None
    pdf = _with_ink_scan(session, user, case_id, kind, rendered.pdf)
    for attempt in range(1, INSERT_ATTEMPTS + 1):
        try:
            return run_with_retry(
                session,
                lambda s: store_render(
                    s,
                    user,
                    case_id,
                    kind,
                    lang,
                    pdf,
                    case_version=fresh.case_version,
                    source_sha256=fresh.digest_for(kind),
                ),
            )
        except IntegrityError:
            session.rollback()
            if attempt == INSERT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


PACKET_KINDS = ("packet", "submission")


def _signed_pdfs(session: Session, fresh: Freshness) -> dict[str, bytes] | None:
    """The stored PDFs the standing electronic signature covers, by kind: a packet carries
    them unchanged, never a new layout of the order and letter (docs/security.md RET-2). Their
    bytes were checked against the signature's digests when the signature was read."""
    if not fresh.signed_ids:
        return None
    rows = session.scalars(select(Document).where(Document.id.in_(fresh.signed_ids)))
    return {row.kind: row.content for row in rows} or None


def _with_ink_scan(session: Session, user: User, case_id: int, kind: str, pdf: bytes) -> bytes:
    """A billing or submission packet of an order signed in ink carries the signed scan: the
    payer must see the signature itself, not our unsigned print."""
    if kind not in ("packet", "submission"):
        return pdf
    case = load_case(session, user, case_id)
    check = signed_content.check_signature(session, case)
    scan = check.signature.scan if check.valid and check.signature.method == "wet" else None
    session.commit()
    if scan is None:
        return pdf
    from dme_service.services.wet_signing import append_scan

    return append_scan(pdf, scan)


def refusals(session: Session, case: Case) -> dict[str, str]:
    """Kind -> the sentence saying why it is not printed for the case's decision now
    (documents/availability.py), for the case page to show beside each button; a draft that
    does not parse has none (its problems are shown when a render is asked for)."""
    from dme_service.documents import availability

    try:
        parsed, decision = parsed_and_decided(case)
    except CaseIncomplete:
        return {}
    found = availability.available(parsed, decision, reason=order_reason(session, case))
    return {kind: r.message for kind, r in found.items() if r and kind in DOCUMENT_KINDS}


def _inputs(session: Session, user: User, case_id: int, lang: str, now: datetime | None):
    """The parsed case, its decision, the render options (signature, clinic, time) and what
    the render is made from (recorded with it, so it reads as superseded after a change)."""
    case = load_case(session, user, case_id)
    try:
        parsed, decision = parsed_and_decided(case)
    except CaseIncomplete as incomplete:
        raise CaseNotReady(incomplete.errors) from None
    clinic = user.clinic
    check = signed_content.check_signature(session, case)
    options = {
        "lang": lang,
        # Dates and times print in the clinic's zone: the reader's day and clock, not the server's.
        "now": local(now or utcnow(), clinic.timezone),
        "signature": printed_signature(check, clinic.timezone),
        "clinic": printed_clinic(clinic),
        "reason": order_reason(session, case),
        "purchase_or_rental": purchase_or_rental(session, case),
        "case_number": case.id,
        "trial_records": trial_records(case),
        "history": history_of(case),
    }
    fresh = freshness_with(session, case, check.signature if check.valid else None)
    return parsed, decision, options, fresh


def purchase_or_rental(session: Session, case: Case) -> str:
    """The claim's NU/RR choice for the packet cover (NU until billing chooses)."""
    chosen = session.scalar(
        select(ClaimRecord.purchase_or_rental).where(ClaimRecord.case_id == case.id)
    )
    return chosen or "NU"


def signed_document_ids(session: Session, case: Case) -> frozenset[int]:
    """Ids of the stored PDFs the case's standing (not voided) signature covers."""
    signature = signed_content.current_signature(session, case.id)
    if signature is None:
        return frozenset()
    entries = (signature.document_hashes or {}).values()
    return frozenset(
        e["document_id"] for e in entries if isinstance(e, dict) and "document_id" in e
    )


# --- reading -------------------------------------------------------------------------------


def versions(session: Session, user: User, case_id: int) -> dict[str, list[Version]]:
    """Every stored version of the case's documents by kind, newest first (no bytes loaded)."""
    case = load_case(session, user, case_id)
    return versions_of(session, case)


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_VERSIONS = (
    select(Document, func.length(Document.content))
    .options(defer(Document.content))
    .where(Document.case_id == bindparam("case_id"))
    .order_by(Document.kind, Document.lang, Document.version.desc())
)


def versions_of(
    session: Session, case: Case, fresh: Freshness | None = None
) -> dict[str, list[Version]]:
    """As `versions`, for a case already loaded; `current` is worked out against the case and
    its signature as they are now."""
    fresh = fresh or freshness(session, case)
    found: dict[str, list[Version]] = {kind: [] for kind in DOCUMENT_KINDS}
    for row, size in session.execute(_VERSIONS, {"case_id": case.id}):
        found[row.kind].append(
            Version(
                row.id,
                row.case_id,
                row.kind,
                row.lang,
                row.version,
                row.sha256,
                row.created_at,
                row.superseded_at,
                int(size or 0),
                current=fresh.is_current(row),
                case_version=row.case_version,
            )
        )
    return found


def fetch(
    session: Session, user: User, case_id: int, document_id: int, *, action="document.download"
) -> Document:
    """A stored version whose bytes still hash to its SHA-256; the read is audited.

    A mismatch is audited (outcome `hash_mismatch`), committed, and raises DocumentTampered.
    """
    case = load_case(session, user, case_id)
    document = session.scalar(
        select(Document).where(Document.id == document_id, Document.case_id == case.id)
    )
    if document is None:
        raise DocumentNotFound(document_id)
    return verified(session, user, case, document, action)


def current_document(
    session: Session,
    user: User,
    case_id: int,
    kind: str,
    lang: str = "en",
    *,
    render: Callable | None = None,
) -> Document:
    """The version of `kind` made from the case and signature as they are now, verified and
    audited; made (and stored) first when none is, so a stale document never leaves under the
    name "current". The signed SWO and LMN are what was signed and are never made again.
    Storing a version changes state: callers are POST views only (docs/security.md OUT-3).

    A case saved while the new one was being made leaves it made from the older state: it is
    made again, once; should the case move again meanwhile, the second is sent (made from the
    case as it was when it was asked for, not before).

    Raises what `render_document` raises when a new one must be made and cannot be.
    """
    check_kind(kind, lang)
    case = load_case(session, user, case_id)
    found = current_of(session, case, kind, lang, freshness(session, case))
    for _ in range(MAKE_CURRENT_ATTEMPTS):
        if found is not None:
            break
        session.commit()  # no read transaction is held through the render
        made = render_document(session, user, case_id, kind, lang, render=render)
        case = load_case(session, user, case_id)
        found = current_of(session, case, kind, lang, freshness(session, case))
    if found is None:
        found = session.get(Document, made.id)
    return verified(session, user, case, found, "document.download")


def stored_current(
    session: Session, user: User, case_id: int, kind: str, lang: str = "en"
) -> Document:
    """The stored version of `kind` made from the case and signature as they are now, verified
    and audited; never a render. Making a version changes what is stored, so only a POST
    (`current_document`) may do it: a link followed from another site, a prefetch or a crawler
    makes nothing (docs/security.md OUT-3). Raises NoCurrentVersion when none is stored (an
    older one is never sent in its place).
    """
    check_kind(kind, lang)
    case = load_case(session, user, case_id)
    found = current_of(session, case, kind, lang, freshness(session, case))
    if found is None:
        session.commit()  # end the read: nothing was sent, nothing to audit
        raise NoCurrentVersion(kind)
    return verified(session, user, case, found, "document.download")


def is_current(session: Session, user: User, case_id: int, document: Document) -> bool:
    """Whether a stored version is made from the case and signature as they are now."""
    case = load_case(session, user, case_id)
    return freshness(session, case).is_current(document)


__all__ = [
    "CaseNotReady",
    "DocumentNotFound",
    "DocumentTampered",
    "NoCurrentVersion",
    "Version",
    "current_document",
    "fetch",
    "render_document",
    "stored_current",
    "versions",
    "versions_of",
]
