"""The claim as a state machine: every move checked, locked, versioned, recorded and audited.

    draft -> awaiting_signature -> signed -> ready_to_submit -> submitted -> paid | denied
    denied -> resubmitted | appealed | closed;  resubmitted | appealed -> paid | denied | closed

A move happens under a row lock (`with_for_update`) after a version check, so of two people
moving the same case at once exactly one succeeds and the other gets StaleCase (409) with the
new state (docs/security.md DB-3). Only billing and admin move claim states (AC-3); sending a case
to its practitioner for signature is the clinical team's move. "Ready to submit" and every
(re)submission need the readiness checklist complete; "paid" needs proof of delivery.
The API (web/api/views.py) and the billing pages both call `transition`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import printable, run_with_retry
from dme_service.models import BillingEvent, Case, ChecklistReview, User
from dme_service.rules.claim import (
    CHOSEN_STATUSES,
    ROUTED_STATUSES,
    SIGNED_STATES,
    STATE_WORDS,
    SUBMISSIONS,
    TRANSITIONS,
    is_legal,
)
from dme_service.rules.readiness import ReadinessItem, unmet
from dme_service.services.billing import delivered_units, readiness
from dme_service.services.billing import records as claim_records
from dme_service.services.billing.input import (
    NOTE_MAX,
    FieldProblem,
    adjustment_codes,
    move_problems,
    read_delivery,
)
from dme_service.services.clinic import clinic_time
from dme_service.services.errors import Refusal, StaleCase
from dme_service.services.mail import notices
from dme_service.services.mail.outbox import Mail
from dme_service.services.order_reason import AUTOMATIC_NOTE
from dme_service.store import claim_moves, order_returns
from dme_service.store.cases import load_case
from dme_service.store.signed_content import case_content_sha256

CLINICAL_TEAM = frozenset({"clinician", "practitioner", "admin"})
CLAIM_TEAM = frozenset({"billing", "admin"})
# The moves that send the claim to the payer: each needs the date of service the claim's line
# carries (an appeal answers a claim already sent with its date).
DATED_MOVES = ("ready_to_submit", "submitted", "resubmitted")


class BillingError(Refusal):
    """A refused move; `status` is the HTTP status the API and the pages answer with."""


class IllegalTransition(BillingError):
    status = 409

    def __init__(self, from_state: str, to_state: str) -> None:
        allowed = TRANSITIONS.get(from_state, ())
        options = ", ".join(STATE_WORDS[s] for s in allowed) or (
            "signed once the practitioner signs"
            if from_state == "awaiting_signature"
            else "nothing (it is final)"
        )
        super().__init__(
            f"A claim that is {STATE_WORDS.get(from_state, from_state)} cannot become "
            f"{STATE_WORDS.get(to_state, to_state)}; it can become {options}."
        )
        self.from_state = from_state
        self.to_state = to_state


class NotPermitted(BillingError):
    status = 403


class NotReady(BillingError):
    """The readiness checklist is not complete; `missing` holds the unmet items, in words."""

    status = 409

    def __init__(self, missing: list[ReadinessItem]) -> None:
        words = "; ".join(f"{item.label}: {item.detail}" for item in missing)
        super().__init__(f"Not ready: {words}")
        self.missing = missing


class InvalidInput(BillingError):
    """Input that cannot be used (422 with `{"errors": [{"field", "message"}]}`)."""

    status = 422

    def __init__(self, errors: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


# --- the move -----------------------------------------------------------------------------


def transition(
    session: Session,
    case_id: int,
    to_state: str,
    user: User,
    *,
    expected_version: int,
    carc=(),
    rarc=(),
    note: str | None = None,
    delivery: dict[str, Any] | None = None,
    service_date: date | None = None,
    mail: Mail | None = None,
) -> BillingEvent:
    """Move the case's claim to `to_state` as `user`; commits, or raises and changes nothing.

    `service_date`, typed with a move that sends the claim, is stored as the claim's date of
    service (as the claim details save it). A proof of delivery carries the unit into the
    patient's later open cases; with `mail`, the practitioner who signed each of them is told
    after the commit. Raises CaseNotFound (404), NotPermitted (403),
    InvalidInput (422), StaleCase, IllegalTransition or NotReady (409).
    """
    carc, rarc = adjustment_codes(carc), adjustment_codes(rarc)
    zone = user.clinic.timezone if user.clinic is not None else None
    today = clinic_time.today(zone)
    delivery, problems = read_delivery(delivery, today=today)
    _refuse(problems)  # on its own and first, so a bad delivery reports only its own fields
    _refuse(move_problems(to_state, carc, rarc, note))
    _refuse(service_date_problems(to_state, service_date, today))
    signed: list[tuple[int, User]] = []  # later cases given the unit, and who signed each

    def move(s: Session) -> BillingEvent:
        signed.clear()  # a retried move carries afresh
        return _move(
            s, case_id, to_state, user, expected_version, carc, rarc, note, delivery, service_date,
            signed,
        )  # fmt: skip

    event = run_with_retry(session, move)
    if mail is not None:
        # After the commit: a mail that cannot go is logged and never undoes the move.
        for later_id, signer in signed:
            notices.unit_carried(
                session, later_id, signer, base_url=mail.base_url, settings=mail.settings
            )
    return event


def _refuse(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInput(problems)


def _move(s, case_id, to_state, user, expected_version, carc, rarc, note, delivery, served, signed):
    case = load_case(s, user, case_id, for_update=True)
    if case.version != expected_version:
        raise StaleCase(case)
    check_move(case.billing_state, to_state, user.role)
    check_ready(s, case, to_state, note, delivery)
    if to_state in DATED_MOVES:
        record = claim_records.claim_record(s, case)
        record.service_date = served or record.service_date
        check_date_of_service(s, case, record, delivery)
    event = record_move(s, case, to_state, user, carc=carc, rarc=rarc, note=note, delivery=delivery)
    if delivery is not None:
        delivered = date.fromisoformat(delivery["date"])
        signed.extend(_carry_delivered_unit(s, case, user, delivered))
    return event


def _carry_delivered_unit(
    session: Session, case: Case, user: User, delivered: date
) -> list[tuple[int, User]]:
    """The delivered unit becomes a prior device of the patient's later open cases
    (services.billing.delivered_units); each claim then follows its case as a save's would.
    Returns the later cases that had a signature, with who signed each."""
    zone = user.clinic.timezone if user.clinic is not None else None
    today = clinic_time.today(zone)
    signed = []
    for carried in delivered_units.carry_into_later_cases(session, user, case, delivered, today):
        later = carried.case
        if carried.signer is not None:
            signed.append((later.id, carried.signer))
        if carried.voided and later.billing_state in SIGNED_STATES:
            note = f"Signature voided: {delivered_units.VOID_REASON.format(source=case.id)}."
            record_move(session, later, "awaiting_signature", user, note=note)
        route_for_signature(session, later, user)
    return signed


def service_date_problems(to_state: str, served: date | None, today: date) -> list[FieldProblem]:
    """A date of service typed with a move: only with a move that sends the claim, never
    after the clinic's today."""
    if served is None:
        return []
    if to_state not in DATED_MOVES:
        return [FieldProblem("service_date", "The date of service goes with sending the claim.")]
    if served > today:
        return [FieldProblem("service_date", "The date of service is in the future.")]
    return []


