"""The biller's details of one claim: the purchase/rental modifier, prior authorization, date
of service and the patient's sex and address as the 837P needs them; checked in the biller's
words, saved with an audit row."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import directory
from dme_service.models import User
from dme_service.services.billing.fees import PURCHASE_OR_RENTAL
from dme_service.services.billing.input import FieldProblem
from dme_service.services.billing.money import claim_record
from dme_service.store.cases import load_case

SEXES = {"F": "Female", "M": "Male", "U": "Unknown"}
DETAIL_FIELDS = (
    "purchase_or_rental",
    "prior_auth",
    "service_date",
    "address_line1",
    "city",
    "state",
    "zip",
    "sex",
)


def detail_problems(typed: dict, today: date) -> tuple[dict, list[FieldProblem]]:
    """(cleaned values, problems) for the claim details a biller types on the claim page."""
    problems: list[FieldProblem] = []
    cleaned: dict = {}
    kind = (typed.get("purchase_or_rental") or "").strip().upper()
    if kind not in PURCHASE_OR_RENTAL:
        problems.append(FieldProblem("purchase_or_rental", "Choose NU (purchase) or RR (rental)."))
    cleaned["purchase_or_rental"] = kind
    prior_auth = " ".join(str(typed.get("prior_auth") or "").split())
    if len(prior_auth) > 50 or not all(ch.isalnum() or ch in " -/." for ch in prior_auth):
        problems.append(FieldProblem("prior_auth", "Letters, digits and dashes, at most 50."))
    cleaned["prior_auth"] = prior_auth or None
    served = str(typed.get("service_date") or "").strip()
    cleaned["service_date"] = None
    if served:
        try:
            cleaned["service_date"] = date.fromisoformat(served)
        except ValueError:
            problems.append(FieldProblem("service_date", "Give the delivery date (YYYY-MM-DD)."))
        else:
            if cleaned["service_date"] > today:
                problems.append(
                    FieldProblem("service_date", "The date of service is in the future.")
                )
    for field, limit in (("address_line1", 55), ("city", 30)):
        value = " ".join(str(typed.get(field) or "").split())
        if len(value) > limit:
            problems.append(FieldProblem(field, f"At most {limit} characters."))
        cleaned[field] = value or None
    state = str(typed.get("state") or "").strip().upper()
    if state and state not in directory.states():
        problems.append(FieldProblem("state", "Give the two-letter state code, e.g. PA."))
    cleaned["state"] = state or None
    zip_code = str(typed.get("zip") or "").replace("-", "").strip()
    if zip_code and (not zip_code.isdigit() or len(zip_code) not in (5, 9)):
        problems.append(FieldProblem("zip", "Give a 5- or 9-digit ZIP code."))
    cleaned["zip"] = zip_code or None
    sex = str(typed.get("sex") or "U").strip().upper()
    if sex not in SEXES:
        problems.append(FieldProblem("sex", "Choose female, male or unknown."))
    cleaned["sex"] = sex
    return cleaned, problems


def update_details(session: Session, case_id: int, user: User, typed: dict, today: date):
    """Save the claim details (modifier, prior authorization, date of service, the patient's
    address and sex); commits, audited. InvalidInput (422) names each bad field."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff change claim details.")
    cleaned, problems = detail_problems(typed, today)
    if problems:
        raise InvalidInput(problems)
    case = load_case(session, user, case_id, for_update=True)
    record = claim_record(session, case)
    record.purchase_or_rental = cleaned["purchase_or_rental"]
    record.prior_auth = cleaned["prior_auth"]
    record.service_date = cleaned["service_date"]
    patient = case.patient
    for field in ("address_line1", "city", "state", "zip", "sex"):
        setattr(patient, field, cleaned[field])
    audit.case_event(session, user, "billing.claim.details", case)
    session.commit()
    return record
