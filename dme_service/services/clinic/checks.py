"""What makes a clinic's or a user's details acceptable, as `field: message` problems.

Pure (no database): the CLI, the admin pages and the demo seeder ask the same questions, and
each answer names the field so the CLI prints `--option: message` and a form puts the message
beside its field.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass

from dme_service.coding import codes
from dme_service.models.accounts import CREDENTIALS, ROLES, SIGNING_CREDENTIALS

# A practical address check (RFC 5321 limits; one @, a dotted domain, no spaces): the
# invitation mail is the real test, this one catches typing slips.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
EMAIL_MAX = 254
NAME_MAX = 200
PHONE_MAX = 40
LEGAL_NAME_MAX = 60
LANGUAGES = ("en", "es")
LINK_DAYS = (1, 365)  # patient-link lifetime bounds, in days (security.md AUTH-7: a setting)


@dataclass(frozen=True)
class Problem:
    """One problem with one field: `field` is the option's or the form field's name."""

    field: str
    message: str


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    timezone: str
    phone: str | None = None
    fax: str | None = None
    address: str | None = None
    org_npi: str | None = None
    tax_id: str | None = None
    ptan: str | None = None
    patient_link_days: int = 90
    default_lang: str = "en"
    # The name payers have the supplier enrolled under, when not `name` (models.Clinic).
    legal_name: str | None = None


@dataclass(frozen=True)
class UserDetails:
    email: str
    name: str
    role: str
    credential: str | None = None
    npi: str | None = None
    outside: bool = False


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def email_problem(email: str) -> str | None:
    address = (email or "").strip()
    if not address:
        return "Give an e-mail address."
    if len(address) > EMAIL_MAX or not _EMAIL.match(address):
        return f"{address!r} is not an e-mail address (like name@clinic.org)."
    return None


def timezone_problem(zone: str) -> str | None:
    if not zone:
        return "Give the clinic's time zone, like America/Chicago."
    if zone not in known_zones():
        return (
            f"{zone!r} is not a time zone name; use one like America/Chicago or America/New_York."
        )
    return None


def npi_problem(npi: str) -> str | None:
    if not re.fullmatch(r"[0-9]{10}", npi):
        return f"An NPI has 10 digits; {npi!r} does not."
    if not codes.npi_is_valid(npi):
        return f"{npi} is not a valid NPI: its check digit does not match. Check for a typo."
    return None


def name_problem(name: str, what: str = "a name") -> str | None:
    if not (name or "").strip():
        return f"Give {what}."
    if len(name) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters."
    return None


def clinic_problems(details: ClinicDetails) -> list[Problem]:
    """Everything wrong with a clinic's details (empty list when fine)."""
    found = []
    checks = {
        "name": name_problem(details.name, "the clinic's name"),
        "timezone": timezone_problem(details.timezone),
        "org_npi": npi_problem(details.org_npi) if details.org_npi else None,
        "phone": _short(details.phone, PHONE_MAX),
        "fax": _short(details.fax, PHONE_MAX),
        "address": _short(details.address, 500),
        # 837P NM103 holds 60 characters (x12 5010 loop 2010AA).
        "legal_name": _short(details.legal_name, LEGAL_NAME_MAX),
        "tax_id": _tax_id_problem(details.tax_id),
        "ptan": _short(details.ptan, 20),
        "patient_link_days": _link_days_problem(details.patient_link_days),
        "default_lang": None
        if details.default_lang in LANGUAGES
        else "Choose English (en) or Spanish (es).",
    }
    for field, message in checks.items():
        if message:
            found.append(Problem(field, message))
    return found


def user_problems(details: UserDetails) -> list[Problem]:
    """Everything wrong with a user's details; the e-mail's uniqueness is the service's."""
    found = []
    if message := email_problem(details.email):
        found.append(Problem("email", message))
    if message := name_problem(details.name, "the person's name"):
        found.append(Problem("name", message))
    if details.role not in ROLES:
        found.append(Problem("role", f"Choose one of {', '.join(ROLES)}."))
    found += _credential_problems(details)
    return found


def _credential_problems(details: UserDetails) -> list[Problem]:
    found = []
    credential, npi = details.credential, details.npi
    if credential and credential not in CREDENTIALS:
        found.append(Problem("credential", f"Use one of {', '.join(CREDENTIALS)}."))
    if npi and (message := npi_problem(npi)):
        found.append(Problem("npi", message))
    if details.role == "practitioner":
        # 42 CFR 410.38(c)(2): only physicians, PA, NP and CNS may sign a DME order.
        if credential not in SIGNING_CREDENTIALS:
            held = credential or "no credential"
            found.append(
                Problem(
                    "credential",
                    f"A practitioner signs orders, which {held} may not; "
                    f"use one of {', '.join(SIGNING_CREDENTIALS)}.",
                )
            )
        if not npi:
            found.append(Problem("npi", "A practitioner needs an NPI to sign orders."))
    elif details.outside:
        found.append(Problem("outside", "Only a practitioner can be from outside the clinic."))
    return found


def _short(value: str | None, limit: int) -> str | None:
    if value and len(value) > limit:
        return f"Use at most {limit} characters."
    return None


def _tax_id_problem(value: str | None) -> str | None:
    if value and not re.fullmatch(r"[0-9]{2}-?[0-9]{7}", value):
        return "A tax id (EIN) has 9 digits, like 12-3456789."
    return None


def _link_days_problem(days: int) -> str | None:
    low, high = LINK_DAYS
    if not isinstance(days, int) or not low <= days <= high:
        return f"Give a whole number of days from {low} to {high}."
    return None