def check_date_of_service(s: Session, case: Case, record, delivery: dict | None) -> None:
    """InvalidInput naming the date of service when the claim has none: the 837P cannot carry
    a line without it, and the charge is the fee table's on that day (services.billing.money).
    The date typed in the claim details wins; else the delivery date of the proof of delivery."""
    if record.service_date or delivery or readiness.recorded_delivery(s, case.id):
        return
    raise InvalidInput(
        [
            FieldProblem(
                "service_date",
                "Give the date of service (the day the unit was delivered): a claim cannot "
                "be sent without it, and its charge is the fee on that day.",
            )
        ]
    )


def check_move(from_state: str, to_state: str, role: str) -> None:
    """IllegalTransition for an edge not in TRANSITIONS; NotPermitted for the wrong role."""
    if to_state not in TRANSITIONS.get(from_state, ()):
        raise IllegalTransition(from_state, to_state)
    team = CLINICAL_TEAM if to_state == "awaiting_signature" else CLAIM_TEAM
    if role not in team:
        who = "the clinical team" if team is CLINICAL_TEAM else "billing staff"
        raise NotPermitted(f"Only {who} can make a claim {STATE_WORDS[to_state]}.")


def check_ready(s: Session, case: Case, to_state: str, note, delivery) -> None:
    """NotReady with what is missing, in words, when the case may not enter `to_state`."""
    if to_state == "awaiting_signature":
        missing = readiness.signature_route_problems(case, chosen=bool(note))
    elif to_state in SUBMISSIONS:
        missing = unmet(readiness.checklist(s, case), "submission")
    elif to_state == "paid" and delivery is None:
        missing = unmet(readiness.checklist(s, case), "payment")
    else:
        missing = []
    if missing:
        raise NotReady(missing)


