"""Medicare reopenings: billing records that it asked the DME MAC to correct a claim it processed,
and what the DME MAC answered.

A DME MAC takes no replacement claim, so the export refuses one (claims/correction.py); once the
amended order is signed again and billing has reviewed it (ready to submit), billing asks the DME
MAC on its portal, by telephone or in writing (or appeals, as a redetermination) and records the
request here: the day, the way, the DME MAC's reference and the ICN quoted. That answers the
amendment as a confirmed corrected claim does, and moves the claim to submitted (appealed for a
redetermination) so the 835 that follows is matched and moves it as usual; a remittance posted
while a request waits records the outcome by itself (`settle`). Each write commits once, with
an audit row; the typed values are identifiers and dates, never free text.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import correction, reopening
from dme_service.db import run_with_retry
from dme_service.models import Case, ClaimRecord, ClaimReopening, User, utcnow
from dme_service.rules.readiness import unmet
from dme_service.services.billing import claim as billing
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import readiness
from dme_service.services.errors import Refusal, StaleCase
from dme_service.store import claim_reopenings, order_amendments
from dme_service.store.cases import load_case

# The claim states a request can be recorded in: the amended order signed again and reviewed;
# or, after the DME MAC declined a reopening, the claim it left as it was.
REQUEST_STATES = ("ready_to_submit", "submitted", "denied", "paid")


class ReopeningInvalid(Refusal):
    """Values that cannot be recorded; `errors` maps the form's field to a biller's message."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class CannotRecord(Refusal):
    status = 409


def record_request(
    session: Session,
    case_id: int,
    user: User,
    *,
    method: str | None,
    requested_on: date | None,
    reference: str | None,
    today: date,
    expected_version: int,
) -> ClaimReopening:
    """Billing asked the DME MAC to reopen the case's claim (or appealed); commits, audited.

    Raises CaseNotFound (404), NotPermitted (403), ReopeningInvalid (422), StaleCase or
    CannotRecord (409).
    """
    problems = reopening.request_problems(method, requested_on, reference, today=today)
    if problems:
        raise ReopeningInvalid(problems)
    text = (reference or "").strip() or None
    return run_with_retry(
        session,
        lambda s: _request(s, case_id, user, method, requested_on, text, expected_version, today),
    )


def _request(s, case_id, user, method, requested_on, reference, expected_version, today):
    case = load_case(s, user, case_id, for_update=True)
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff record a reopening request.")
    if case.version != expected_version:
        raise StaleCase(case)
    amendment = _amendment_asking(s, case)
    record = claim_money.claim_record(s, case)
    remitted = record.remitted_on
    problems = reopening.request_problems(
        method, requested_on, reference, today=today, remitted_on=remitted
    )
    if problems:
        raise ReopeningInvalid(problems)
    if case.billing_state == "ready_to_submit":
        missing = unmet(readiness.checklist(s, case), "submission")
        if missing:
            raise CannotRecord(
                "Before asking the DME MAC, the amended order needs: "
                + "; ".join(f"{item.label}: {item.detail}" for item in missing)
            )
    row = ClaimReopening(
        case_id=case.id,
        amendment_id=amendment.id,
        method=method,
        requested_on=requested_on,
        reference=reference,
        icn=amendment.payer_claim_number or record.icn,
        outcome=reopening.PENDING,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    s.add(row)
    if amendment.corrected_sent_on is None:
        amendment.corrected_sent_on = requested_on  # answered: no corrected claim will go
    request = claim_reopenings.as_request(row)
    target = "appealed" if method == "redetermination" else "submitted"
    if case.billing_state != target and case.billing_state in ("ready_to_submit", "submitted"):
        billing.record_move(s, case, target, user, note=request.words)
    s.flush()
    audit.case_event(s, user, "billing.reopening.requested", case)
    return row


def _amendment_asking(s: Session, case: Case):
    """The amendment a request answers: a Medicare claim's order amended and signed again, with
    no request yet, or whose latest request the DME MAC declined. CannotRecord otherwise."""
    if case.payer not in correction.DME_MAC_PAYERS:
        raise CannotRecord(
            "Only a Medicare (DME MAC) claim is corrected by a reopening; this payer takes a "
            "corrected claim, which the export makes."
        )
    pending = order_amendments.pending(s, [case.id]).get(case.id)
    latest = claim_reopenings.latest(s, [case.id]).get(case.id)
    record = s.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))  # read only
    remarks = (record.remarks or []) if record is not None else []
    if pending is not None and correction.path(case.payer, remarks) == correction.NEW_CLAIM:
        raise CannotRecord(
            "The DME MAC returned the original claim as unprocessable (MA130): it cannot be "
            "reopened; the corrected claim goes as a new claim in the next export."
        )
    if pending is not None:
        if case.billing_state != "ready_to_submit":
            raise CannotRecord(
                "The amended order is not ready yet: once the practitioner signs it and billing "
                "marks the claim ready to submit, ask the DME MAC and record the request."
            )
        return pending
    if latest is not None and latest.outcome == reopening.DECLINED and latest.amendment:
        if case.billing_state not in REQUEST_STATES:
            raise CannotRecord("The claim has moved on since the DME MAC declined the reopening.")
        return latest.amendment
    raise CannotRecord(
        "No amended order of this claim waits for a reopening (or the DME MAC's answer to the "
        "last request is not recorded yet)."
    )


def record_outcome(
    session: Session,
    case_id: int,
    user: User,
    *,
    outcome: str | None,
    decided_on: date | None,
    today: date,
) -> ClaimReopening:
    """The DME MAC's answer to the latest request; commits, audited. Raises CaseNotFound (404),
    NotPermitted (403), ReopeningInvalid (422) or CannotRecord (409)."""
    return run_with_retry(session, lambda s: _outcome(s, case_id, user, outcome, decided_on, today))


def _outcome(s, case_id, user, outcome, decided_on, today) -> ClaimReopening:
    case = load_case(s, user, case_id, for_update=True)
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff record the DME MAC's answer.")
    row = claim_reopenings.latest(s, [case.id]).get(case.id)
    if row is None or row.outcome != reopening.PENDING:
        raise CannotRecord("No reopening request of this claim waits for the DME MAC's answer.")
    problems = reopening.outcome_problems(
        outcome, decided_on, today=today, requested_on=row.requested_on
    )
    if problems:
        raise ReopeningInvalid(problems)
    row.outcome, row.decided_on = outcome, decided_on
    row.decided_by_id, row.decided_at = user.id, utcnow()
    s.flush()
    audit.case_event(s, user, "billing.reopening.answered", case)
    return row


def settle(session: Session, case: Case, source: str, decided_on: date, user: User) -> bool:
    """An 835 posted for the case: a request still waiting is answered by it (the DME MAC
    adjusted the claim). In the caller's transaction; True when one was."""
    row = claim_reopenings.latest(session, [case.id]).get(case.id)
    if row is None or row.outcome != reopening.PENDING:
        return False
    row.outcome, row.decided_on = reopening.ADJUSTED, decided_on
    row.outcome_source = source[:120]
    row.decided_by_id, row.decided_at = user.id, utcnow()
    return True


def requests(session: Session, case: Case) -> list[ClaimReopening]:
    """Every request of the case, newest first (the claim page's list)."""
    return claim_reopenings.of_case(session, case.id)


def may_request(session: Session, case: Case) -> bool:
    """Whether the claim page offers the request form."""
    try:
        _amendment_asking(session, case)
    except CannotRecord:
        return False
    return True


def words(row: ClaimReopening) -> str:
    """One request in a biller's words."""
    return claim_reopenings.as_request(row).words
