"""A draft case from a CDS Hooks card's app link: the new-case form's patient and payer, then
the order's facts the hook carried (its diagnoses and the ordered code), saved as the case
page saves them.

The diagnoses a card carried are codes the EHR sent; only billable ICD-10-CM codes are kept (the
rest the clinician adds on the case page), and the ordered code only when it is a home device of
the contract. If saving them fails the parser, the draft stays as created: nothing the
clinician typed is lost, and the case page asks for them as for any draft.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy.orm import Session

from dme_service.case.model import HOME_DEVICES
from dme_service.coding import codes
from dme_service.models import Case, User
from dme_service.services.cases.create import NewCase, create_case
from dme_service.services.cases.decide import CaseInvalid
from dme_service.services.cases.edit import SectionEdit, save_sections

MAX_DIAGNOSES = 12


def create_with_order_facts(
    session: Session, user: User, new: NewCase, diagnoses: list[str], hcpcs: str | None
) -> Case:
    """Create the draft (once per idempotency key), then add the order's facts to it."""
    case = create_case(session, user, new)
    edits = []
    kept = [code.code for code in map(codes.lookup, diagnoses[:MAX_DIAGNOSES]) if code]
    kept = [code for code in dict.fromkeys(kept) if codes.lookup(code).billable]
    if kept:
        edits.append(SectionEdit("diagnoses", {"diagnoses": kept}))
    if hcpcs in HOME_DEVICES:
        edits.append(SectionEdit("prescription", {"request": {"hcpcs": hcpcs}}))
    if edits and case.version == 1:  # just created: a repeated form returns the case as it is
        # If the parser refuses them the draft stands; the case page names what is missing.
        with suppress(CaseInvalid):
            case = save_sections(session, user, case.id, case.version, edits)
    return case
