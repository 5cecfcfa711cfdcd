"""The scrubber: refuse, before the file is made, each claim the payer's front end would reject.

Each problem names the claim (as people name it: "Case 12, Walter Brandt") and the field in
words, so a biller can fix it without reading X12. A refused claim stays out of the file; the
others go. The checks are the front-end edits of the 5010 837P that a DME claim meets most
(implementation guide 005010X222A1 element rules, and the DME MAC policies named beside them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum import luhn

from dme_service.claims import correction, directory
from dme_service.claims.facts import Address, BillingProvider, Claim, ServiceLine

# USPS codes of the states, DC and the territories a DME MAC serves (the payer directory).
STATES = directory.states()
# Payers that apply Medicare's traction policy: E0849/E0855 lines carry KX, GA or GZ.
# Policy article A52476: "Claims lines billed without a KX, GA, or GZ modifier will be rejected
# as missing information." (docs/domain.md §3.3)
KX_GA_GZ_PAYERS = frozenset({"medicare", "ibx_ma"})
KX_GA_GZ_CODES = frozenset({"E0849", "E0855"})
# Purchase (NU), rental (RR) or used-equipment purchase (UE): DME lines are priced by it, and a
# line without one is returned as unprocessable by the DME MACs.
PURCHASE_OR_RENTAL = frozenset({"NU", "RR", "UE"})
# CMS MBI: C A AN N A AN N A A N N; letters exclude S, L, O, I, B, Z.
_A, _AN = "[AC-HJKMNP-RT-Y]", "[AC-HJKMNP-RT-Y0-9]"
MBI = re.compile(f"[1-9]{_A}{_AN}[0-9]{_A}{_AN}[0-9]{_A}{_A}[0-9][0-9]")
ICD10 = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
HCPCS = re.compile(r"[A-V][0-9]{4}")
CONTROL_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")
# Who a problem of the billing provider belongs to: it refuses every claim of the file.
CLINIC = "The clinic"
MAX_DIAGNOSES, MAX_POINTERS, MAX_LINES, MAX_MODIFIERS = 12, 4, 50, 4


@dataclass(frozen=True)
class Problem:
    """One reason a claim (or the whole file, `claim` = "The clinic") would be rejected."""

    claim: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.claim}: {self.field}: {self.message}"


def npi_is_valid(npi: str) -> bool:
    """Ten digits whose check digit passes Luhn over '80840' + NPI (the NPI standard)."""
    return len(npi or "") == 10 and npi.isascii() and npi.isdigit() and luhn.is_valid("80840" + npi)


def provider_problems(provider: BillingProvider) -> list[Problem]:
    """What keeps every claim of the file from being accepted: the billing provider's gaps."""
    who, problems = CLINIC, []
    if not provider.name.strip():
        problems.append(Problem(who, "billing name", "Give the clinic's legal name."))
    if not npi_is_valid(provider.npi or ""):
        problems.append(
            Problem(
                who,
                "billing NPI",
                "Give the clinic's 10-digit NPI (its check digit fails); it is the organization "
                "NPI of the clinic profile.",
            )
        )
    if len(re.sub(r"\D", "", provider.tax_id or "")) != 9:
        problems.append(
            Problem(who, "tax id", "Give the clinic's 9-digit EIN (the clinic profile's tax id).")
        )
    problems += _address_problems(who, "billing address", provider.address, nine_digit_zip=True)
    if len(re.sub(r"\D", "", provider.phone or "")) != 10:
        problems.append(Problem(who, "billing phone", "Give the clinic's 10-digit phone number."))
    return problems


def claim_problems(claim: Claim, today: date) -> list[Problem]:
    """Every reason this claim would be rejected, in words; empty when it can go."""
    who = claim.name
    problems = [Problem(who, field, message) for field, message in _claim_checks(claim, today)]
    return problems


def _claim_checks(claim: Claim, today: date):
    if not CONTROL_NUMBER.fullmatch(claim.control_number or ""):
        yield "claim number", "Up to 20 letters, digits or dashes."
    yield from _subscriber_checks(claim)
    # Medicare's payer id is the DME MAC of the patient's state: a missing address says it all.
    medicare_without_state = claim.payer.key == "medicare" and claim.subscriber.address is None
    if not claim.payer.payer_id and not medicare_without_state:
        yield "payer id", f"{claim.payer.name} has no electronic payer id in the payer directory."
    if not claim.payer.filing_code:
        yield "claim filing indicator", f"{claim.payer.name} has no claim filing indicator."
    yield from _ordering_checks(claim)
    if not claim.diagnoses:
        yield "diagnoses", "Give at least one ICD-10-CM diagnosis."
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        yield "diagnoses", f"At most {MAX_DIAGNOSES} diagnoses fit on one claim."
    for code in claim.diagnoses:
        if not ICD10.fullmatch(code.upper()):
            yield "diagnoses", f"{code} is not an ICD-10-CM code."
    if not claim.lines:
        yield "service lines", "The claim has no service line."
    if len(claim.lines) > MAX_LINES:
        yield "service lines", f"At most {MAX_LINES} lines fit on one claim."
    if len(claim.prior_auth or "") > 50:
        yield "prior authorization number", "Keep it under 50 characters."
    replaced = correction.number_problem(claim.frequency, claim.replaces)
    if replaced:
        yield "payer's claim number of the original claim", replaced
    refused = correction.payer_problem(claim.frequency, claim.payer.key)
    if refused:
        yield "corrected claim", refused
    for number, line in enumerate(claim.lines, start=1):
        for field, message in _line_checks(line, claim, today):
            yield f"line {number} ({line.hcpcs}) {field}", message


