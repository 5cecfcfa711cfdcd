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


def _without_billing_identity(session, clinic_id):
    from dme_service.models import ClinicBilling

    settings = session.query(ClinicBilling).filter_by(clinic_id=clinic_id).one()
    for key in ("legal_name", "address_line1", "city", "state", "zip", "phone"):
        setattr(settings, key, None)
    clinic = session.get(Clinic, clinic_id)
    clinic.name, clinic.phone = "Lakeside Spine & PT", "217-555-0100"
    clinic.address = "2 Lake St, Springfield, IL 62701-1234"
    session.commit()


def test_billing_starts_from_the_legal_name_address_and_phone_of_the_clinic_profile(
    db_session, billed
):
    biller = billed["billing"]
    _without_billing_identity(db_session, biller.clinic_id)
    values, from_profile = billing_supplier.supplier_form(db_session, biller.clinic_id)
    shown = {k: values[k] for k in ("legal_name", "address_line1", "city", "state", "zip")}
    assert shown == {
        "legal_name": "Lakeside Spine & PT",
        "address_line1": "2 Lake St",
        "city": "Springfield",
        "state": "IL",
        "zip": "627011234",
    }
    assert values["phone"] == "217-555-0100" and "legal_name" in from_profile


def test_the_claim_file_sends_the_profiles_address_and_a_profile_change_reaches_it(
    db_session, billed
):
    biller, admin = billed["billing"], billed["admin"]
    _without_billing_identity(db_session, biller.clinic_id)
    # Saved unchanged from the page: nothing is copied, the profile stays the one source.
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(db_session, biller, typed)
    clinic = db_session.get(Clinic, admin.clinic_id)
    staff.update_clinic(
        db_session, admin, profile(clinic, address="9 Shore Rd, Springfield, IL 62704-5678")
    )
    case = ready_claim(db_session, billed)
    result = claim_export.export(db_session, biller, [case.id], today=TODAY)
    assert result.refused == []
    assert "N3*9 SHORE RD~" in result.file.content.upper()
    assert "N4*SPRINGFIELD*IL*627045678~" in result.file.content.upper()
    assert "NM1*85*2*LAKESIDE SPINE" in result.file.content.upper()


def test_an_address_billing_gives_claims_is_kept_whole(db_session, billed):
    biller = billed["billing"]
    _without_billing_identity(db_session, biller.clinic_id)
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    typed.update(address_line1="PO Box 7", zip="627019999")
    billing_supplier.update_supplier(db_session, biller, typed)
    values, from_profile = billing_supplier.supplier_form(db_session, biller.clinic_id)
    assert (values["address_line1"], values["city"], values["zip"]) == (
        "PO Box 7",
        "Springfield",
        "627019999",
    )
    assert not {"address_line1", "city", "state", "zip"} & from_profile
