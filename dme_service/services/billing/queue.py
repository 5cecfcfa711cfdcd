"""What billing reads: the queue with each case's missing items, one claim, the denial report
and the queue as CSV. Minimum necessary (docs/security.md AC-3): identifiers, codes, documents and
the checklist, never the clinical free text (`Case.notes` is not read here). Every read is
audited (LOG-1); the export as an export.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from dme_service import audit
from dme_service.claims import deadlines, directory
from dme_service.coding import carc
from dme_service.models import BillingEvent, Case, ClaimRecord, User
from dme_service.rules.claim import QUEUE_STATES, STATE_WORDS, SUBMISSIONS, TRANSITIONS
from dme_service.rules.readiness import ReadinessItem, unmet
from dme_service.rules.wording import DECISION_WORDS, PAYER_NAMES
from dme_service.services import order_amendment
from dme_service.services.billing import claim as billing
from dme_service.services.billing import readiness
from dme_service.services.clinic import clinic_time
from dme_service.services.documents import Version, versions_of
from dme_service.services.order_reason import AUTOMATIC_NOTE
from dme_service.store import same_patient as same_patient_rows
from dme_service.store.cases import CaseIncomplete, load_case, parsed_and_decided
from dme_service.store.signed_content import signatures

QUEUE_LIMIT = 200
# The export's header row, in a biller's words (a person opens it in a spreadsheet).
CSV_COLUMNS = (
    "Case",
    "Patient",
    "Member id",
    "Date of birth",
    "Payer",
    "HCPCS",
    "Modifiers",
    "Diagnoses",
    "Decision",
    "Claim state",
    "Still needed",
    "Last change (clinic time)",
    # The money, dates and identifiers a biller reconciles with.
    "Ordering NPI",
    "Billed",
    "Allowed",
    "Paid",
    "Patient responsibility",
    "CARC",
    "RARC",
    "ICN",
    "Submitted on",
    "Remitted on",
    "Next deadline",
    "Days in this state",
    "Corrected claim",
)
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
    # An amended order whose corrected claim has not been sent, in a biller's words.
    correction: str | None = None

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


def _cases(session: Session, user: User, states) -> list[Case]:
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
    rows = _with_money(
        session,
        [claim_row(session, case, user) for case in _cases(session, user, states)],
        today or _clinic_today(user),
        user.clinic.timezone,
    )
    rows = _with_same_patient(session, rows, today or _clinic_today(user))
    rows = _with_corrections(session, rows)
    rows = _sorted(rows, sort, today or _clinic_today(user))
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
    row = _with_money(
        session, [claim_row(session, case, user)], _clinic_today(user), user.clinic.timezone
    )
    row = _with_corrections(session, _with_same_patient(session, row, _clinic_today(user)))[0]
    result = Claim(
        row,
        documents,
        signatures(session, case.id),
        events,
        names,
        directory.entry(case.payer or "", case.patient.state or ""),
    )
    audit.case_event(session, user, "billing.claim.read", case)
    session.commit()
    return result


# --- denials ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DenialReport:
    start: date
    end: date
    total: int
    by_reason: list[tuple[str, str, int]]  # (CARC, meaning, denials)
    by_payer: list[tuple[str, int]]


def denial_report(session: Session, user: User, start: date, end: date) -> DenialReport:
    """Denials recorded from `start` to `end` (inclusive, the clinic's calendar days), by CARC
    and by payer."""
    there = clinic_time.zone(user.clinic.timezone)
    since = datetime.combine(start, time.min, tzinfo=there)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=there)
    query = (
        select(BillingEvent.carc_codes, Case.payer)
        .join(Case, Case.id == BillingEvent.case_id)
        .where(
            Case.clinic_id == user.clinic_id,
            BillingEvent.to_state == "denied",
            BillingEvent.at >= since,
            BillingEvent.at < until,
        )
    )
    reasons, payers, total = Counter(), Counter(), 0
    for codes, payer in session.execute(query):
        total += 1
        payers[payer or "unknown"] += 1
        reasons.update(codes or ["(none)"])
    by_reason = [
        (code, _meaning(code), count)
        for code, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_payer = sorted(payers.items(), key=lambda kv: (-kv[1], kv[0]))
    audit.record(
        session, user=user, action="billing.denials.read", object_type="report", object_id=None
    )
    session.commit()
    return DenialReport(start, end, total, by_reason, by_payer)


def _meaning(code: str) -> str:
    entry = carc.lookup("carc", code)
    return entry.meaning if entry else "Not in the code table"


# --- export -------------------------------------------------------------------------------


def queue_csv(session: Session, user: User, states=QUEUE_STATES, today=None) -> str:
    """The queue as CSV (audited as an export); cells cannot start a spreadsheet formula."""
    rows = _with_money(
        session,
        [claim_row(session, case, user) for case in _cases(session, user, states)],
        today or _clinic_today(user),
        user.clinic.timezone,
    )
    rows = _with_corrections(session, rows)
    zone = user.clinic.timezone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in _csv_values(row, zone)])
    audit.record(
        session, user=user, action="billing.queue.export", object_type="case_list", object_id=None
    )
    session.commit()
    return out.getvalue()


def _clinic_today(user: User) -> date:
    """Deadlines and ages count the clinic's calendar days, not the server's."""
    return clinic_time.today(user.clinic.timezone)


def _csv_values(row: ClaimRow, zone: str | None = None) -> list:
    case, money = row.case, row.money
    signer = case.treating_practitioner
    return [
        case.id,
        case.patient.name,
        case.patient.member_id,
        case.patient.date_of_birth.isoformat(),
        PAYER_NAMES.get(case.payer or "", case.payer or ""),
        row.hcpcs,
        " ".join(row.billed_modifiers),
        " ".join(row.diagnoses),
        DECISION_WORDS.get(case.status, case.status),
        STATE_WORDS.get(case.billing_state, case.billing_state),
        "; ".join(f"{item.label}: {item.detail}" for item in row.missing),
        clinic_time.local(case.updated_at, zone).strftime("%Y-%m-%d %H:%M"),
        signer.npi if signer is not None and signer.npi else "",
        *_money_cells(money),
        f"{row.deadline.what} {row.deadline.due.isoformat()}" if row.deadline else "",
        "" if row.days_in_state is None else row.days_in_state,
        row.correction or "",
    ]


def _money_cells(money) -> list:
    if money is None:
        return [""] * 9
    amounts = (money.billed, money.allowed, money.paid, money.patient_responsibility)
    carcs = " ".join(f"{a['group']}-{a['reason']}" for a in money.adjustments or [])
    dates = (money.submitted_on, money.remitted_on)
    return [
        *("" if a is None else f"{a:.2f}" for a in amounts),
        carcs,
        " ".join(money.remarks or []),
        money.icn or "",
        *("" if d is None else d.isoformat() for d in dates),
    ]


# --- money, deadlines, aging ----------------------------------------------------------------


def _with_money(
    session: Session, rows: list[ClaimRow], today: date, zone: str | None = None
) -> list[ClaimRow]:
    """Each row with its claim record, next deadline and days in its state (three reads)."""
    ids = [row.case.id for row in rows]
    if not ids:
        return rows
    records = {
        r.case_id: r
        for r in session.scalars(select(ClaimRecord).where(ClaimRecord.case_id.in_(ids)))
    }
    entered = dict(
        session.execute(
            select(BillingEvent.case_id, func.max(BillingEvent.at))
            .where(BillingEvent.case_id.in_(ids))
            .group_by(BillingEvent.case_id)
        ).all()
    )
    delivered = {}  # the date of service before export: the delivery date, if recorded
    for case_id, delivery in session.execute(
        select(BillingEvent.case_id, BillingEvent.delivery)
        .where(BillingEvent.case_id.in_(ids), BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id)
    ):
        if delivery:
            delivered[case_id] = date.fromisoformat(delivery["date"])
    out = []
    for row in rows:
        money = records.get(row.case.id)
        served = (money.service_date if money else None) or delivered.get(row.case.id)
        remitted = money.remitted_on if money else None
        due = deadlines.next_deadline(
            row.case.payer or "", row.case.billing_state, served, remitted
        )
        since = entered.get(row.case.id) or row.case.created_at
        days = (today - clinic_time.local_date(since, zone)).days if since else None
        out.append(replace(row, money=money, deadline=due, days_in_state=days))
    return out


def _with_same_patient(session: Session, rows: list[ClaimRow], today: date) -> list[ClaimRow]:
    """Each row with its same-patient warnings (four reads for the whole list)."""
    notes = same_patient_rows.claim_notes(session, [row.case for row in rows], today)
    return [replace(row, same_patient=tuple(notes.get(row.case.id, ()))) for row in rows]


def _with_corrections(session: Session, rows: list[ClaimRow]) -> list[ClaimRow]:
    """Each row of an amended order whose corrected claim is still to go, with its words."""
    pending = order_amendment.pending_by_case(session, [row.case for row in rows])
    return [
        replace(row, correction=pending[row.case.id].claim_words) if row.case.id in pending else row
        for row in rows
    ]


def _sorted(rows: list[ClaimRow], sort: str, today: date) -> list[ClaimRow]:
    if sort == "deadline":  # nearest deadline first; claims without one after them
        return sorted(
            rows, key=lambda r: (r.deadline is None, r.deadline.due if r.deadline else today)
        )
    if sort == "age":
        return sorted(rows, key=lambda r: -(r.days_in_state or 0))
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# A formula character after a separator starts a new cell in a spreadsheet that splits on `;`
# (most European locales) or tab: `Doe;=HYPERLINK(...)` would otherwise become a live formula.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t\r\n])(?=[=+\-@])")


def _cell(value) -> str:
    """OWASP CSV injection: a cell starting with = + - @ tab CR LF or NUL is prefixed with ',
    and so is each formula character that follows ; , tab or a line break inside the cell.
    The writer quotes every cell (csv.QUOTE_ALL), so no separator inside one splits it."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text[:1] in _FORMULA_START else text
