"""Readiness checklist lines about the signed order: its six SWO elements, the signature,
and an order date no later than the claim (42 CFR 410.38(d), PIM 100-08 ch. 5 §5.2).

Separate from `services.record_checks` (what the medical record must show) because these
lines read the signature and the case's rows, never the parsed case and its decision, so they
still stand when the case no longer parses.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import BillingEvent, Case, Clinic
from dme_service.services.billing.readiness_item import ReadinessItem
from dme_service.services.clinic.clinic_time import human_date, human_datetime, local_date
from dme_service.store.signed_content import SignatureCheck


def swo_item(case: Case, check: SignatureCheck) -> ReadinessItem:
    """42 CFR 410.38(d)(1): the SWO's six elements (PIM §5.2.2)."""
    label = "Standard written order has its six elements"
    rx, patient, signer = case.home_prescription, case.patient, case.treating_practitioner
    gaps = []
    if not (patient.name or patient.member_id):
        gaps.append("beneficiary name or MBI")
    if rx is None or not rx.hcpcs:
        gaps.append("item (HCPCS code)")
    if signer is None or not (signer.name or signer.npi):
        gaps.append("treating practitioner name or NPI")
    if not check.valid:
        gaps.append("order date and practitioner signature (set when the practitioner signs)")
    if gaps:
        follows = "signature" if len(gaps) == 1 and not check.valid else None
        detail = "Missing: " + "; ".join(gaps) + "."
        return ReadinessItem("swo", label, False, detail, follows=follows)
    return ReadinessItem(
        "swo",
        label,
        True,
        f"Beneficiary, {rx.hcpcs}, quantity 1, order date, {signer.name} and signature "
        "are on the signed SWO.",
    )


def signature_item(check: SignatureCheck, zone: str | None = None) -> ReadinessItem:
    """RET-2: a signature present, not voided, and still matching the case; its time in the
    clinic's zone."""
    label = "Signed by the treating practitioner, signature not voided"
    if not check.valid:
        return ReadinessItem("signature", label, False, check.problem or "Not signed yet.")
    signature = check.signature
    return ReadinessItem(
        "signature",
        label,
        True,
        f"Signed by {signature.signer.name}, {signature.credential} (NPI {signature.npi}) "
        f"on {human_datetime(signature.signed_at, zone)}.",
    )


def clinic_zone(session: Session, clinic_id: int) -> str | None:
    """The IANA zone of the clinic: its days are the days of orders, submissions and today."""
    return session.scalar(select(Clinic.timezone).where(Clinic.id == clinic_id))


def order_date_item(
    session, case, check: SignatureCheck, today: date, zone: str | None = None
) -> ReadinessItem:
    """42 CFR 410.38(d)(1)(ii)(B): the order must reach the supplier before the claim.

    Both days are the clinic's calendar days (`zone`): the SWO prints the order date that way,
    so an order signed at 7 pm in Chicago is not "after" a claim submitted later that evening."""
    label = "Order date on or before submission"
    if not check.valid:
        return ReadinessItem(
            "order_date", label, False, "No valid order date until signed.", follows="signature"
        )
    ordered = local_date(check.signature.signed_at, zone)
    submitted = _first_submission(session, case.id, zone)
    when = submitted or today
    if ordered > when:
        return ReadinessItem(
            "order_date",
            label,
            False,
            f"The order ({human_date(ordered)}) is dated after {human_date(when)}.",
        )
    words = f"submitted {human_date(submitted)}" if submitted else "not submitted yet"
    return ReadinessItem("order_date", label, True, f"Ordered {human_date(ordered)}; {words}.")


def _first_submission(session: Session, case_id: int, zone: str | None) -> date | None:
    query = select(BillingEvent.at).where(
        BillingEvent.case_id == case_id, BillingEvent.to_state == "submitted"
    )
    first = session.scalars(query.order_by(BillingEvent.id)).first()
    return local_date(first, zone) if first else None
