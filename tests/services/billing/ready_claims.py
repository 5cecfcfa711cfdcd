"""Claims ready to submit, with the clinic's billing identity and fee table, for the claim-file
and remittance tests (and the CLI's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dme_service.models import Case, Clinic, ClinicBilling, FeeScheduleEntry
from dme_service.services import signing
from dme_service.services.billing import claim as billing
from dme_service.services.billing import money as claim_money
from services.claim_cases import stored_case

DELIVERY = {"date": "2026-11-20", "method": "in_clinic", "received_by": "Jane Q. Doe"}
SERVICE_DATE = date(2026, 11, 20)
CLINIC_NPI = "1234567893"


def set_up_billing(session, clinic_id: int, user_id: int) -> ClinicBilling:
    """The clinic as supplier and submitter, and its E0860/E0849 charges."""
    clinic = session.get(Clinic, clinic_id)
    clinic.org_npi, clinic.tax_id = CLINIC_NPI, "123456789"
    clinic.legal_name = "Test Spine Clinic LLC"
    clinic.address = "1 Main St, Philadelphia, PA 19103-1234"
    settings = ClinicBilling(
        clinic_id=clinic_id,
        phone="555-555-0100",
        contact_name="Billing Office",
        submitter_id="A1234",
        last_control_number=0,
    )
    session.add(settings)
    for hcpcs, amount in (("E0860", "150.00"), ("E0849", "1295.50")):
        session.add(
            FeeScheduleEntry(
                clinic_id=clinic_id,
                hcpcs=hcpcs,
                purchase_or_rental="NU",
                amount=Decimal(amount),
                effective_from=date(2026, 1, 1),
                created_by_id=user_id,
            )
        )
    session.commit()
    return settings


def ready_claim(
    session,
    people,
    *,
    address=True,
    patient_name=None,
    delivery=DELIVERY,
    service_date=None,
    **changes,
) -> Case:
    """A signed case moved to ready to submit, with proof of delivery on file unless
    `delivery` is None, and `service_date` typed in the claim details when given."""
    case = stored_case(
        session, people["clinician"], people["practitioner"], patient_name=patient_name, **changes
    )
    signing.sign(session, case.id, people["practitioner"], expected_version=case.version)
    session.expire_all()
    case = session.get(Case, case.id)
    if address:
        patient = case.patient
        patient.address_line1, patient.city = "12 Elm St", "Philadelphia"
        patient.state, patient.zip, patient.sex = "PA", "19104", "M"
        session.commit()
    if service_date is not None:
        claim_money.claim_record(session, case).service_date = service_date
        session.commit()
    billing.transition(
        session,
        case.id,
        "ready_to_submit",
        people["billing"],
        expected_version=session.get(Case, case.id).version,
        delivery=delivery,
    )
    session.expire_all()
    return session.get(Case, case.id)


def billing_people(make_user, monkeypatch, session):
    """The four roles of one clinic, its billing set up, and signing without WeasyPrint."""
    from services.claim_cases import fake_render

    monkeypatch.setattr(signing, "_render_signed", fake_render)
    people = {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="MD"),
        "billing": make_user("billing"),
        "admin": make_user("admin"),
    }
    set_up_billing(session, people["billing"].clinic_id, people["billing"].id)
    return people
