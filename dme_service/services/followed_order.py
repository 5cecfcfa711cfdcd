"""The order the patient follows: the last one a practitioner signed.

A change to the dose voids the practitioner's signature (docs/domain.md §1, step 2) and waits
for a new one. Until it comes, the patient keeps the numbers last signed, proven by that
signature's sealed facts (store.signed_content), and is told the plan is being changed: a dose
nobody signed is never taught. Before any signature the numbers are the home prescription's,
marked not signed yet. The patient's page, the home log, the printed instructions (the
patient's own and the documents page's) all read this.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from dme_service.case.model import Case as ParsedCase
from dme_service.models import Case, Signature
from dme_service.services.clinic.printed import printed_signature
from dme_service.store.signed_content import (
    SignatureCheck,
    check_signature,
    facts_now,
    last_signed_facts,
)


@dataclass(frozen=True)
class FollowedOrder:
    """The prescription the patient follows (the order's request facts: hcpcs, force_lb,
    minutes, sessions_per_day, length_of_need_months), the signature behind it (standing, or
    voided by a change that waits for a new one) and whether a change waits."""

    request: dict
    signature: Signature | None
    changing: bool


def followed_order(session: Session, case: Case) -> FollowedOrder:
    """The order the patient follows now: the standing signature's, else the last signed
    one's while a change waits for signature, else (never signed) the prescription as typed.

    The signature is recomputed now, as the documents do: an edit after signing, even behind
    the ORM's back, means the signature no longer stands.
    """
    now = facts_now(case, ())["request"]
    check = check_signature(session, case)
    if check.valid:
        return FollowedOrder(now, check.signature, False)
    last = last_signed_facts(session, case)
    if last is None:
        return FollowedOrder(now, None, False)
    signature, facts = last
    signed = facts["request"]
    return FollowedOrder(signed, signature, signed != now)


def as_followed(
    session: Session, case: Case, parsed: ParsedCase, zone: str | None
) -> tuple[ParsedCase, dict]:
    """The parsed case as the patient follows it, and the render options that say so: while
    a changed order waits for signature, the dose last signed with that signature and
    `plan_changing`; otherwise the case and no options."""
    followed = followed_order(session, case)
    if not followed.changing:
        return parsed, {}
    order = followed.request
    request = replace(
        parsed.request,
        hcpcs=order["hcpcs"],
        force_lb=order["force_lb"],
        minutes=order["minutes"],
        sessions_per_day=order["sessions_per_day"],
        length_of_need_months=order["length_of_need_months"],
    )
    signature = printed_signature(SignatureCheck(followed.signature, True), zone)
    options = {"signature": signature, "plan_changing": True}
    return replace(parsed, request=request), options
