"""One home for the clinic's NPI, tax id, PTAN, legal name and address: the clinic profile. The
admin's profile and billing's supplier page edit the same value, and the claim file sends it."""

from __future__ import annotations

from datetime import date

from dme_service.models import Clinic
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import supplier as billing_supplier
from dme_service.services.billing.claim import InvalidInput
from dme_service.services.clinic import staff
from dme_service.services.clinic.checks import ClinicDetails
from dme_service.services.clinic.printed import printed_clinic
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
        "legal_name": clinic.legal_name,
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


def _lakeside(session, clinic_id):
    """A clinic profile with a name, phone and address, and no legal name of its own."""
    clinic = session.get(Clinic, clinic_id)
    clinic.name, clinic.phone, clinic.legal_name = "Lakeside Spine & PT", "217-555-0100", None
    clinic.address = "2 Lake St\nSpringfield, IL 62701-1234"
    session.commit()
    return clinic


def _export(session, people):
    case = ready_claim(session, people)
    result = claim_export.export(session, people["billing"], [case.id], today=TODAY)
    assert result.refused == []
    return result.file.content.upper()


def test_billing_shows_the_legal_name_and_address_the_clinic_profile_holds(db_session, billed):
    biller = billed["billing"]
    _lakeside(db_session, biller.clinic_id)
    values = billing_supplier.supplier_values(db_session, biller.clinic_id)
    shown = {k: values[k] for k in ("legal_name", "address_line1", "city", "state", "zip")}
    assert shown == {
        "legal_name": "Lakeside Spine & PT",
        "address_line1": "2 Lake St",
        "city": "Springfield",
        "state": "IL",
        "zip": "627011234",
    }
    # The contact's phone is billing's own; the clinic's phone goes on claims without one.
    assert values["phone"] == "555-555-0100"


def test_a_legal_name_billing_gives_is_the_profiles_and_claims_carry_it(db_session, billed):
    """Loop 2010AA must name the supplier as the payer has it enrolled; the letterhead keeps
    the name the clinic goes by. One value, kept on the profile, whichever page edits it."""
    biller, admin = billed["billing"], billed["admin"]
    _lakeside(db_session, biller.clinic_id)
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(
        db_session, biller, {**typed, "legal_name": "Lakeside Spine and PT LLC"}
    )
    db_session.expire_all()
    clinic = db_session.get(Clinic, admin.clinic_id)
    assert (clinic.name, clinic.legal_name) == ("Lakeside Spine & PT", "Lakeside Spine and PT LLC")
    printed = printed_clinic(clinic)
    assert printed.name == "Lakeside Spine & PT"
    assert printed.supplier_name == "Lakeside Spine and PT LLC"
    content = _export(db_session, billed)
    assert "NM1*85*2*LAKESIDE SPINE AND PT LLC*" in content
    assert "NM1*41*2*LAKESIDE SPINE AND PT LLC*" in content

    # The administrator's profile shows and edits the same legal name.
    staff.update_clinic(db_session, admin, profile(clinic, legal_name="Lakeside Holdings LLC"))
    values = billing_supplier.supplier_values(db_session, biller.clinic_id)
    assert values["legal_name"] == "Lakeside Holdings LLC"


def test_a_legal_name_typed_as_the_clinics_name_is_no_name_of_its_own(db_session, billed):
    biller, admin = billed["billing"], billed["admin"]
    clinic = _lakeside(db_session, biller.clinic_id)
    clinic.legal_name = "Lakeside Spine and PT LLC"
    db_session.commit()
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(db_session, biller, {**typed, "legal_name": clinic.name})
    db_session.expire_all()
    assert db_session.get(Clinic, admin.clinic_id).legal_name is None
    # So a later change of the clinic's name reaches the claims.
    clinic = db_session.get(Clinic, admin.clinic_id)
    staff.update_clinic(db_session, admin, profile(clinic, name="Lakeside Spine Center"))
    assert "NM1*85*2*LAKESIDE SPINE CENTER*" in _export(db_session, billed)


def test_the_claim_file_sends_the_profiles_address_and_a_profile_change_reaches_it(
    db_session, billed
):
    biller, admin = billed["billing"], billed["admin"]
    _lakeside(db_session, biller.clinic_id)
    # Saved unchanged from the page: the profile's text stays as the administrator typed it.
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(db_session, biller, typed)
    clinic = db_session.get(Clinic, admin.clinic_id)
    assert clinic.address == "2 Lake St\nSpringfield, IL 62701-1234"
    staff.update_clinic(
        db_session, admin, profile(clinic, address="9 Shore Rd, Springfield, IL 62704-5678")
    )
    content = _export(db_session, billed)
    assert "N3*9 SHORE RD~" in content
    assert "N4*SPRINGFIELD*IL*627045678~" in content
    assert "NM1*85*2*LAKESIDE SPINE" in content


def test_an_address_billing_changes_is_the_profiles_the_letterhead_prints_it(db_session, billed):
    biller, admin = billed["billing"], billed["admin"]
    _lakeside(db_session, biller.clinic_id)
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    typed.update(address_line1="410 River Road, Suite 200", city="Springfield", zip="62701-9999")
    billing_supplier.update_supplier(db_session, biller, typed)
    db_session.expire_all()
    clinic = db_session.get(Clinic, admin.clinic_id)
    assert clinic.address == "410 River Road, Suite 200, Springfield, IL 62701-9999"
    assert printed_clinic(clinic).address == clinic.address
    values = billing_supplier.supplier_values(db_session, biller.clinic_id)
    assert (values["address_line1"], values["city"], values["state"], values["zip"]) == (
        "410 River Road, Suite 200",
        "Springfield",
        "IL",
        "627019999",
    )
    content = _export(db_session, billed)
    assert "N3*410 RIVER ROAD, SUITE 200~" in content
    assert "N4*SPRINGFIELD*IL*627019999~" in content


def test_a_changed_address_must_be_whole(db_session, billed):
    biller = billed["billing"]
    clinic = _lakeside(db_session, biller.clinic_id)
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    typed.update(address_line1="9 Shore Rd", city="", state="", zip="")
    try:
        billing_supplier.update_supplier(db_session, biller, typed)
    except InvalidInput as refused:
        fields = {problem.field for problem in refused.errors}
    else:
        raise AssertionError("an address without its city, state and ZIP was saved")
    assert fields == {"city", "state", "zip"}
    db_session.expire_all()
    assert db_session.get(Clinic, clinic.id).address == "2 Lake St\nSpringfield, IL 62701-1234"


def test_the_billing_contacts_phone_is_billings_else_the_clinics(db_session, billed):
    biller = billed["billing"]
    _lakeside(db_session, biller.clinic_id)
    typed = billing_supplier.supplier_values(db_session, biller.clinic_id)
    billing_supplier.update_supplier(db_session, biller, {**typed, "phone": ""})
    assert "PER*IC*BILLING OFFICE*TE*2175550100~" in _export(db_session, billed)
    billing_supplier.update_supplier(db_session, biller, {**typed, "phone": "215-555-0199"})
    assert "PER*IC*BILLING OFFICE*TE*2155550199~" in _export(db_session, billed)
