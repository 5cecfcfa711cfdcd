"""What billing reads: the queue with each case's missing items, and one claim (the denial
report is services/billing/denials.py, the CSV queue_csv.py, what the rows carry beside the
case queue_rows.py). Minimum necessary (docs/security.md AC-3): identifiers, codes, documents and
the checklist, never the clinical free text (`Case.notes` is not read here). Every read is
audited (LOG-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dme_service import audit
from dme_service.claims import deadlines, directory
from dme_service.models import BillingEvent, Case, User
from dme_service.rules.claim import QUEUE_STATES, SUBMISSIONS, TRANSITIONS
from dme_service.rules.readiness import ReadinessItem, unmet
from dme_service.services.billing import claim as billing
from dme_service.services.billing import queue_rows, readiness
from dme_service.services.clinic import clinic_time
from dme_service.services.documents import Version, versions_of
from dme_service.services.order_reason import AUTOMATIC_NOTE
from dme_service.store import claim_postings
from dme_service.store.cases import CaseIncomplete, load_case, parsed_and_decided
from dme_service.store.signed_content import signatures

QUEUE_LIMIT = 200
SORTS = ("changed", "deadline", "age")


@dataclass(frozen=True)
class ClaimRow:
    """One case as billing sees it: identifiers, codes, state and what is missing."""

    case: Case
    hcpcs: str
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]
    checklist: list[ReadinessItem]
    next_states: tuple[str, ...]
    money: Any = None  # the claim record (amounts, ICN, dates) once there is one
    deadline: deadlines.Deadline | None = None  # the next one that matters in this state
    days_in_state: int | None = None
    void_reason: str | None = None  # why the signature was voided, while it waits for a new one
    # The same patient's other claims: a duplicate, or a delivered unit not carried.
    same_patient: tuple[str, ...] = ()
    # An amended order whose corrected claim has not been sent (or, for Medicare, whose
    # reopening the DME MAC has not answered), in a biller's words, and in a few.
    correction: str | None = None
    correction_headline: str | None = None

    @property
    def billed_modifiers(self) -> tuple[str, ...]:
        """What the claim line carries: purchase (NU) or rental (RR), chosen per claim (NU
        until the biller chooses), then the decision's KX/GA/GZ."""
        kind = (self.money.purchase_or_rental if self.money is not None else None) or "NU"
        return (kind, *self.modifiers) if self.hcpcs.startswith("E") else self.modifiers

    @property
    def signed(self) -> bool:
        return any(item.key == "signature" and item.met for item in self.checklist)

    @property
    def missing(self) -> list[ReadinessItem]:
        needed = "payment" if self.case.billing_state in SUBMISSIONS else "submission"
        return unmet(self.checklist, needed)


CLINICAL_REASON = "The clinician gave a reason for sending it to signing (clinical record)."


@dataclass(frozen=True)
class Claim:
    """One claim's page: the row plus documents, signatures and the billing history."""

    row: ClaimRow
    # Every stored version, `current` worked out against the case and signature now
    documents: list[Version]
    signatures: list
    events: list[BillingEvent]
    users: dict[int, str] = field(default_factory=dict)
    payer: Any = None  # claims.directory.PayerEntry: where the claim goes, whom to call
    # Each claim payment the 835s posted, oldest first; a take-back (reversal) is negative.
    payments: list = field(default_factory=list)

    def note_for(self, event: BillingEvent) -> str | None:
        """The note billing may read. A clinician's reason for sending a not-eligible case to
        signing is clinical free text (docs/security.md AC-3: billing sees none), so only that a
        reason was given is shown. The note of a void, written by the application, is shown."""
        if (
            event.to_state == "awaiting_signature"
            and event.from_state == "draft"
            and event.note
            and event.note != AUTOMATIC_NOTE
        ):
            return CLINICAL_REASON
        return event.note


def claim_row(session: Session, case: Case, user: User) -> ClaimRow:
    try:
        parsed, decision = parsed_and_decided(case)
        hcpcs, modifiers, diagnoses = decision.requested_hcpcs, decision.modifiers, parsed.diagnoses
    except CaseIncomplete:
        rx = case.home_prescription
        hcpcs, modifiers = (rx.hcpcs if rx else "E0860"), ()
        diagnoses = tuple(d.code for d in case.diagnoses)
    allowed = TRANSITIONS.get(case.billing_state, ())
    team = billing.CLAIM_TEAM
    next_states = tuple(s for s in allowed if s != "awaiting_signature" and user.role in team)
    return ClaimRow(
        case,
        hcpcs,
        modifiers,
        diagnoses,
        readiness.checklist(session, case),
        next_states,
        void_reason=_void_reason(session, case),
    )


def _void_reason(session: Session, case: Case) -> str | None:
    """Why the newest signature was voided, while the claim waits for a new one."""
    if case.billing_state != "awaiting_signature":
        return None
    found = signatures(session, case.id)
    if not found or found[0].voided_at is None:
        return None
    return found[0].void_reason


def cases_in(session: Session, user: User, states) -> list[Case]:
    query = (
        select(Case)
        .options(joinedload(Case.patient))
        .where(Case.clinic_id == user.clinic_id, Case.billing_state.in_(states))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(QUEUE_LIMIT)
    )
    return list(session.scalars(query))


def queue(
    session: Session, user: User, states=QUEUE_STATES, *, sort: str = "changed", today=None
) -> list[ClaimRow]:
    """The clinic's claims in `states`, newest change first, or the nearest deadline first
    (`sort="deadline"`), or the longest in their state first (`"age"`); the read is audited."""
    rows = queue_rows.with_money(
        session,
        [claim_row(session, case, user) for case in cases_in(session, user, states)],
        today or clinic_today(user),
        user.clinic.timezone,
    )
    rows = queue_rows.with_same_patient(session, rows, today or clinic_today(user))
    rows = queue_rows.with_corrections(session, rows)
    rows = queue_rows.sorted_rows(rows, sort, today or clinic_today(user))
    audit.record(
        session, user=user, action="billing.queue.read", object_type="case_list", object_id=None
    )
    session.commit()
    return rows


def claim(session: Session, case_id: int, user: User) -> Claim:
    """One claim of the user's clinic (CaseNotFound otherwise); the read is audited."""
    case = load_case(session, user, case_id)
    documents = [v for rows in versions_of(session, case).values() for v in rows]
    events = billing.history(session, case.id)
    names = {
        u.id: u.name
        for u in session.scalars(select(User).where(User.id.in_({e.user_id for e in events})))
    }
    row = queue_rows.with_money(
        session, [claim_row(session, case, user)], clinic_today(user), user.clinic.timezone
    )
    row = queue_rows.with_corrections(
        session, queue_rows.with_same_patient(session, row, clinic_today(user))
    )[0]
    result = Claim(
        row,
        documents,
        signatures(session, case.id),
        events,
        names,
        directory.entry(case.payer or "", case.patient.state or ""),
        claim_postings.of_case(session, case.id),
    )
    audit.case_event(session, user, "billing.claim.read", case)
    session.commit()
    return result


def clinic_today(user: User) -> date:
    """Deadlines and ages count the clinic's calendar days, not the server's."""
    return clinic_time.today(user.clinic.timezone)
