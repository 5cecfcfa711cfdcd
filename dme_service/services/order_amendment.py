"""Amend the order: a new order version after the claim went to the payer, for a corrected claim.

Once a claim is submitted (or denied, paid, closed) the signed facts are frozen
(services.signed_order): the payer holds or has judged a claim made from that signed order
(docs/domain.md §1). Correcting it is a step of its own, taken with a reason: the signature
the claim was billed on is superseded, never voided (the original claim keeps it, and its
signed PDFs stay in the record as superseded), the case's claim goes back to the treating
practitioner for a new signature, and the claim's next 837P is a corrected claim: a replacement
(CLM05-3 = 7) carrying the payer's claim control number of the original claim (REF*F8, the
CLP07 of its 835). The amendment is pending until that file is confirmed sent. A Medicare DME
MAC takes no replacement claim: billing asks it to reopen the claim instead and records the
request (services/billing/reopening.py), which answers the amendment (claims/correction.py).

The reason is clinical free text: the clinical team reads it (case page, re-sign page); billing
reads what changed on the order (the signed facts, written by the application) and that a
corrected claim is needed, never the reason (docs/security.md AC-3), nor does an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case import signed_facts
from dme_service.claims import correction, reopening
from dme_service.db import printable, run_with_retry
from dme_service.models import Case, ClaimRecord, Document, OrderAmendment, User, utcnow
from dme_service.rules.claim import AMENDABLE_STATES, STATE_WORDS
from dme_service.services.billing import claim as billing
from dme_service.services.billing import money as claim_money
from dme_service.services.errors import Refusal, StaleCase
from dme_service.services.mail import notices
from dme_service.services.mail.outbox import Mail
from dme_service.store import claim_reopenings, order_amendments
from dme_service.store.cases import load_case
from dme_service.store.signed_content import changed_facts, current_signature, seal_intact

REASON_MAX = 1000
# What billing's history says of the move (the reason itself is clinical).
MOVE_NOTE = (
    "Order amended (order version {version}) after the claim went to the payer: a corrected "
    "claim is needed once the practitioner signs it."
)


class AmendmentInvalid(Refusal):
    """The reason cannot be used; `errors` maps the field to a message in clinician words."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class CannotAmend(Refusal):
    status = 409


class NotPermitted(Refusal):
    status = 403


def check_reason(reason: str | None) -> dict[str, str]:
    """Field -> message for a reason that cannot be stored (empty when it can)."""
    text = (reason or "").strip()
    if not text:
        return {"reason": "Say why the order must change: the practitioner reads it."}
    if len(text) > REASON_MAX:
        return {"reason": f"Keep the reason under {REASON_MAX} characters; it has {len(text)}."}
    if not printable(text):
        return {"reason": "The reason holds characters that cannot be stored; retype it."}
    return {}


def can_amend(case: Case, user: User) -> bool:
    """Whether the page offers "Amend the order" to this user."""
    return case.billing_state in AMENDABLE_STATES and user.role in billing.CLINICAL_TEAM


def not_amendable(case: Case, session: Session | None = None) -> str:
    """Why an order whose claim is where it is now is not amended, in clinician words; with
    `session`, an order amended already (another tab, a second click) is said to be so."""
    if session is not None and case.billing_state == "awaiting_signature":
        version = order_amendments.order_version(session, case.id)
        if version > 1:
            return (
                f"The order was amended already: order version {version} waits for the "
                "practitioner's signature. Nothing more was amended."
            )
    state = STATE_WORDS.get(case.billing_state, case.billing_state)
    return (
        f"The claim is {state}: it has not gone to the payer, so the order is edited as "
        "usual (a change to a signed fact voids the signature, after a warning)."
    )


def amend(
    session: Session,
    case_id: int,
    user: User,
    reason: str | None,
    *,
    expected_version: int,
    mail: Mail | None = None,
) -> OrderAmendment:
    """Make a new order version of a case whose claim went to the payer; commits, then mails
    the treating practitioner that the order they signed waits for their signature again.

    Raises CaseNotFound (404), NotPermitted (403), AmendmentInvalid (422), StaleCase or
    CannotAmend (409).
    """
    errors = check_reason(reason)
    if errors:
        raise AmendmentInvalid(errors)
    text = reason.strip()
    row = run_with_retry(session, lambda s: _amend(s, case_id, user, text, expected_version))
    if mail is not None:
        # After the commit: a mail that cannot go is logged and never undoes the amendment.
        notices.order_amended(
            session, case_id, user, base_url=mail.base_url, settings=mail.settings
        )
    return row


