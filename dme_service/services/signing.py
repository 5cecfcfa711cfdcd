"""The treating practitioner's electronic signature over the SWO and the LMN.

Signing renders both documents with the signature statement, stores them as new Document
versions with their SHA-256, and records who signed, when, with which credential and NPI, and
the SHA-256 of the canonical signed content (docs/security.md RET-2). This module decides, renders
and locks; `services.signature_store` writes the rows. Any later change to that content voids
the signature: `on_case_changed` (called by every case save) and
`check_signature` (recomputes the hash on every read, so an edit that bypassed the ORM shows).
Who may sign: an MD, DO, DPM, PA, NP or CNS with a valid NPI (42 CFR 410.38(c)(2)), and only
the treating practitioner named on the order (PIM 100-08 ch. 5 §5.2.3).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from dme_service.case import parse as case_format
from dme_service.coding import codes
from dme_service.models import SIGNING_CREDENTIALS, Case, Signature, User, utcnow
from dme_service.services.clinic.clinic_time import local
from dme_service.services.order_reason import order_reason
from dme_service.store import signatures as signature_store
from dme_service.store.cases import to_document
from dme_service.store.signed_content import (  # noqa: F401 (part of this module's API)
    SignatureCheck,
    canonical_sha256,
    case_content_sha256,
    check_signature,
    current_signature,
    signatures,
    signed_content_mac,
    signed_content_sha256,
)

SIGNED_KINDS = ("swo", "lmn")
# Decisions that go to the practitioner by themselves, and those that go only when a person
# chooses to send them (with a reason: an ABN on file, a patient who pays, a claim for a
# denial the secondary payer needs). Incomplete and contraindicated cases never go.
ROUTED_STATUSES = ("eligible",)
CHOSEN_STATUSES = ("not_eligible", "not_covered")
WHO_MAY_SIGN = (
    "Only the treating practitioner named on the order can sign it, and only with a signing "
    "credential (MD, DO, DPM, PA, NP or CNS) and a valid NPI on their account."
)


class SigningError(Exception):
    """A refusal with words for people; `status` is the HTTP status a view answers with."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(SigningError):
    status = 404

    def __init__(self, case_id: int) -> None:
        super().__init__(f"There is no case {case_id} in your clinic.")


class NotAllowedToSign(SigningError):
    status = 403


class CannotSign(SigningError):
    status = 409


class RenderTooSlow(SigningError):
    """The bounded render of the signed documents was stopped (PDF-3); nothing was signed."""

    status = 503


class StaleCase(SigningError):
    """The case moved on since the user loaded it (DB-3); carries its current state."""

    status = 409

    def __init__(self, case: Case) -> None:
        super().__init__(
            f"Case {case.id} changed while you were looking at it: it is now "
            f"{case.billing_state.replace('_', ' ')} (version {case.version})."
        )
        self.case_id = case.id
        self.current_state = case.billing_state
        self.current_version = case.version


# --- reading ------------------------------------------------------------------------------