def _subscriber_checks(claim: Claim):
    sub = claim.subscriber
    if not sub.last_name.strip() or not sub.first_name.strip():
        yield "patient name", "Give the patient's first and last name as on the insurance card."
    if not sub.member_id.strip():
        yield "member id", "Give the member id from the insurance card."
    elif claim.payer.filing_code == "MB" and not MBI.fullmatch(sub.member_id.replace("-", "")):
        yield "member id", f"{sub.member_id} is not a Medicare Beneficiary Identifier (MBI)."
    if sub.birth_date is None:
        yield "date of birth", "Give the patient's date of birth."
    if sub.sex not in ("F", "M", "U"):
        yield "sex", "Give F, M or U (unknown)."
    # The DME MAC that pays is the one for the state the beneficiary lives in.
    yield from (
        (p.field, p.message) for p in _address_problems(claim.name, "patient address", sub.address)
    )


def _ordering_checks(claim: Claim):
    ordering = claim.ordering
    if ordering is None:
        yield "ordering practitioner", "Choose the practitioner who signed the order."
        return
    if not ordering.last_name.strip() or not ordering.first_name.strip():
        yield "ordering practitioner", "Give the name as enrolled in PECOS."
    if not ordering.npi:
        yield "ordering NPI", "The ordering practitioner has no NPI."
    elif not npi_is_valid(ordering.npi):
        yield "ordering NPI", f"{ordering.npi} is not an NPI (its check digit fails)."


def _line_checks(line: ServiceLine, claim: Claim, today: date):
    if not HCPCS.fullmatch(line.hcpcs or ""):
        yield "HCPCS", f"{line.hcpcs!r} is not a HCPCS code."
    if line.charge is None:
        # The charge is the fee in force on the date of service: without that date there is
        # nothing to look up, and the date of service below is the one thing to fix.
        if line.service_date is not None:
            yield "charge", "No charge: add the HCPCS to the clinic's fee table."
    elif not isinstance(line.charge, Decimal) or line.charge <= 0:
        yield "charge", "The charge must be more than $0.00."
    elif line.charge != line.charge.quantize(Decimal("0.01")):
        yield "charge", "The charge has more than two decimal places."
    if line.units < 1:
        yield "units", "Bill at least one unit."
    if line.service_date is None:
        yield "date of service", "Give the date of service (the delivery date)."
    elif line.service_date > today:
        yield "date of service", f"{line.service_date.isoformat()} is in the future."
    yield from _modifier_checks(line, claim)
    if not line.pointers or len(line.pointers) > MAX_POINTERS:
        yield "diagnosis pointers", f"Point to 1 to {MAX_POINTERS} of the claim's diagnoses."
    for pointer in line.pointers:
        if not 1 <= pointer <= len(claim.diagnoses):
            yield "diagnosis pointers", f"Pointer {pointer} names no diagnosis on the claim."


def _modifier_checks(line: ServiceLine, claim: Claim):
    mods = [m.upper() for m in line.modifiers]
    if len(mods) > MAX_MODIFIERS:
        yield "modifiers", f"At most {MAX_MODIFIERS} modifiers fit on a line."
    for mod in mods:
        if not re.fullmatch(r"[A-Z0-9]{2}", mod):
            yield "modifiers", f"{mod!r} is not a modifier."
    if line.hcpcs.startswith("E") and not PURCHASE_OR_RENTAL & set(mods):
        yield "purchase or rental modifier", "Choose NU (purchase) or RR (rental)."
    if (
        claim.payer.key in KX_GA_GZ_PAYERS
        and line.hcpcs in KX_GA_GZ_CODES
        and not {"KX", "GA", "GZ"} & set(mods)
    ):
        yield "modifiers", f"{line.hcpcs} needs KX, GA or GZ (policy article A52476)."


def _address_problems(who, field, address: Address | None, nine_digit_zip=False):
    if address is None or not address.line1.strip() or not address.city.strip():
        return [Problem(who, field, "Give the street address and city.")]
    problems = []
    if address.state.upper() not in STATES:
        problems.append(Problem(who, field, f"{address.state!r} is not a US state code."))
    zip_digits = re.sub(r"\D", "", address.zip or "")
    if nine_digit_zip and len(zip_digits) != 9:
        # 5010: the billing provider's ZIP code is the full ZIP+4.
        problems.append(Problem(who, field, "Give the ZIP+4 (nine digits)."))
    elif len(zip_digits) not in (5, 9):
        problems.append(Problem(who, field, "Give a 5- or 9-digit ZIP code."))
    return problems


def by_claim(problems: list[Problem]) -> dict[str, list[str]]:
    """Each refused claim's problems ("field: message"), claims in the order first named."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.claim, []).append(f"{problem.field}: {problem.message}")
    return grouped


def scrub(provider: BillingProvider, claims, today: date):
    """(claims that can go, problems of those that cannot). A provider problem refuses all."""
    general = provider_problems(provider)
    ready, problems = [], list(general)
    for claim in claims:
        found = claim_problems(claim, today)
        if found or general:
            problems.extend(found)
        else:
            ready.append(claim)
    return ready, problems
