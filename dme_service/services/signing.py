"""The treating practitioner's electronic signature over the SWO and the LMN.

Signing renders both documents with the signature statement, stores them as new Document
versions with their SHA-256, and records who signed, when, with which credential and NPI, and
the SHA-256 of the canonical signed content (docs/security.md RET-2). This module decides, renders
and locks; `store.signatures` writes the rows. Any later change to that content voids
the signature: `services.after_save.case_changed` (called by every case save) and
`check_signature` (recomputes the hash on every read, so an edit that bypassed the ORM shows).
Who may sign: an MD, DO, DPM, PA, NP or CNS with a valid NPI (42 CFR 410.38(c)(2)), and only
the treating practitioner named on the order (PIM 100-08 ch. 5 §5.2.3).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from dme_service import audit
from dme_service.coding import codes
from dme_service.db import unit_of_work
from dme_service.models import SIGNING_CREDENTIALS, Case, Document, Signature, User, utcnow
from dme_service.rules.claim import CHOSEN_STATUSES, ROUTED_STATUSES
from dme_service.services.billing.readiness import prescription_saved
from dme_service.services.clinic.clinic_time import local
from dme_service.services.errors import Refusal, StaleCase
from dme_service.services.order_reason import order_reason
from dme_service.store import claim_moves
from dme_service.store import signatures as signature_store
from dme_service.store.cases import (
    CaseIncomplete,
    CaseNotFound,
    load_case,
    parsed_and_decided,
    trial_records,
)
from dme_service.store.documents import verified
from dme_service.store.history import history_of
from dme_service.store.signed_content import check_signature

SIGNED_KINDS = ("swo", "lmn")
SIGNED_NOTE = "Signed by the practitioner; billing reviews the claim."
# A signed claim whose signature stopped matching outside the application is signed again.
SIGNABLE_STATES = ("awaiting_signature", "signed")
WHO_MAY_SIGN = (
    "Only the treating practitioner named on the order can sign it, and only with a signing "
    "credential (MD, DO, DPM, PA, NP or CNS) and a valid NPI on their account."
)


class SigningError(Refusal):
    """A refusal to sign, with words for people."""


class NotAllowedToSign(SigningError):
    status = 403


class CannotSign(SigningError):
    status = 409


class RenderTooSlow(SigningError):
    """The bounded render of the signed documents was stopped (PDF-3); nothing was signed."""

    status = 503


# --- reading ------------------------------------------------------------------------------


def signer_problem(case: Case, user: User) -> str | None:
    """Why this user may not sign this case's order, in words; None when they may."""
    if user.credential not in SIGNING_CREDENTIALS:
        held = user.credential or "no credential"
        return f"Your account has {held}, which may not sign a DME order. {WHO_MAY_SIGN}"
    if not user.npi or not codes.npi_is_valid(user.npi):
        return f"Your account has no valid NPI. {WHO_MAY_SIGN}"
    if case.treating_practitioner_id != user.id:
        named = case.treating_practitioner.name if case.treating_practitioner else "nobody yet"
        return (
            f"This order names {named} as the treating practitioner, so only they can sign it. "
            "If you are now treating this patient, the clinician changes the order first."
        )
    return None


def awaiting_signature(session: Session, user: User, limit: int = 100) -> list[Case]:
    """The user's "Awaiting my signature" list: cases naming them whose signature is due.

    A case waits when it is awaiting signature without a valid signature, or when billing
    holds it but its signature no longer matches (changed outside the application). One whose
    home prescription was never saved orders nothing yet, so it does not wait on anyone.
    """
    query = (
        select(Case)
        .where(
            Case.clinic_id == user.clinic_id,
            Case.treating_practitioner_id == user.id,
            Case.billing_state.in_(("awaiting_signature", "signed", "ready_to_submit")),
        )
        .order_by(Case.updated_at.asc(), Case.id.asc())
        .limit(limit)
    )
    return [
        case
        for case in session.scalars(query)
        if prescription_saved(case) and not check_signature(session, case).valid
    ]


def case_and_decision(case: Case):
    """The case parsed from its rows and the engine's decision; CannotSign if it does not parse."""
    try:
        return parsed_and_decided(case)
    except CaseIncomplete as incomplete:
        raise CannotSign(f"The case is not complete enough to sign: {incomplete.first}") from None


# --- signing ------------------------------------------------------------------------------


def check_signable(session: Session, case: Case, user: User) -> None:
    """Raise NotAllowedToSign or CannotSign when this user cannot sign this case now."""
    problem = signer_problem(case, user)
    if problem:
        raise NotAllowedToSign(problem)
    if case.billing_state not in SIGNABLE_STATES:
        raise CannotSign(
            f"This case is {case.billing_state.replace('_', ' ')}, not awaiting signature."
        )
    if check_signature(session, case).valid:
        raise CannotSign("This case is already signed; a change to it would ask for a new one.")
    if case.status not in ROUTED_STATUSES + CHOSEN_STATUSES:
        raise CannotSign(
            f"The coverage decision is {case.status.replace('_', ' ')}: the case cannot be "
            "signed until the clinician completes it."
        )