def load_case(session: Session, case_id: int, user: User, *, for_update: bool = False) -> Case:
    """The case of the user's clinic (another clinic's id does not exist here: AC-2); for an
    outside practitioner only a case naming them exists (issue 13)."""
    query = select(Case).where(Case.id == case_id, Case.clinic_id == user.clinic_id)
    if user.outside:
        query = query.where(Case.treating_practitioner_id == user.id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    case = session.scalars(query).first()
    if case is None:
        raise CaseNotFound(case_id)
    return case


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
    holds it but its signature no longer matches (changed outside the application).
    """
    query = (
        select(Case)
        .where(
            Case.clinic_id == user.clinic_id,
            Case.treating_practitioner_id == user.id,
            Case.billing_state.in_(("awaiting_signature", "ready_to_submit")),
        )
        .order_by(Case.updated_at.asc(), Case.id.asc())
        .limit(limit)
    )
    return [case for case in session.scalars(query) if not check_signature(session, case).valid]


def case_and_decision(case: Case):
    """The case parsed from its rows and the engine's decision; CannotSign if it does not parse."""
    from dme_service.rules.engine import evaluate

    try:
        parsed = case_format.parse(to_document(case))
    except case_format.CaseFormatError as error:
        first = error.errors[0]
        raise CannotSign(
            f"The case is not complete enough to sign: {first.field}: {first.message}"
        ) from None
    return parsed, evaluate(parsed)


# --- signing ------------------------------------------------------------------------------


def check_signable(session: Session, case: Case, user: User) -> None:
    """Raise NotAllowedToSign or CannotSign when this user cannot sign this case now."""
    problem = signer_problem(case, user)
    if problem:
        raise NotAllowedToSign(problem)
    if case.billing_state != "awaiting_signature":
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
    process with a wall clock and a memory ceiling; pen test M1: a 60 KB name made the
    in-process render time the worker out on every attempt).
    """
    from dme_service.db import run_with_retry

    now = now or utcnow()
    case = load_case(session, case_id, signer)
    check_signable(session, case, signer)
    if case.version != expected_version:
        raise StaleCase(case)
    inputs = _signed_inputs(case, signer, now)
    session.rollback()  # end the read transaction before the render
    rendered = _render_signed(inputs, render)
    try:
        return run_with_retry(
            session, lambda s: _record(s, case_id, signer, expected_version, rendered, now)
        )
    except Exception:
        session.rollback()
        raise


def _signed_inputs(case: Case, signer: User, now: datetime) -> dict:
    """What the signed SWO and LMN are rendered from, read while the case is loaded."""
    from dme_service.documents.wording import Signature as SignatureLine

    parsed, decision = case_and_decision(case)
    clinic, zone = _clinic_line(case)
    # The order date is the clinic's day: signed at 7 pm in Chicago is that day, not the next
    # UTC day (issue 13); the stored Signature keeps UTC.
    there = local(now, zone)
    line = SignatureLine(signer.name, signer.credential, signer.npi, there)
    return {
        "case": parsed,
        "decision": decision,
        "signature": line,
        "now": there,
        "clinic": clinic,
        "reason": order_reason(object_session(case), case),
        # An order against the payer's criteria has no letter of medical necessity (issue 16).
        "kinds": SIGNED_KINDS if decision.status == "eligible" else ("swo",),
    }


def _render_signed(inputs: dict, render=None) -> dict:
    """The signed documents (SWO, and the LMN when eligible) with the signature statement."""
    from dme_service.documents.renderer import DocumentRefused
    from dme_service.documents.renderer import render as render_here

    render = render or render_here
    options = {key: inputs[key] for key in ("signature", "now", "clinic", "reason")}
    try:
        return {
            kind: render(kind, inputs["case"], inputs["decision"], **options)
            for kind in inputs["kinds"]
        }
    except DocumentRefused as refused:
        raise CannotSign(f"The order cannot be signed as written: {refused.message}.") from None


def _clinic_line(case: Case):
    """The clinic printed on the letterhead of the signed documents, and its time zone."""
    from dme_service.documents.wording import Clinic as ClinicLine
    from dme_service.models import Clinic

    clinic = object_session(case).get(Clinic, case.clinic_id)
    return ClinicLine(clinic.name, clinic.phone, clinic.address), clinic.timezone


def _record(session, case_id, signer, version, rendered, now) -> Signature:
    """Lock the case, check again that nothing moved since the render, and store the rows."""
    case = load_case(session, case_id, signer, for_update=True)
    if case.version != version:
        raise StaleCase(case)
    check_signable(session, case, signer)
    return signature_store.store_signature(session, case, signer, version, rendered, now)


# --- after a case changes -----------------------------------------------------------------


def on_case_changed(session: Session, case: Case, user: User) -> Signature | None:
    """Call after every save of a case, in the save's transaction (the caller commits).

    A signature whose content no longer matches is voided, its documents superseded, and the
    case goes back for signature; an eligible draft goes to its practitioner; a case awaiting
    signature whose decision became incomplete goes back to draft. Returns the voided
    signature, if any.
    """
    from dme_service.services.billing import claim as billing

    session.flush()
    session.expire(case)  # read the saved rows, not what the caller's objects remember
    voided = None
    signature = current_signature(session, case.id)
    if signature is not None and not check_signature(session, case).valid:
        signature_store.void(session, case, signature, user, "the case was changed after signing")
        voided = signature
        if case.billing_state == "ready_to_submit":
            billing.record_move(
                session, case, "awaiting_signature", user, note="Changed after signing."
            )
    billing.route_for_signature(session, case, user)
    return voided
