"""The claims of amended orders in billing's export: replacements of the claim already billed.

While a case's order amendment is pending (services.order_amendment), its claim goes in the
837P as a corrected claim: frequency 7 with the payer's claim control number of the original
claim (claims/correction.py). A number still unknown leaves REF*F8 empty, which the scrubber
refuses in words. Confirming the file sent answers the amendment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from dme_service.claims import correction
from dme_service.claims.facts import Claim
from dme_service.models import Case, ClaimFile
from dme_service.services import order_amendment
from dme_service.store import order_amendments


def as_replacements(session: Session, cases: list[Case], claims: list[Claim]) -> list[Claim]:
    """The claims (in the order of `cases`), those of amended orders as replacements."""
    numbers = order_amendment.replacement_numbers(session, cases)
    return [
        replace(claim, frequency=correction.REPLACEMENT, replaces=numbers[case.id])
        if case.id in numbers
        else claim
        for case, claim in zip(cases, claims, strict=True)
    ]


def sent(session: Session, case: Case, claim_file: ClaimFile, sent_on: date) -> None:
    """The case's claim went in `claim_file`: a pending amendment is answered by it."""
    order_amendments.mark_sent(session, case.id, claim_file, sent_on)
