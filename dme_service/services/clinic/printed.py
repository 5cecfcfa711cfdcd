"""The clinic as its documents print it: one place turns the clinic profile (models.Clinic)
into the letterhead's facts, so every letter, order, instruction sheet and packet shows the
same name, address, phone, fax, organization NPI, PTAN and tax id."""

from __future__ import annotations

from dme_service.documents import wording
from dme_service.models import Clinic


def printed_clinic(clinic: Clinic) -> wording.Clinic:
    return wording.Clinic(
        name=clinic.name,
        phone=clinic.phone,
        address=clinic.address,
        fax=clinic.fax,
        npi=clinic.org_npi,
        ptan=clinic.ptan,
        tax_id=clinic.tax_id,
    )
