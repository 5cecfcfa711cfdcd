"""The claim record of a case and the plain claim facts (`claims.facts`) the 837P and the
scrubber read: identity, the charge (the fee table's, services.billing.fees) and modifiers.

The charge on a claim is the clinic's fee for the HCPCS bought (NU) or rented (RR) in force on
the date of service. The purchase/rental modifier is chosen per claim by the biller; the
KX/GA/GZ modifiers come from the decision (policy article A52476, docs/domain.md §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.claims import directory, postal
from dme_service.claims import facts as f
from dme_service.models import Case, ClaimRecord, Clinic, ClinicBilling
from dme_service.services import signing
from dme_service.services.billing.fees import fee_table
from dme_service.services.billing.records import claim_record, claim_records, control_number

__all__ = ["claim_record", "claim_records", "control_number"]  # the claim record, read here too

_TITLES = {"DR", "DR.", "MR", "MR.", "MS", "MS.", "MRS", "MRS."}


@dataclass(frozen=True)
class ClaimLineFacts:
    """What the case says the claim's line is, before the money."""

    hcpcs: str
    decision_modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]


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


ADDRESS_PARTS = ("address_line1", "city", "state", "zip")


def profile_identity(clinic: Clinic) -> dict[str, str]:
    """The supplier's name and address as claims carry them, from the clinic profile (the one
    place they are kept): its legal name, else the name it goes by; its address split into
    the parts loop 2010AA has."""
    address = postal.split(clinic.address)
    return {
        "legal_name": clinic.legal_name or clinic.name or "",
        "address_line1": address.line1,
        "city": address.city,
        "state": address.state,
        "zip": address.zip,
    }


def provider_facts(session: Session, clinic: Clinic) -> f.BillingProvider:
    b = clinic_billing(session, clinic.id)
    values = profile_identity(clinic)
    address = (
        f.Address(values["address_line1"], values["city"], values["state"], values["zip"])
        if values["address_line1"]
        else None
    )
    return f.BillingProvider(
        name=values["legal_name"],
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
