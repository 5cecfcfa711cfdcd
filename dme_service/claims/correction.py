"""A corrected claim: the 837P claim frequency code and what billing reads about it.

CLM05-3 is the claim frequency type code (NUBC): 1 for an original claim, 7 for the
replacement of a prior claim. A replacement must carry the payer's claim control number of the
claim it replaces in loop 2300 REF*F8 (005010X222A1: "Required when CLM05-3 is 7 or 8"), the
number the payer returned in the 835 (CLP07). Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from datetime import date

ORIGINAL = "1"
REPLACEMENT = "7"
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


def cleaned_number(payer_claim_number: str) -> str:
    """REF*F8 as written: the payer's number with nothing but letters, digits and dashes (the
    scrubber has refused any other), case kept."""
    return re.sub(r"[^A-Za-z0-9-]", "", payer_claim_number or "")[:MAX_NUMBER]


def words(
    *,
    pending: bool,
    order_version: int,
    payer_claim_number: str | None,
    changed: str,
    sent_on: date | None = None,
) -> str:
    """The corrected claim in a biller's words, for the queue, the claim page and the CSV."""
    what = f" Changed on the order: {changed}." if changed else ""
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
