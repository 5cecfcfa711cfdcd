"""837P export: scrub the chosen claims, write the file of those that pass, list the others.

The claim of an amended order goes as a corrected claim (services.billing.corrected_claims).
A file is stored with its claims (`ClaimFile`); nothing moves until the biller confirms the
file was sent (`confirm_sent`), which moves each of its claims to "submitted" with the day the
biller typed. Export and confirmation each commit once, with an audit row. A file whose
claim already went in another confirmed file cannot be confirmed (services.billing.replaced_files).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dme_service import audit
from dme_service.claims import scrub, x837
from dme_service.claims.facts import Envelope
from dme_service.models import Case, ClaimFile, Clinic, User, utcnow
from dme_service.rules.claim import STATE_WORDS
from dme_service.rules.readiness import unmet
from dme_service.services.billing import claim as billing
from dme_service.services.billing import corrected_claims, readiness, replaced_files
from dme_service.services.billing import money as claim_money
from dme_service.services.billing.input import FieldProblem
from dme_service.services.clinic.clinic_time import human_date
from dme_service.store.cases import CaseNotFound, load_case

EXPORTABLE = ("ready_to_submit",)
DEFAULT_RECEIVER = ("CEDI", "CEDI")


@dataclass(frozen=True)
class ExportResult:
    file: ClaimFile | None  # None when every claim was refused
    exported: list[str]  # "Case 12, Walter Brandt"
    # One line per refused claim, every reason of that claim in it:
    # "Case 13, Ann Lee: ordering NPI: ...; patient address: ..."
    refused: list[str]
    # The clinic's own gaps ("billing NPI: ..."): while there is one, no claim goes
    clinic_problems: list[str] = field(default_factory=list)


def ready_case_ids(session: Session, clinic_id: int) -> list[int]:
    query = select(Case.id).where(Case.clinic_id == clinic_id, Case.billing_state.in_(EXPORTABLE))
    return list(session.scalars(query.order_by(Case.id)))


def export(
    session: Session, user: User, case_ids: list[int], *, today: date, now: datetime | None = None
) -> ExportResult:
    """Make the 837P of the claims that pass the scrubber; refused ones are listed in words."""
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff export claims.")
    clinic = session.get(Clinic, user.clinic_id)
    cases = _cases(session, user, case_ids)
    refused: list[str] = []
    exportable = []
    for case_id in case_ids:
        case = cases.get(case_id)
        if case is None:
            refused.append(f"Case {case_id}: not a case of this clinic.")
        elif case.billing_state not in EXPORTABLE:
            state = STATE_WORDS.get(case.billing_state, case.billing_state)
            refused.append(
                f"Case {case.id}, {case.patient.name}: claim state: it is {state}; "
                "only claims ready to submit are exported."
            )
        else:
            exportable.append(case)
    records = claim_money.claim_records(session, exportable)
    source = claim_money.ClaimSource(session, clinic.id, [c.id for c in exportable])
    candidates = corrected_claims.as_replacements(
        session, exportable, [source.facts(case, records[case.id]) for case in exportable]
    )
    provider = claim_money.provider_facts(session, clinic)
    ready, problems = scrub.scrub(provider, candidates, today)
    grouped = scrub.by_claim(problems)
    clinic_problems = grouped.pop(scrub.CLINIC, [])
    refused.extend(f"{claim}: {'; '.join(found)}" for claim, found in grouped.items())
    if clinic_problems:
        refused.extend(
            f"{c.name}: held back only because the clinic's billing identity is incomplete."
            for c in candidates
            if c.name not in grouped
        )
    if not ready:
        session.rollback()
        return ExportResult(None, [], refused, clinic_problems)
    return _write(session, user, clinic, provider, ready, records, refused, now or utcnow())


def _cases(session: Session, user: User, case_ids: list[int]) -> dict[int, Case]:
    query = (
        select(Case)
        .options(
            selectinload(Case.patient),
            selectinload(Case.treating_practitioner),
            selectinload(Case.diagnoses),
            selectinload(Case.home_prescription),
            selectinload(Case.trials),
            selectinload(Case.screening_answers),
        )
        .where(Case.clinic_id == user.clinic_id, Case.id.in_(case_ids))
    )
    return {case.id: case for case in session.scalars(query)}


def _write(session, user, clinic, provider, ready, records, refused, now) -> ExportResult:
    settings = claim_money.clinic_billing(session, clinic.id)
    if settings.id is None:
        session.add(settings)
    settings.last_control_number = (settings.last_control_number or 0) + 1
    receiver_id = settings.receiver_id or DEFAULT_RECEIVER[0]
    envelope = Envelope(
        sender_id=settings.submitter_id or "DME" + str(clinic.id),
        receiver_id=receiver_id,
        receiver_name=settings.receiver_name or DEFAULT_RECEIVER[1],
        control_number=settings.last_control_number,
        created=now.astimezone(UTC),
        production=settings.production_files,
    )
    content = x837.build(envelope, provider, ready)
    by_claim = {c.control_number: c for c in ready}
    records = [r for r in records.values() if r.control_number in by_claim]
    claim_file = ClaimFile(
        clinic_id=clinic.id,
        control_number=envelope.control_number,
        content=content,
        sha256=hashlib.sha256(content.encode()).hexdigest(),
        case_ids=sorted(r.case_id for r in records),
        refused=refused,
        created_by_id=user.id,
    )
    session.add(claim_file)
    session.flush()
    for record in records:
        # What the file says is what the claim says from now on: charge and date of service.
        sent = by_claim[record.control_number]
        record.claim_file_id = claim_file.id
        record.billed = sent.total_charge
        record.service_date = sent.lines[0].service_date
    audit.record(
        session,
        user=user,
        action="billing.claims.export",
        object_type="claim_file",
        object_id=claim_file.id,
    )
    session.commit()
    return ExportResult(claim_file, [c.name for c in ready], refused)


# --- confirming the file was sent ---------------------------------------------------------


@dataclass(frozen=True)
class ConfirmResult:
    submitted: list[int]
    skipped: list[str]


def confirm_sent(
    session: Session, user: User, file_id: int, sent_on: date, *, today: date
) -> ConfirmResult:
    """The biller sent the file on `sent_on`: its claims become submitted (one transaction)."""
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff confirm claim files.")
    if sent_on > today:
        raise billing.InvalidInput([FieldProblem("sent_on", "The day sent is in the future.")])
    claim_file = session.get(ClaimFile, file_id)
    if claim_file is None or claim_file.clinic_id != user.clinic_id:
        raise CaseNotFound(file_id)
    if claim_file.confirmed_at is not None:
        raise billing.InvalidInput(
            [
                FieldProblem(
                    "file", f"File {file_id} was already confirmed sent on {claim_file.sent_on}."
                )
            ]
        )
    replaced = replaced_files.replacements(session, claim_file)
    if replaced:
        # Sending it would repeat claims the payer already has (CARC 18, exact duplicate).
        raise billing.InvalidInput([FieldProblem("file", r.words) for r in replaced])
    submitted, skipped = [], []
    for case_id in claim_file.case_ids:
        case = load_case(session, user, case_id, for_update=True)
        missing = unmet(readiness.checklist(session, case), "submission")
        if case.billing_state not in EXPORTABLE or missing:
            why = "; ".join(i.label for i in missing) or STATE_WORDS[case.billing_state]
            skipped.append(f"Case {case.id}: not moved ({why}).")
            continue
        billing.record_move(
            session,
            case,
            "submitted",
            user,
            note=f"837P file {claim_file.control_number} sent on {human_date(sent_on)}.",
        )
        claim_money.claim_record(session, case).submitted_on = sent_on
        corrected_claims.sent(session, case, claim_file, sent_on)
        submitted.append(case.id)
    claim_file.sent_on = sent_on
    claim_file.confirmed_at = utcnow()
    claim_file.confirmed_by_id = user.id
    audit.record(
        session,
        user=user,
        action="billing.claims.sent",
        object_type="claim_file",
        object_id=claim_file.id,
    )
    session.commit()
    return ConfirmResult(submitted, skipped)


def claim_files(session: Session, clinic_id: int, limit: int = 50) -> list[ClaimFile]:
    query = select(ClaimFile).where(ClaimFile.clinic_id == clinic_id)
    return list(session.scalars(query.order_by(ClaimFile.id.desc()).limit(limit)))


def is_production(claim_file: ClaimFile) -> bool:
    """Whether the file is a production file (ISA15 P) that payers process for payment."""
    return x837.is_production_file(claim_file.content)
