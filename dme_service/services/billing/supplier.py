"""The clinic as supplier on its claims: NPI, tax id, PTAN, legal name and address, and as
submitter: the billing contact, the submitter and receiver ids.

The supplier's identity is the clinic profile's own (models.Clinic): its NPI, tax id, PTAN,
legal name and address print on letters and packets and go on claims, and billing's supplier
page edits those same values. Only what a submitter alone needs is billing's (ClinicBilling).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import directory, postal
from dme_service.models import Clinic, ClinicBilling, User
from dme_service.services.billing.input import FieldProblem
from dme_service.services.billing.money import (
    ADDRESS_PARTS,
    clinic_billing,
    digits_of,
    profile_identity,
)

SUPPLIER_FIELDS = {
    "legal_name": ("Legal name on claims", 60),
    "npi": ("Organization NPI", 10),
    "tax_id": ("Tax id (EIN)", 10),
    "ptan": ("Medicare supplier number (PTAN)", 20),
    "address_line1": ("Street address", 55),
    "city": ("City", 30),
    "state": ("State", 2),
    "zip": ("ZIP+4", 10),
    "phone": ("Billing contact's phone", 20),
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
# The rest of the profile's that billing edits: the legal name and the address's parts.
FROM_PROFILE = frozenset({"legal_name", *ADDRESS_PARTS, *ON_CLINIC_PROFILE})


def supplier_values(session: Session, clinic_id: int) -> dict[str, str]:
    """The supplier facts as the form shows them and claims carry them: the clinic profile's
    (its legal name, else its name; its address in parts; its numbers) and billing's own
    submitter facts (the contact's phone only where billing gives one)."""
    settings = clinic_billing(session, clinic_id)
    clinic = session.get(Clinic, clinic_id)
    values = dict(profile_identity(clinic))
    for key in SUPPLIER_FIELDS:
        if key in ON_CLINIC_PROFILE:
            values[key] = getattr(clinic, ON_CLINIC_PROFILE[key]) or ""
        elif key not in values:
            values[key] = getattr(settings, key) or ""
    values["file_usage"] = "production" if settings.production_files else "test"
    return values


def profile_names(session: Session, clinic_id: int) -> dict[str, str]:
    """What the supplier page's hints name: the name the clinic goes by and its phone."""
    clinic = session.get(Clinic, clinic_id)
    return {"name": clinic.name or "", "phone": clinic.phone or ""}


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


def _address_problems(cleaned: dict, profile: dict) -> list[FieldProblem]:
    """An address changed here replaces the profile's whole, so it must be whole: street,
    city, state and ZIP (the letterhead prints it, the claim's N3/N4 carry its parts)."""
    if not _address_changed(cleaned, profile):
        return []
    problems = []
    for key, what in (("address_line1", "street"), ("city", "city"), ("state", "state")):
        if not cleaned[key]:
            problems.append(FieldProblem(key, f"Give the {what}: the whole address is needed."))
    if not cleaned["zip"]:
        problems.append(FieldProblem("zip", "Give the ZIP+4 (nine digits): 5010 claims need it."))
    if "," in cleaned["city"]:
        problems.append(FieldProblem("city", "Give the city alone, without a comma."))
    return problems


def _address_changed(cleaned: dict, profile: dict) -> bool:
    return not postal.same(_postal(cleaned), _postal(profile))


def _postal(values: dict) -> postal.PostalAddress:
    return postal.PostalAddress(*(values[key] for key in ADDRESS_PARTS))


def _write_profile(cleaned: dict, clinic: Clinic, profile: dict) -> None:
    """The profile's values billing changed. A legal name typed as the clinic's name is no
    separate legal name; an address kept as the profile has it is left as it was typed."""
    legal = cleaned["legal_name"]
    if legal != profile["legal_name"]:
        clinic.legal_name = legal if legal and legal != (clinic.name or "") else None
    if _address_changed(cleaned, profile):
        clinic.address = postal.joined(_postal(cleaned)) or None
    for key, column in ON_CLINIC_PROFILE.items():
        setattr(clinic, column, cleaned[key] or None)


def update_supplier(session: Session, user: User, typed: dict) -> ClinicBilling:
    """Save the clinic's supplier identity: the profile's values on the clinic profile,
    billing's own on ClinicBilling; commits, audited; InvalidInput names each field."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff and admins change the clinic's billing identity.")
    clinic = session.get(Clinic, user.clinic_id)
    profile = profile_identity(clinic)
    cleaned, problems = supplier_problems(typed, profile)
    problems += _address_problems(cleaned, profile)
    if problems:
        raise InvalidInput(problems)
    settings = clinic_billing(session, user.clinic_id)
    if settings.id is None:
        session.add(settings)
    settings.production_files = cleaned.pop("file_usage") == "production"
    _write_profile(cleaned, clinic, profile)
    if digits_of(cleaned["phone"]) == digits_of(clinic.phone):
        cleaned["phone"] = ""  # the clinic's phone already: claims fall back to it
    for key, value in cleaned.items():
        if key not in FROM_PROFILE:
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
