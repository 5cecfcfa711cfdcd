"""One home for the clinic's NPI, tax id and PTAN: the clinic profile. The admin's profile and
billing's supplier page edit the same value, and the claim file sends it."""

from __future__ import annotations

from datetime import date

from dme_service.models import Clinic
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import supplier as billing_supplier
from dme_service.services.clinic import staff
from dme_service.services.clinic.checks import ClinicDetails
from services.billing.ready_claims import ready_claim

TODAY = date(2026, 12, 1)


def profile(clinic: Clinic, **changes) -> ClinicDetails:
    values = {
        "name": clinic.name,
        "timezone": clinic.timezone,
        "phone": clinic.phone,
        "fax": clinic.fax,
        "address": clinic.address,
        "org_npi": clinic.org_npi,
        "tax_id": clinic.tax_id,
        "ptan": clinic.ptan,
        "patient_link_days": clinic.patient_link_days,
        "default_lang": clinic.default_lang,
    }
    return ClinicDetails(**{**values, **changes})


def test_the_npi_and_tax_id_the_admin_types_are_those_the_claim_file_sends(db_session, billed):
    admin = billed["admin"]
    clinic = db_session.get(Clinic, admin.clinic_id)
    staff.update_clinic(
        db_session, admin, profile(clinic, org_npi="1922334457", tax_id="42-1234567")
    )
    case = ready_claim(db_session, billed)
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.refused == []
    assert "NM1*85*2*" in result.file.content and "*XX*1922334457~" in result.file.content
    assert "REF*EI*421234567~" in result.file.content


def test_billing_edits_the_same_npi_tax_id_and_ptan_the_profile_holds(db_session, billed):
    biller = billed["billing"]
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    assert typed["npi"] == "1234567893"  # what the clinic profile holds
    typed.update(npi="1922334457", tax_id="42-1234567", ptan="LK1234567", zip="191031234")
    billing_supplier.update_supplier(db_session, biller, typed)
    db_session.expire_all()
    clinic = db_session.get(Clinic, biller.clinic_id)
    assert (clinic.org_npi, clinic.tax_id, clinic.ptan) == ("1922334457", "421234567", "LK1234567")
    assert billing_supplier.supplier_values(db_session, biller.clinic_id)["ptan"] == "LK1234567"


def test_claim_files_are_test_files_until_billing_chooses_production(db_session, billed):
    """ISA15: a clearinghouse or CEDI processes only production (P) files for payment; every
    file used to say T, and nothing could change it."""
    biller = billed["billing"]
    assert billing_supplier.supplier_values(db_session, biller.clinic_id)["file_usage"] == "test"
    first = claim_export.export(db_session, biller, [ready_claim(db_session, billed).id],
                                today=TODAY).file  # fmt: skip
    assert first.content.split("*")[15] == "T" and not claim_export.is_production(first)

    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(db_session, biller, {**typed, "file_usage": "production"})
    second = claim_export.export(db_session, biller, [ready_claim(db_session, billed).id],
                                 today=TODAY).file  # fmt: skip
    assert second.content.split("*")[15] == "P" and claim_export.is_production(second)
    assert not claim_export.is_production(first)  # a file already made keeps what it was


def test_an_unknown_file_usage_is_named_beside_its_field(db_session, billed):
    typed = billing_supplier.supplier_values(db_session, billed["billing"].clinic_id)
    _, problems = billing_supplier.supplier_problems({**typed, "file_usage": "live"})
    assert [(p.field, p.message) for p in problems] == [
        ("file_usage", "Choose test files or production files.")
    ]
