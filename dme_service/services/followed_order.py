"""The order the patient follows: the last one a practitioner signed.

A change to the dose voids the practitioner's signature (docs/domain.md §1, step 2) and waits
for a new one. Until it comes, the patient keeps the numbers last signed, proven by that
signature's sealed facts (store.signed_content), and is told the plan is being changed: a dose
nobody signed is never taught. Before any signature the numbers are the home prescription's,
marked not signed yet. The patient's page, the home log and its adherence, the printed
instructions (the patient's own, the documents page's and the billing packet's) all read this.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from dme_service.case.model import Case as ParsedCase
from dme_service.documents.types import PatientPlan
from dme_service.models import Case, Signature
from dme_service.services.clinic.printed import printed_signature
from dme_service.store import order_amendments
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
    # While `changing`: the request facts as typed now, the change that waits for signature
    waiting: dict | None = None


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
    if signed == now:
        return FollowedOrder(signed, signature, False)
    return FollowedOrder(signed, signature, True, now)


def as_followed(
    session: Session, case: Case, parsed: ParsedCase, zone: str | None
) -> tuple[ParsedCase, dict]:
    """The parsed case as the patient follows it, and the render options that say so: while
    a changed order waits for signature, the dose last signed with that signature and
    `plan_changing`; a signature voided by a change that left the dose as signed still
    signed that dose (the patient is not told to stop and wait); otherwise the case and no
    options."""
    followed = followed_order(session, case)
    if not followed.changing:
        if followed.signature is None or check_signature(session, case).valid:
            return parsed, {}
        return parsed, {"signature": _printed(followed, zone)}
    order = followed.request
    request = replace(
        parsed.request,
        hcpcs=order["hcpcs"],
        force_lb=order["force_lb"],
        minutes=order["minutes"],
        sessions_per_day=order["sessions_per_day"],
        length_of_need_months=order["length_of_need_months"],
    )
    options = {"signature": _printed(followed, zone), "plan_changing": True}
    return replace(parsed, request=request), options


def _printed(followed: FollowedOrder, zone: str | None):
    """The followed order's signature as the instructions print it (voided or not, it is
    the one that signed the dose they teach)."""
    return printed_signature(SignatureCheck(followed.signature, True), zone)


def packet_plan(session: Session, case: Case, parsed: ParsedCase, zone: str | None) -> PatientPlan:
    """The order the billing packet's instructions part teaches (documents/packet.py), as the
    patient's own copy does (`as_followed`), with the order version that signed it: billing
    sends a packet whose order may be a change still waiting for the practitioner."""
    followed_case, options = as_followed(session, case, parsed, zone)
    followed = followed_order(session, case)
    if "signature" in options:
        signature = options["signature"]
    else:  # the standing signature, or none yet
        signature = printed_signature(check_signature(session, case), zone)
    if followed.signature is not None and signature is not None:
        version = order_amendments.version_signed(session, followed.signature)
    else:
        version = order_amendments.order_version(session, case.id)
    return PatientPlan(
        request=followed_case.request,
        signature=signature,
        changing=bool(options.get("plan_changing")),
        order_version=version,
    )
