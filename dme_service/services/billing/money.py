"""The money and identity on a case's claim: the fee table, the claim record, and the plain
claim facts (`claims.facts`) the 837P and the scrubber read.

The charge on a claim is the clinic's fee for the HCPCS bought (NU) or rented (RR) in force on
the date of service. The purchase/rental modifier is chosen per claim by the biller; the
KX/GA/GZ modifiers come from the decision (policy article A52476, docs/domain.md §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import directory
from dme_service.claims import facts as f
from dme_service.models import Case, ClaimRecord, Clinic, ClinicBilling, FeeScheduleEntry, User
from dme_service.services import signing
from dme_service.services.billing.input import FieldProblem
from dme_service.store.cases import load_case

PURCHASE_OR_RENTAL = {"NU": "Purchase (NU)", "RR": "Rental (RR)"}
_TITLES = {"DR", "DR.", "MR", "MR.", "MS", "MS.", "MRS", "MRS."}


@dataclass(frozen=True)
class ClaimLineFacts:
    """What the case says the claim's line is, before the money."""

    hcpcs: str
    decision_modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]


# --- the fee table ------------------------------------------------------------------------


def fee(session: Session, clinic_id: int, hcpcs: str, kind: str, on: date) -> Decimal | None:
    """The clinic's charge for `hcpcs` bought (NU) or rented (RR) on `on`, or None."""
    query = (
        select(FeeScheduleEntry.amount)
        .where(
            FeeScheduleEntry.clinic_id == clinic_id,
            FeeScheduleEntry.hcpcs == hcpcs,
            FeeScheduleEntry.purchase_or_rental == kind,
            FeeScheduleEntry.effective_from <= on,
        )
        .order_by(FeeScheduleEntry.effective_from.desc(), FeeScheduleEntry.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def fee_table(session: Session, clinic_id: int) -> list[FeeScheduleEntry]:
    query = select(FeeScheduleEntry).where(FeeScheduleEntry.clinic_id == clinic_id)
    order = (FeeScheduleEntry.hcpcs, FeeScheduleEntry.purchase_or_rental)
    return list(session.scalars(query.order_by(*order, FeeScheduleEntry.effective_from.desc())))


def fee_problems(hcpcs: str, purchase_or_rental: str, amount: str, effective_from: str):
    """(cleaned values, problems) for a fee table row typed by a person."""
    problems, cleaned = [], {}
    hcpcs = (hcpcs or "").strip().upper()
    if not (len(hcpcs) == 5 and hcpcs[0].isalpha() and hcpcs[1:].isdigit()):
        problems.append(FieldProblem("hcpcs", "Give a HCPCS code such as E0860."))
    kind = purchase_or_rental
    if kind not in PURCHASE_OR_RENTAL:
        problems.append(FieldProblem("purchase_or_rental", "Choose NU (purchase) or RR (rental)."))
    try:
        money = Decimal(str(amount).strip().lstrip("$").replace(",", ""))
        if money <= 0 or money != money.quantize(f.CENT) or money >= 100000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(
            FieldProblem("amount", "Give the charge in dollars and cents, e.g. 150.00.")
        )
        money = None
    try:
        when = date.fromisoformat(str(effective_from).strip())
    except ValueError:
        problems.append(
            FieldProblem("effective_from", "Give the first day it applies (YYYY-MM-DD).")
        )
        when = None
    cleaned = {"hcpcs": hcpcs, "purchase_or_rental": kind, "amount": money, "effective_from": when}
    return cleaned, problems


def add_fee(session: Session, user: User, **typed) -> FeeScheduleEntry:
    """Add a fee table row (a change of price is a new row from its date); commits."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff change the fee table.")
    cleaned, problems = fee_problems(**typed)
    if problems:
        raise InvalidInput(problems)
    entry = FeeScheduleEntry(clinic_id=user.clinic_id, created_by_id=user.id, **cleaned)
    session.add(entry)
    session.flush()
    audit.record(
        session, user=user, action="billing.fee.add", object_type="fee", object_id=entry.id
    )
    session.commit()
    return entry


# --- the claim record ---------------------------------------------------------------------


def control_number(case_id: int) -> str:
    """CLM01, the patient control number the payer's 835 answers with: 'DME' + case number."""
    return f"DME{case_id}"


def claim_record(session: Session, case: Case) -> ClaimRecord:
    """The case's claim record, made on first use (in the caller's transaction)."""
    record = session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    if record is None:
        record = ClaimRecord(
            case_id=case.id,
            clinic_id=case.clinic_id,
            control_number=control_number(case.id),
            purchase_or_rental="NU",
            adjustments=[],
            remarks=[],
        )
        session.add(record)
        session.flush()
    return record


def claim_records(session: Session, cases: list[Case]) -> dict[int, ClaimRecord]:
    """Each case's claim record by case id, made where missing (one read, one flush)."""
    ids = [case.id for case in cases]
    found = {
        r.case_id: r
        for r in session.scalars(select(ClaimRecord).where(ClaimRecord.case_id.in_(ids)))
    }
    for case in cases:
        if case.id not in found:
            found[case.id] = ClaimRecord(
                case_id=case.id,
                clinic_id=case.clinic_id,
                control_number=control_number(case.id),
                purchase_or_rental="NU",
                adjustments=[],
                remarks=[],
            )
            session.add(found[case.id])
    session.flush()
    return found


def clinic_billing(session: Session, clinic_id: int) -> ClinicBilling:
    found = session.scalar(select(ClinicBilling).where(ClinicBilling.clinic_id == clinic_id))
    return found or ClinicBilling(clinic_id=clinic_id, last_control_number=0)


def digits_of(value: str | None) -> str:
    """12-3456789 -> 123456789: how claims send a tax id."""
    return "".join(ch for ch in value or "" if ch.isdigit())


def line_facts(case: Case) -> ClaimLineFacts:
    """HCPCS, decision modifiers and diagnoses; from the decision when the case parses."""
    try:
        parsed, decision = signing.case_and_decision(case)
        return ClaimLineFacts(
            decision.requested_hcpcs or "", tuple(decision.modifiers), tuple(parsed.diagnoses)
        )
    except signing.CannotSign:
        rx = case.home_prescription
        return ClaimLineFacts(rx.hcpcs if rx else "", (), tuple(d.code for d in case.diagnoses))


def split_name(name: str) -> tuple[str, str]:
    """'Dr. Ada Okafor, MD' -> ('Okafor', 'Ada'): last word is the last name."""
    words = [w for w in (name or "").split(",")[0].split() if w.upper() not in _TITLES]
    if not words:
        return "", ""
    return words[-1], " ".join(words[:-1])


# --- facts for the file -------------------------------------------------------------------


def provider_facts(session: Session, clinic: Clinic) -> f.BillingProvider:
    b = clinic_billing(session, clinic.id)
    address = (
        f.Address(b.address_line1 or "", b.city or "", b.state or "", b.zip or "")
        if b.address_line1
        else None
    )
    return f.BillingProvider(
        name=b.legal_name or clinic.name,
        npi=clinic.org_npi or "",
        tax_id=digits_of(clinic.tax_id),
        address=address,
        contact_name=b.contact_name or clinic.name,
        phone=b.phone or clinic.phone or "",
    )


class ClaimSource:
    """The clinic's fee table and the cases' deliveries read once, for many claims at a time
    (an export of a thousand claims asks the database a handful of times, not thousands)."""

    def __init__(self, session: Session, clinic_id: int, case_ids) -> None:
        from dme_service.models import BillingEvent

        self.session = session
        self.fees: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
        for entry in fee_table(session, clinic_id):
            key = (entry.hcpcs, entry.purchase_or_rental)
            self.fees.setdefault(key, []).append((entry.effective_from, entry.amount))
        self.deliveries: dict[int, date] = {}
        query = (
            select(BillingEvent.case_id, BillingEvent.delivery)
            .where(BillingEvent.case_id.in_(list(case_ids)), BillingEvent.delivery.is_not(None))
            .order_by(BillingEvent.id)
        )
        for case_id, delivery in session.execute(query):
            if delivery:  # the newest proof of delivery wins, as in readiness.recorded_delivery
                self.deliveries[case_id] = date.fromisoformat(delivery["date"])

    def fee(self, hcpcs: str, kind: str, on: date) -> Decimal | None:
        """The charge in force on `on` (fee_table lists the newest first)."""
        for effective_from, amount in self.fees.get((hcpcs, kind), ()):
            if effective_from <= on:
                return amount
        return None

    def facts(self, case: Case, record: ClaimRecord, line: ClaimLineFacts | None = None):
        return _facts(case, record, line or line_facts(case), self)


def claim_facts(
    session: Session, case: Case, record: ClaimRecord, line: ClaimLineFacts | None = None
) -> f.Claim:
    """The claim as the 837P states it. The charge is the fee table's on the date of service."""
    return ClaimSource(session, case.clinic_id, [case.id]).facts(case, record, line)


def _facts(case: Case, record: ClaimRecord, line: ClaimLineFacts, source: ClaimSource) -> f.Claim:
    patient = case.patient
    address = (
        f.Address(
            patient.address_line1 or "", patient.city or "", patient.state or "", patient.zip or ""
        )
        if patient.address_line1
        else None
    )
    last, first = split_name(patient.name)
    subscriber = f.Subscriber(
        last, first, patient.member_id or "", patient.date_of_birth, patient.sex or "U", address
    )
    entry = directory.entry(case.payer or "", patient.state or "")
    payer = f.Payer(
        case.payer or "",
        entry.name if entry else (case.payer or ""),
        entry.payer_id.value if entry else "",
        entry.claim_filing_code if entry else "",
    )
    signer = case.treating_practitioner
    ordering = None
    if signer is not None:
        o_last, o_first = split_name(signer.name)
        ordering = f.OrderingProvider(o_last, o_first, signer.npi or "")
    kind = record.purchase_or_rental or ""
    served = record.service_date or source.deliveries.get(case.id)
    charge = record.billed
    if charge is None and served is not None and line.hcpcs:
        charge = source.fee(line.hcpcs, kind, served)
    modifiers = tuple(m for m in (kind, *line.decision_modifiers) if m)
    service_line = f.ServiceLine(
        line.hcpcs,
        modifiers,
        charge,
        served,
        1,
        tuple(range(1, min(len(line.diagnoses), 4) + 1)) or (1,),
    )
    return f.Claim(
        control_number=record.control_number,
        subscriber=subscriber,
        payer=payer,
        ordering=ordering,
        diagnoses=line.diagnoses,
        lines=(service_line,),
        prior_auth=record.prior_auth or "",
        label=f"Case {case.id}, {patient.name}",
    )


# --- the biller's claim details -----------------------------------------------------------

SEXES = {"F": "Female", "M": "Male", "U": "Unknown"}
DETAIL_FIELDS = (
    "purchase_or_rental",
    "prior_auth",
    "service_date",
    "address_line1",
    "city",
    "state",
    "zip",
    "sex",
)


def detail_problems(typed: dict, today: date) -> tuple[dict, list[FieldProblem]]:
    """(cleaned values, problems) for the claim details a biller types on the claim page."""
    problems: list[FieldProblem] = []
    cleaned: dict = {}
    kind = (typed.get("purchase_or_rental") or "").strip().upper()
    if kind not in PURCHASE_OR_RENTAL:
        problems.append(FieldProblem("purchase_or_rental", "Choose NU (purchase) or RR (rental)."))
    cleaned["purchase_or_rental"] = kind
    prior_auth = " ".join(str(typed.get("prior_auth") or "").split())
    if len(prior_auth) > 50 or not all(ch.isalnum() or ch in " -/." for ch in prior_auth):
        problems.append(FieldProblem("prior_auth", "Letters, digits and dashes, at most 50."))
    cleaned["prior_auth"] = prior_auth or None
    served = str(typed.get("service_date") or "").strip()
    cleaned["service_date"] = None
    if served:
        try:
            cleaned["service_date"] = date.fromisoformat(served)
        except ValueError:
            problems.append(FieldProblem("service_date", "Give the delivery date (YYYY-MM-DD)."))
        else:
            if cleaned["service_date"] > today:
                problems.append(
                    FieldProblem("service_date", "The date of service is in the future.")
                )
    for field, limit in (("address_line1", 55), ("city", 30)):
        value = " ".join(str(typed.get(field) or "").split())
        if len(value) > limit:
            problems.append(FieldProblem(field, f"At most {limit} characters."))
        cleaned[field] = value or None
    state = str(typed.get("state") or "").strip().upper()
    if state and state not in directory.states():
        problems.append(FieldProblem("state", "Give the two-letter state code, e.g. PA."))
    cleaned["state"] = state or None
    zip_code = str(typed.get("zip") or "").replace("-", "").strip()
    if zip_code and (not zip_code.isdigit() or len(zip_code) not in (5, 9)):
        problems.append(FieldProblem("zip", "Give a 5- or 9-digit ZIP code."))
    cleaned["zip"] = zip_code or None
    sex = str(typed.get("sex") or "U").strip().upper()
    if sex not in SEXES:
        problems.append(FieldProblem("sex", "Choose female, male or unknown."))
    cleaned["sex"] = sex
    return cleaned, problems


def update_details(session: Session, case_id: int, user: User, typed: dict, today: date):
    """Save the claim details (modifier, prior authorization, date of service, the patient's
    address and sex); commits, audited. InvalidInput (422) names each bad field."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff change claim details.")
    cleaned, problems = detail_problems(typed, today)
    if problems:
        raise InvalidInput(problems)
    case = load_case(session, user, case_id, for_update=True)
    record = claim_record(session, case)
    record.purchase_or_rental = cleaned["purchase_or_rental"]
    record.prior_auth = cleaned["prior_auth"]
    record.service_date = cleaned["service_date"]
    patient = case.patient
    for field in ("address_line1", "city", "state", "zip", "sex"):
        setattr(patient, field, cleaned[field])
    audit.record(
        session,
        user=user,
        action="billing.claim.details",
        object_type="case",
        object_id=case.id,
        patient_id=case.patient_id,
    )
    session.commit()
    return record


# --- the clinic as supplier ---------------------------------------------------------------

SUPPLIER_FIELDS = {
    "legal_name": ("Legal name", 60),
    "npi": ("Organization NPI", 10),
    "tax_id": ("Tax id (EIN)", 10),
    "ptan": ("Medicare supplier number (PTAN)", 20),
    "address_line1": ("Street address", 55),
    "city": ("City", 30),
    "state": ("State", 2),
    "zip": ("ZIP+4", 10),
    "phone": ("Phone", 20),
    "contact_name": ("Billing contact", 60),
    "submitter_id": ("Submitter id (from CEDI or the clearinghouse)", 15),
    "receiver_id": ("Receiver id", 15),
    "receiver_name": ("Receiver name", 60),
}
# The supplier facts that are the clinic's own, kept on its profile (models.Clinic) and printed
# on its letters too: billing and the admin's clinic profile edit the same value.
ON_CLINIC_PROFILE = {"npi": "org_npi", "tax_id": "tax_id", "ptan": "ptan"}


def supplier_values(session: Session, clinic_id: int) -> dict[str, str]:
    """The supplier facts as the form shows them: claim fields and the clinic's own."""
    settings = clinic_billing(session, clinic_id)
    clinic = session.get(Clinic, clinic_id)
    values = {}
    for key in SUPPLIER_FIELDS:
        source, name = (
            (clinic, ON_CLINIC_PROFILE[key]) if key in ON_CLINIC_PROFILE else (settings, key)
        )
        values[key] = getattr(source, name) or ""
    return values


def supplier_problems(typed: dict) -> tuple[dict, list[FieldProblem]]:
    """(cleaned values, problems) for the clinic's supplier identity (loop 2010AA, ISA/GS)."""
    from dme_service.claims import scrub

    cleaned = {k: " ".join(str(typed.get(k) or "").split()) for k in SUPPLIER_FIELDS}
    problems = []
    for key, (_label, limit) in SUPPLIER_FIELDS.items():
        if len(cleaned[key]) > limit:
            problems.append(FieldProblem(key, f"At most {limit} characters."))
    if cleaned["npi"] and not scrub.npi_is_valid(cleaned["npi"]):
        problems.append(
            FieldProblem("npi", "Give the clinic's 10-digit NPI (its check digit fails).")
        )
    cleaned["tax_id"] = "".join(ch for ch in cleaned["tax_id"] if ch.isdigit())
    if cleaned["tax_id"] and len(cleaned["tax_id"]) != 9:
        problems.append(FieldProblem("tax_id", "Give the 9-digit EIN."))
    cleaned["state"] = cleaned["state"].upper()
    if cleaned["state"] and cleaned["state"] not in directory.states():
        problems.append(FieldProblem("state", "Give the two-letter state code, e.g. PA."))
    cleaned["zip"] = cleaned["zip"].replace("-", "")
    if cleaned["zip"] and (not cleaned["zip"].isdigit() or len(cleaned["zip"]) != 9):
        problems.append(FieldProblem("zip", "Give the ZIP+4 (nine digits): 5010 claims need it."))
    if cleaned["phone"] and len([ch for ch in cleaned["phone"] if ch.isdigit()]) != 10:
        problems.append(FieldProblem("phone", "Give a 10-digit phone number."))
    for key in ("submitter_id", "receiver_id"):
        if cleaned[key] and not cleaned[key].replace("-", "").isalnum():
            problems.append(FieldProblem(key, "Letters and digits only."))
    return cleaned, problems


def update_supplier(session: Session, user: User, typed: dict) -> ClinicBilling:
    """Save the clinic's supplier identity; commits, audited; InvalidInput names each field."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff and admins change the clinic's billing identity.")
    cleaned, problems = supplier_problems(typed)
    if problems:
        raise InvalidInput(problems)
    settings = clinic_billing(session, user.clinic_id)
    if settings.id is None:
        session.add(settings)
    clinic = session.get(Clinic, user.clinic_id)
    for key, value in cleaned.items():
        if key in ON_CLINIC_PROFILE:
            setattr(clinic, ON_CLINIC_PROFILE[key], value or None)
        else:
            setattr(settings, key, value or None)
    session.flush()
    audit.record(
        session,
        user=user,
        action="billing.supplier.update",
        object_type="clinic",
        object_id=user.clinic_id,
    )
    session.commit()
    return settings