def record_move(
    session: Session,
    case: Case,
    to_state: str,
    user: User,
    *,
    carc=(),
    rarc=(),
    note: str | None = None,
    delivery: dict | None = None,
) -> BillingEvent:
    """Write the move: state, BillingEvent and audit row, in the caller's transaction.

    Every move is an edge a person may take (checked by `check_move`) or one of the moves the
    application makes by itself (`SYSTEM_MOVES`); anything else is a bug, refused here.
    """
    if not is_legal(case.billing_state, to_state):
        raise IllegalTransition(case.billing_state, to_state)
    if to_state == "awaiting_signature":
        order_returns.close(session, case, user)  # sent again: the practitioner's note is answered
    return claim_moves.write_move(
        session, case, to_state, user, carc=carc, rarc=rarc, note=note, delivery=delivery
    )


def record_moves(session: Session, user: User, moves) -> list[BillingEvent]:
    """Write many moves at once (an 835 posting): `moves` holds (case, to_state, carc, rarc,
    note). Same rows as `record_move`, one flush and one chained audit append for all of them;
    the caller has checked each move and commits."""
    events = []
    for case, to_state, carc, rarc, note in moves:
        events.append(
            BillingEvent(
                case_id=case.id,
                from_state=case.billing_state,
                to_state=to_state,
                user_id=user.id,
                carc_codes=list(carc),
                rarc_codes=list(rarc),
                note=note,
            )
        )
        case.billing_state = to_state
        case.updated_by_id = user.id
    session.add_all(events)
    session.flush()
    for to_state in sorted({move[1] for move in moves}):
        audit.record_many(
            session,
            user=user,
            action=f"billing.{to_state}",
            object_type="case",
            objects=[(case.id, case.patient_id) for case, state, *_ in moves if state == to_state],
        )
    return events


def route_for_signature(session: Session, case: Case, user: User) -> None:
    """After a save: an eligible draft goes to its practitioner, an incomplete one (or one
    without a saved home prescription) comes back."""
    if case.billing_state == "draft" and not readiness.signature_route_problems(case):
        record_move(session, case, "awaiting_signature", user, note=AUTOMATIC_NOTE)
    elif case.billing_state == "awaiting_signature" and case.status not in (
        ROUTED_STATUSES + CHOSEN_STATUSES
    ):
        record_move(session, case, "draft", user, note="The decision is no longer complete.")
    elif case.billing_state == "awaiting_signature" and not readiness.prescription_saved(case):
        record_move(session, case, "draft", user, note="The home prescription is not saved.")


# --- reviews ------------------------------------------------------------------------------


def review(
    session: Session, case_id: int, item: str, user: User, *, note: str | None = None
) -> ChecklistReview:
    """Record that billing reviewed a checklist item that needs a person; commits."""
    if item not in readiness.REVIEWABLE:
        raise InvalidInput([FieldProblem("item", "This checklist item is not reviewed by hand.")])
    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff record checklist reviews.")
    note = (note or "").strip()
    if not note or len(note) > NOTE_MAX or not printable(note):
        raise InvalidInput([FieldProblem("note", "Say what you checked and what you found.")])
    case = load_case(session, user, case_id, for_update=True)
    entry = ChecklistReview(
        case_id=case.id,
        item=item,
        content_sha256=case_content_sha256(case),
        user_id=user.id,
        note=note,
    )
    session.add(entry)
    session.flush()
    audit.case_event(session, user, f"billing.review.{item}", case)
    session.commit()
    return entry


def history(session: Session, case_id: int) -> list[BillingEvent]:
    """The case's billing events, oldest first."""
    query = select(BillingEvent).where(BillingEvent.case_id == case_id)
    return list(session.scalars(query.order_by(BillingEvent.at, BillingEvent.id)))
