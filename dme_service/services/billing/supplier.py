"""The clinic as supplier on its claims: NPI, tax id, PTAN, taxonomy and the pay-to address;
the NPI, tax id and PTAN are the clinic profile's own (the letters print them too), and the
legal name, address and phone are the profile's unless billing gives claims other ones."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import directory
from dme_service.models import Clinic, ClinicBilling, User
from dme_service.services.billing.input import FieldProblem
from dme_service.services.billing.money import (
    ADDRESS_PARTS,
    clinic_billing,
    digits_of,
    profile_identity,
    supplier_identity,
)

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
# ISA15 of every claim file: a clearinghouse or CEDI processes only production files for
# payment, and asks for test files while it tests a new submitter's enrollment.
FILE_USAGE = {
    "test": "Test files: the payer or clearinghouse is still testing our enrollment",
    "production": "Production files: claims to be processed for payment",
}
# The supplier facts that are the clinic's own, kept on its profile (models.Clinic) and printed
# on its letters too: billing and the admin's clinic profile edit the same value.
ON_CLINIC_PROFILE = {"npi": "org_npi", "tax_id": "tax_id", "ptan": "ptan"}


def supplier_values(session: Session, clinic_id: int) -> dict[str, str]:
    """The supplier facts as the form shows them and claims carry them: claim fields, the
    clinic's own, and its name, address and phone from the profile unless billing keeps
    others (`from_profile` below names those)."""
    return supplier_form(session, clinic_id)[0]


def supplier_form(session: Session, clinic_id: int) -> tuple[dict[str, str], set[str]]:
    """(the values, the keys shown from the clinic profile)."""
    settings = clinic_billing(session, clinic_id)
    clinic = session.get(Clinic, clinic_id)
    identity, followed = supplier_identity(settings, clinic)
    values = {}
    for key in SUPPLIER_FIELDS:
        if key in ON_CLINIC_PROFILE:
            values[key] = getattr(clinic, ON_CLINIC_PROFILE[key]) or ""
        else:
            values[key] = identity[key] if key in identity else (getattr(settings, key) or "")
    values["file_usage"] = "production" if settings.production_files else "test"
    return values, followed


def supplier_problems(typed: dict, profile: dict | None = None) -> tuple[dict, list[FieldProblem]]:
    """(cleaned values, problems) for the clinic's supplier identity (loop 2010AA, ISA/GS).
    A ZIP code left as the clinic profile has it (`profile`) is not refused here: the other
    fields still save, and the export asks for the ZIP+4."""
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
    as_profile = profile is not None and cleaned["zip"] == profile.get("zip")
    if (
        cleaned["zip"]
        and not as_profile
        and (not cleaned["zip"].isdigit() or len(cleaned["zip"]) != 9)
    ):
        problems.append(FieldProblem("zip", "Give the ZIP+4 (nine digits): 5010 claims need it."))
    if cleaned["phone"] and len([ch for ch in cleaned["phone"] if ch.isdigit()]) != 10:
        problems.append(FieldProblem("phone", "Give a 10-digit phone number."))
    for key in ("submitter_id", "receiver_id"):
        if cleaned[key] and not cleaned[key].replace("-", "").isalnum():
            problems.append(FieldProblem(key, "Letters and digits only."))
    cleaned["file_usage"] = str(typed.get("file_usage") or "test")
    if cleaned["file_usage"] not in FILE_USAGE:
        problems.append(FieldProblem("file_usage", "Choose test files or production files."))
    return cleaned, problems


def _follow_profile(cleaned: dict, clinic: Clinic) -> None:
    """Values typed as the clinic profile has them are not kept twice: billing's copy stays
    empty, so a change on the profile reaches the claims. The address goes as a whole."""
    profile = profile_identity(clinic)
    if cleaned["legal_name"] == profile["legal_name"]:
        cleaned["legal_name"] = ""
    if digits_of(cleaned["phone"]) == digits_of(profile["phone"]):
        cleaned["phone"] = ""
    if all(cleaned[key].upper() == profile[key].upper() for key in ADDRESS_PARTS):
        for key in ADDRESS_PARTS:
            cleaned[key] = ""


def update_supplier(session: Session, user: User, typed: dict) -> ClinicBilling:
    """Save the clinic's supplier identity; commits, audited; InvalidInput names each field."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff and admins change the clinic's billing identity.")
    clinic = session.get(Clinic, user.clinic_id)
    cleaned, problems = supplier_problems(typed, profile_identity(clinic))
    if problems:
        raise InvalidInput(problems)
    settings = clinic_billing(session, user.clinic_id)
    if settings.id is None:
        session.add(settings)
    settings.production_files = cleaned.pop("file_usage") == "production"
    _follow_profile(cleaned, clinic)
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