def sign(
    session: Session,
    case_id: int,
    signer: User,
    *,
    expected_version: int,
    now: datetime | None = None,
    render=None,
) -> Signature:
    """Sign the case as `signer` (whose password the caller has just checked: AUTH-6).

    Renders first, outside any transaction (a render takes ~0.5 s; SQLite's BEGIN IMMEDIATE
    would hold the write lock meanwhile), then locks the case, checks that nothing moved in the
    meantime, and stores documents, signature and audit rows as one unit. `render` is
    `documents.renderer.render` by default; the web passes the bounded render (PDF-3: a child
    process with a wall clock and a memory ceiling: a huge field rendered in the worker
    would time the worker out on every attempt).
    """
    from dme_service.db import run_with_retry

    now = now or utcnow()
    case = load_case(session, signer, case_id)
    check_signable(session, case, signer)
    if case.version != expected_version:
        raise StaleCase(case)
    inputs = _signed_inputs(case, signer, now)
    session.rollback()  # end the read transaction before the render
    rendered = _render_signed(inputs, render)
    return run_with_retry(
        session, lambda s: _record(s, case_id, signer, expected_version, rendered, now)
    )


def history_sentences(case: Case) -> list[str]:
    """The clinical history as the letter states it (documents/history_letter.py), for the
    practitioner to read before signing; empty when none is recorded."""
    from dme_service.documents import history_letter

    history = history_of(case)
    return history_letter.finding_sentences(history) + history_letter.prior_treatment_sentences(
        history
    )


def _signed_inputs(case: Case, signer: User, now: datetime) -> dict:
    """What the signed SWO and LMN are rendered from, read while the case is loaded."""
    from dme_service.documents.wording import Signature as SignatureLine

    parsed, decision = case_and_decision(case)
    clinic, zone = _clinic_line(case)
    # The order date is the clinic's day: signed at 7 pm in Chicago is that day, not the next
    # UTC day; the stored Signature keeps UTC.
    there = local(now, zone)
    line = SignatureLine(signer.name, signer.credential, signer.npi, there)
    return {
        "case": parsed,
        "decision": decision,
        "signature": line,
        "now": there,
        "clinic": clinic,
        "reason": order_reason(object_session(case), case),
        "case_number": case.id,
        "history": history_of(case),  # the letter states it (documents/history_letter.py)
        # The letter names the therapist who ran each trial, as every other render of it does.
        "trial_records": trial_records(case),
        # An order against the payer's criteria has no letter of medical necessity.
        "kinds": SIGNED_KINDS if decision.status == "eligible" else ("swo",),
    }


def _render_signed(inputs: dict, render=None) -> dict:
    """The signed documents (SWO, and the LMN when eligible) with the signature statement."""
    from dme_service.documents.render import render as render_here
    from dme_service.documents.types import DocumentRefused

    render = render or render_here
    keys = ("signature", "now", "clinic", "reason", "case_number", "history", "trial_records")
    options = {key: inputs[key] for key in keys}
    try:
        return {
            kind: render(kind, inputs["case"], inputs["decision"], **options)
            for kind in inputs["kinds"]
        }
    except DocumentRefused as refused:
        raise CannotSign(f"The order cannot be signed as written: {refused.message}.") from None


def _clinic_line(case: Case):
    """The clinic printed on the letterhead of the signed documents, and its time zone."""
    from dme_service.models import Clinic
    from dme_service.services.clinic.printed import printed_clinic

    clinic = object_session(case).get(Clinic, case.clinic_id)
    return printed_clinic(clinic), clinic.timezone


def _record(session, case_id, signer, version, rendered, now) -> Signature:
    """Lock the case, check again that nothing moved since the render, and store the rows."""
    case = load_case(session, signer, case_id, for_update=True)
    if case.version != version:
        raise StaleCase(case)
    check_signable(session, case, signer)
    signature = signature_store.store_signature(session, case, signer, version, rendered, now)
    claim_signed(session, case, signer)
    return signature


def claim_signed(session: Session, case: Case, user: User) -> None:
    """The claim says the order is signed and waits for billing's review (a case already
    past "awaiting signature", re-signed after a change made outside the application, stays
    where it is)."""
    if case.billing_state == "awaiting_signature":
        claim_moves.write_move(session, case, "signed", user, note=SIGNED_NOTE)


# --- reading the signed documents -----------------------------------------------------------


class SignedDocumentNotFound(LookupError):
    """No signed SWO or LMN with this id in the user's clinic (AC-2)."""


def signed_documents(session: Session, case_id: int) -> list[Document]:
    """Every stored SWO and LMN of the case, current and superseded, newest version first."""
    query = select(Document).where(Document.case_id == case_id, Document.kind.in_(SIGNED_KINDS))
    return list(session.scalars(query.order_by(Document.kind, Document.version.desc())))


def signed_document(session: Session, user: User, document_id: int) -> tuple[Document, Case]:
    """A signed (or superseded) SWO or LMN once its bytes match their SHA-256 (PDF-4), the
    download audited and committed; DocumentTampered (audited too) when they do not."""
    row = session.get(Document, document_id)
    if row is None or row.kind not in SIGNED_KINDS:
        raise SignedDocumentNotFound(document_id)
    try:
        case = load_case(session, user, row.case_id)
    except CaseNotFound:
        raise SignedDocumentNotFound(document_id) from None
    return verified(session, user, case, row, "document.download"), case


def page_read(session: Session, user: User, case: Case, action: str) -> None:
    """Audit a read of the signing pages (they show the patient and the order: LOG-1)."""
    with unit_of_work(session):
        audit.case_event(session, user, action, case)
