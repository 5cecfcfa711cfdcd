"""The demo clinic's billing: its supplier identity, fee table, patients' addresses, and one
signed Medicare claim ready to submit, so `dme-service claims export --ready` works at once.

Every identifier here is made up (the NPI and EIN only pass their format checks).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

# The clinic's own identity (its profile: printed on letters and packets, sent on claims).
PROFILE = {
    "org_npi": "1922334457",  # Luhn-valid over 80840, not a real provider
    "tax_id": "421234567",
    "ptan": "DEMO12345",
    "fax": "(555) 014-2291",
    "legal_name": "Riverside Spine and Physical Therapy LLC",
}
# What the submitter alone needs (the contact's phone is the clinic's: none of its own).
BILLING = {
    "contact_name": "Priya Shah",
    "submitter_id": "DEMO0001",
    "receiver_id": "CEDI",
    "receiver_name": "CEDI",
}
# HCPCS, purchase (NU) or rental (RR), the clinic's charge.
FEES = (
    ("E0860", "NU", "150.00"),
    ("E0860", "RR", "25.00"),
    ("E0849", "NU", "1295.00"),
    ("E0855", "NU", "1450.00"),
)
# Where the demo patients live, by case position: Pennsylvania (DME MAC A) and Ohio (B).
ADDRESSES = (
    ("18 Maple Avenue", "Springfield", "PA", "19064", "F"),
    ("7 Quarry Lane", "Media", "PA", "19063", "M"),
    ("220 Lake Shore Drive", "Cleveland", "OH", "44114", "F"),
    ("5 Orchard Court", "Swarthmore", "PA", "19081", "M"),
    ("91 Station Road", "Wallingford", "PA", "19086", "F"),
    ("3 Birch Street", "Springfield", "PA", "19064", "M"),
)
DELIVERED_DAYS_AGO = 2


def seed(session, clinic, users, cases, today: date) -> None:
    """Billing identity, fee table and addresses; the first Medicare E0860 case signed, with
    proof of delivery, moved to ready to submit (commits, as the services do)."""
    from dme_service.models import ClinicBilling, FeeScheduleEntry

    for key, value in PROFILE.items():
        if not getattr(clinic, key):
            setattr(clinic, key, value)
    session.add(ClinicBilling(clinic_id=clinic.id, last_control_number=0, **BILLING))
    for hcpcs, kind, amount in FEES:
        session.add(
            FeeScheduleEntry(
                clinic_id=clinic.id,
                hcpcs=hcpcs,
                purchase_or_rental=kind,
                amount=Decimal(amount),
                effective_from=date(today.year, 1, 1),
                created_by_id=users["billing"].id,
            )
        )
    for case, (line1, city, state, zip_code, sex) in zip(cases, ADDRESSES, strict=False):
        patient = case.patient
        patient.address_line1, patient.city, patient.state = line1, city, state
        patient.zip, patient.sex = zip_code, sex
    session.commit()
    ready = next(
        (c for c in cases if c.payer == "medicare" and c.billing_state == "awaiting_signature"),
        None,
    )
    if ready is not None:
        _sign_and_ready(session, ready, users, today)


def _sign_and_ready(session, case, users, today: date) -> None:
    from dme_service.services import signing
    from dme_service.services.billing import claim as billing

    signing.sign(session, case.id, users["practitioner"], expected_version=case.version)
    session.refresh(case)
    delivered = (today - timedelta(days=DELIVERED_DAYS_AGO)).isoformat()
    billing.transition(
        session,
        case.id,
        "ready_to_submit",
        users["billing"],
        expected_version=case.version,
        note="Demo: signed order and proof of delivery on file.",
        delivery={"date": delivered, "method": "in_clinic", "received_by": "the patient"},
    )
