"""A corrected claim: the 837P claim frequency code and what billing reads about it.

CLM05-3 is the claim frequency type code (NUBC): 1 for an original claim, 7 for the
replacement of a prior claim. A replacement must carry the payer's claim control number of the
claim it replaces in loop 2300 REF*F8 (005010X222A1: "Required when CLM05-3 is 7 or 8"), the
number the payer returned in the 835 (CLP07). Pure: no Flask, no SQLAlchemy.

Which way a corrected claim goes depends on the payer (docs/domain.md §1, "Correcting a claim
the payer has"): commercial and Medicare Advantage plans take a replacement claim; a Medicare
DME MAC corrects a claim it has processed by a reopening (or a redetermination), asked for on
its portal, by telephone or in writing, not by a replacement claim through CEDI, so the export
refuses frequency 7 and 8 there; a claim the DME MAC returned as unprocessable (remark MA130)
cannot be reopened and goes again as a new claim.
"""

from __future__ import annotations

import re
from datetime import date

from dme_service.claims import reopening

ORIGINAL = "1"
REPLACEMENT = "7"
VOID = "8"
# The payers whose claims go to a Medicare DME MAC (through CEDI). Medicare Advantage plans
# (`ibx_ma`) are private plans with their own claim rules: they take replacement claims.
DME_MAC_PAYERS = frozenset({"medicare"})
# How a corrected claim reaches the payer.
REPLACEMENT_CLAIM = "replacement"  # an 837P with CLM05-3 = 7 and REF*F8
REOPENING = "reopening"  # Medicare: the DME MAC reopens its claim (clerical error) or appeal
NEW_CLAIM = "new_claim"  # Medicare, original returned unprocessable: a new claim (CLM05-3 = 1)
# RARC MA130: "Your claim contains incomplete and/or invalid information, and no appeal
# rights are afforded because the claim is unprocessable" (Noridian's reopening checklist:
# such claims "cannot be reopened", submit a new claim).
UNPROCESSABLE = "MA130"
# REF*F8 (AN 1-50): the payer's number, as the 835 gave it (letters, digits, dashes).
MAX_NUMBER = 50
PAYER_NUMBER = re.compile(r"[A-Za-z0-9-]{1,50}")


def number_problem(frequency: str, payer_claim_number: str) -> str | None:
    """Why a claim of this frequency cannot go with this original claim number, or None."""
    if frequency != REPLACEMENT:
        return None
    number = (payer_claim_number or "").strip()
    if not number:
        return (
            "This is a corrected claim (the order was amended), and the payer's claim number "
            "of the original claim is not known: it comes from the 835 that answered the "
            "original claim (its ICN). Post that 835, or type the number on the claim "
            "page, then export again."
        )
    if not PAYER_NUMBER.fullmatch(number):
        return (
            f"{number[:60]!r} is not a payer's claim number (up to 50 letters, digits or "
            "dashes, as the 835 gave it)."
        )
    return None


def path(payer: str, remarks=()) -> str:
    """How the corrected claim of a claim this payer has (with these RARCs on its 835) goes."""
    if payer not in DME_MAC_PAYERS:
        return REPLACEMENT_CLAIM
    return NEW_CLAIM if UNPROCESSABLE in (remarks or ()) else REOPENING


def payer_problem(frequency: str, payer: str) -> str | None:
    """Why this payer takes no claim of this frequency, or None."""
    if frequency not in (REPLACEMENT, VOID) or payer not in DME_MAC_PAYERS:
        return None
    return (
        "Medicare's DME MAC does not take a replacement claim for a claim it has processed: "
        "ask it to reopen the original claim (its portal, its telephone reopening line or the "
        "written Reopening Request form), then record the request on the claim page."
    )


def cleaned_number(payer_claim_number: str) -> str:
    """REF*F8 as written: the payer's number with nothing but letters, digits and dashes (the
    scrubber has refused any other), case kept."""
    return re.sub(r"[^A-Za-z0-9-]", "", payer_claim_number or "")[:MAX_NUMBER]


def headline(*, pending: bool, path: str = REPLACEMENT_CLAIM, request=None) -> str:
    """The corrected claim's state in three or four words (the queue's badge, the notice)."""
    if path == REOPENING:
        if request is None:
            return "Reopening needed"
        what = "Redetermination" if request.method == "redetermination" else "Reopening"
        return {
            reopening.ADJUSTED: f"{what}: claim corrected",
            reopening.DECLINED: f"{what} declined",
        }.get(request.outcome, f"{what} requested")
    if path == NEW_CLAIM:
        return "New claim needed" if pending else "New claim sent"
    return "Corrected claim needed" if pending else "Corrected claim sent"


def words(
    *,
    pending: bool,
    order_version: int,
    payer_claim_number: str | None,
    changed: str,
    sent_on: date | None = None,
    path: str = REPLACEMENT_CLAIM,
    request=None,
    late_after: date | None = None,
    suggested: str | None = None,
) -> str:
    """The corrected claim in a biller's words, for the queue, the claim page and the CSV.

    `request` is the latest reopening asked for (claims.reopening.Request), `late_after` the
    last day to ask for one and `suggested` the way a reopening cannot take (Medicare)."""
    what = f" Changed on the order: {changed}." if changed else ""
    if path == REOPENING:
        if request is not None:
            return f"{request.words}{what}"
        guidance = reopening.needed_words(
            icn=payer_claim_number, late_after=late_after, suggested=suggested
        )
        return (
            f"Reopening needed: the order was amended (order version {order_version}). "
            f"{guidance}{what}"
        )
    if path == NEW_CLAIM:
        if not pending:
            on = f" on {sent_on.isoformat()}" if sent_on else ""
            return f"New claim sent{on} (order version {order_version})."
        return (
            f"New claim needed: the order was amended (order version {order_version}) and the "
            "DME MAC returned the original claim as unprocessable (MA130), which cannot be "
            "reopened: once the practitioner signs, the claim goes again as a new claim."
            f"{what}"
        )
    if not pending:
        replaced = f" replacing payer claim {payer_claim_number}" if payer_claim_number else ""
        on = f" on {sent_on.isoformat()}" if sent_on else ""
        return f"Corrected claim sent{on}{replaced} (order version {order_version})."
    if payer_claim_number:
        number = f"It replaces payer claim {payer_claim_number}."
    else:
        number = (
            "The payer's claim number of the original claim is not known yet (it comes "
            "from the 835): the export refuses the corrected claim until it is."
        )
    return (
        f"Corrected claim needed: the order was amended (order version {order_version}) and "
        f"goes to the payer as a replacement claim once the practitioner signs it. {number}"
        f"{what}"
    )