def _amend(s: Session, case_id: int, user: User, reason: str, expected_version: int):
    case = load_case(s, user, case_id, for_update=True)
    if user.role not in billing.CLINICAL_TEAM:
        raise NotPermitted("Only the clinical team amends an order; billing cannot.")
    if case.version != expected_version:
        raise StaleCase(case)
    if case.billing_state not in AMENDABLE_STATES:
        raise CannotAmend(not_amendable(case))
    now = utcnow()
    signature = current_signature(s, case.id)
    record = claim_money.claim_record(s, case)
    version = order_amendments.order_version(s, case.id) + 1
    row = OrderAmendment(
        case_id=case.id,
        order_version=version,
        reason=reason,
        amended_by_id=user.id,
        amended_at=now,
        signature_id=signature.id if signature is not None else None,
        claim_state=case.billing_state,
        original_claim=_original_claim(record),
        payer_claim_number=record.icn,
    )
    s.add(row)
    if signature is not None:
        _supersede(s, signature, now)
    billing.record_move(s, case, "awaiting_signature", user, note=MOVE_NOTE.format(version=version))
    s.flush()
    audit.case_event(s, user, "case.order_amended", case)
    return row


def _original_claim(record) -> dict:
    """What the original claim was when the order was amended (kept with the amendment)."""

    def text(value):
        return None if value is None else str(value)

    return {
        "billed": text(record.billed),
        "paid": text(record.paid),
        "submitted_on": text(record.submitted_on),
        "remitted_on": text(record.remitted_on),
        "icn": record.icn,
        "claim_file_id": record.claim_file_id,
    }


def _supersede(s: Session, signature, now: datetime) -> None:
    """The signature stays valid for the claim billed on it; its signed PDFs are kept and read
    as superseded (the case's current order is the amended one)."""
    signature.superseded_at = now
    for entry in (signature.document_hashes or {}).values():
        if "document_id" not in entry:
            continue  # a scan signed in ink stays as it was uploaded
        document = s.get(Document, entry["document_id"])
        if document is not None and document.superseded_at is None:
            document.superseded_at = now


# --- billing records the payer's number of the original claim ----------------------------


def record_payer_number(
    session: Session, case_id: int, user: User, number: str | None
) -> OrderAmendment:
    """Billing types the payer's claim control number of the original claim (from the payer's
    portal or a paper remittance) when no 835 brought it; commits, audited.

    Raises CaseNotFound (404), NotPermitted (403), AmendmentInvalid (422) or CannotAmend (409:
    no corrected claim is waiting for it).
    """
    text = (number or "").strip()
    problem = correction.number_problem(correction.REPLACEMENT, text)
    if problem:
        if not text:
            problem = "Type the payer's claim number (ICN) of the original claim."
        raise AmendmentInvalid({"payer_claim_number": problem})
    return run_with_retry(session, lambda s: _record_number(s, case_id, user, text))


def _record_number(s: Session, case_id: int, user: User, number: str) -> OrderAmendment:
    case = load_case(s, user, case_id, for_update=True)
    if user.role not in billing.CLAIM_TEAM:
        raise NotPermitted("Only billing staff record the payer's claim number.")
    row = order_amendments.pending(s, [case.id]).get(case.id)
    if row is None:
        raise CannotAmend("No corrected claim of this case waits for the payer's claim number.")
    row.payer_claim_number = number
    s.flush()
    audit.case_event(s, user, "billing.original_claim_number", case)
    return row


# --- what the pages and the API read ------------------------------------------------------


@dataclass(frozen=True)
class Amended:
    """The case's latest amendment as people read it."""

    row: OrderAmendment
    order_version: int
    amended_by: str
    amended_at: datetime
    changed: str  # what changed on the order since the original claim's signature, in words
    kept_signature: str | None  # "Daniel Okafor, MD on 2026-12-06", the original's signature
    # That signature still proves what was signed (HMAC and PDF digests); None when not
    # checked (billing's lists read only the words, not the stored PDFs).
    kept_intact: bool | None
    payer_claim_number: str | None  # REF*F8 of the corrected claim
    pending: bool  # the corrected claim has not been sent (nor a reopening asked for) yet
    sent_on: date | None
    # How the correction reaches the payer (correction.REPLACEMENT_CLAIM, REOPENING, NEW_CLAIM)
    path: str = correction.REPLACEMENT_CLAIM
    request: reopening.Request | None = None  # Medicare: the latest reopening asked for
    late_after: date | None = None  # Medicare: the last day to ask for a reopening
    suggested: str | None = None  # Medicare: "redetermination" when a reopening cannot do it

    @property
    def claim_words(self) -> str:
        """The corrected claim in a biller's words (queue, claim page, CSV)."""
        return correction.words(
            pending=self.pending,
            order_version=self.order_version,
            payer_claim_number=self.payer_claim_number,
            changed=self.changed,
            sent_on=self.sent_on,
            path=self.path,
            request=self.request,
            late_after=self.late_after,
            suggested=self.suggested,
        )

    @property
    def headline(self) -> str:
        """Its state in a few words: the queue's badge, the claim page's notice."""
        return correction.headline(pending=self.pending, path=self.path, request=self.request)

    @property
    def open(self) -> bool:
        """Billing still has something to do or wait for: the corrected claim is not sent, or
        the DME MAC has not corrected the claim it was asked to reopen."""
        if self.pending:
            return True
        return self.request is not None and self.request.outcome != reopening.ADJUSTED


