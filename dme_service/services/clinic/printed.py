"""The clinic as its documents print it: one place turns the clinic profile (models.Clinic)
into the letterhead's facts, so every letter, order, instruction sheet and packet shows the
same name, address, phone, fax, organization NPI, PTAN, tax id and legal name; and the
signature as they print it, its time in the clinic's zone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service.documents import wording
from dme_service.models import Case, Clinic
from dme_service.services.clinic.clinic_time import local
from dme_service.store.signed_content import SignatureCheck, check_signature


def printed_clinic(clinic: Clinic) -> wording.Clinic:
    return wording.Clinic(
        name=clinic.name,
        phone=clinic.phone,
        address=clinic.address,
        fax=clinic.fax,
        npi=clinic.org_npi,
        ptan=clinic.ptan,
        tax_id=clinic.tax_id,
        legal_name=clinic.legal_name,
    )


def current_signature(
    session: Session, case: Case, zone: str | None = None
) -> wording.Signature | None:
    """The signature the documents print: the case's standing signature, only while it still
    covers the case (recomputed now, so an edit made behind the ORM's back is caught: RET-2),
    its time in the clinic's zone `zone`."""
    return printed_signature(check_signature(session, case), zone)


def printed_signature(check: SignatureCheck, zone: str | None) -> wording.Signature | None:
    """A signature check as the documents print it: None unless it still covers the case."""
    if not check.valid:
        return None
    row = check.signature
    signed_at = local(row.signed_at, zone) if zone else row.signed_at
    return wording.Signature(
        name=row.signer.name,
        credential=row.credential,
        npi=row.npi,
        signed_at=signed_at,
        method=row.method,
        uploaded_by=row.uploaded_by.name if row.uploaded_by is not None else None,
        scan_sha256=row.scan.sha256 if row.scan is not None else None,
    )