def latest(session: Session, case: Case) -> Amended | None:
    """The case's latest amendment, or None for an order never amended."""
    row = order_amendments.latest(session, case.id)
    return None if row is None else _amended(session, case, row)


def pending_by_case(session: Session, cases: list[Case]) -> dict[int, Amended]:
    """The amendments whose corrected claim has not been sent, by case id (billing's lists)."""
    rows = order_amendments.pending(session, [case.id for case in cases])
    by_id = {case.id: case for case in cases}
    return {
        case_id: _amended(session, by_id[case_id], row, check_seal=False)
        for case_id, row in rows.items()
    }


def open_by_case(session: Session, cases: list[Case]) -> dict[int, Amended]:
    """The amendments billing still acts on or waits for, by case id (the queue): those pending
    and those whose Medicare reopening the DME MAC has not answered with a correction."""
    found = pending_by_case(session, cases)
    asked = claim_reopenings.latest(session, [c.id for c in cases if c.id not in found])
    for case in cases:
        row = asked.get(case.id)
        if row is None or row.outcome == reopening.ADJUSTED or row.amendment is None:
            continue
        found[case.id] = _amended(session, case, row.amendment, check_seal=False)
    return found


def corrected_in_file(session: Session, claim_file) -> set[int]:
    """The cases whose claim in this 837P file is a corrected claim (the file's page)."""
    return order_amendments.corrected_in_file(session, claim_file)


def order_version(session: Session, case_id: int) -> int:
    return order_amendments.order_version(session, case_id)


def _amended(
    session: Session, case: Case, row: OrderAmendment, *, check_seal: bool = True
) -> Amended:
    signature = row.signature
    kept, intact, changed = None, None, ""
    if signature is not None:
        name = signature.signer.name if signature.signer is not None else "the practitioner"
        who = f"{name}, {signature.credential}" if signature.credential else name
        kept = f"{who} on {signature.signed_at.date().isoformat()}"
        intact = seal_intact(session, signature) if check_seal else None
        changed = signed_facts.summary(changed_facts(signature, case))
    number = row.payer_claim_number or (row.original_claim or {}).get("icn")
    record = session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    if not number and row.corrected_sent_on is None and record is not None:
        number = record.icn  # an 835 posted since
    medicare = _medicare_path(session, case, row, record)
    return Amended(
        row,
        row.order_version,
        row.amended_by.name if row.amended_by is not None else "someone",
        row.amended_at,
        changed,
        kept,
        intact,
        number,
        row.corrected_sent_on is None,
        row.corrected_sent_on,
        **medicare,
    )


def _medicare_path(session: Session, case: Case, row: OrderAmendment, record) -> dict:
    """How the correction goes, and for a Medicare reopening what billing needs to ask for it.

    The original claim's remittance (remarks, adjustments, date) is the claim record's while
    the amendment waits; once answered, the path was decided and the request is on file."""
    remarks = (record.remarks or []) if record is not None else []
    path = correction.path(case.payer or "", remarks)
    if path != correction.REOPENING:
        return {"path": path}
    requests = [r for r in claim_reopenings.of_case(session, case.id) if r.amendment_id == row.id]
    remitted = record.remitted_on if record is not None else None
    if remitted is None and row.original_claim.get("remitted_on"):
        remitted = date.fromisoformat(row.original_claim["remitted_on"])
    return {
        "path": path,
        "request": claim_reopenings.as_request(requests[0]) if requests else None,
        "late_after": reopening.deadline(remitted),
        "suggested": reopening.suggested_method(record.adjustments if record else ()),
    }


def replacement_numbers(session: Session, cases: list[Case]) -> dict[int, str]:
    """For the export: each case whose next claim is a corrected claim, with the payer's claim
    control number of the claim it replaces ("" when unknown: the scrubber refuses it). A
    Medicare claim returned unprocessable goes as a new claim and is not listed; one the DME MAC
    processed is listed, and the scrubber refuses it (a reopening is asked for instead)."""
    return {
        case_id: amended.payer_claim_number or ""
        for case_id, amended in pending_by_case(session, cases).items()
        if amended.path != correction.NEW_CLAIM
    }
