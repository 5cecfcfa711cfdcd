"""Medicare reopenings: how billing asks a DME MAC to correct a claim it has processed.

A DME MAC takes no replacement claim (claims/correction.py); the supplier asks it to reopen
the claim for a clerical error or omission, on the DME MAC's portal, on its telephone
reopening line or in writing (the Reopening Request form), quoting the claim's ICN. What a
reopening cannot do goes as a redetermination, the first level of appeal: adding, changing or
removing KX, GA, GY or GZ, and a denial as not reasonable and necessary (CARC 50), per the CGS
DME MAC reopening pages (docs/domain.md §1 names the sources). A request is made within one
year of the remittance (the initial determination); later needs a written request with good
cause. Billing records each request (date, method, the DME MAC's reference) and its outcome;
the 835 that follows is matched as usual.

Pure: no Flask, no SQLAlchemy. Messages are in billers' words, keyed by the form's field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

METHODS = {
    "portal": "on the DME MAC's portal",
    "telephone": "on the DME MAC's telephone reopening line",
    "written": "in writing (the DME MAC Reopening Request form)",
    "redetermination": "as a redetermination (appeal), with the records",
}
METHOD_LABELS = {
    "portal": "Portal (myCGS or the Noridian Medicare Portal)",
    "telephone": "Telephone reopening line",
    "written": "Written Reopening Request form (mail)",
    "redetermination": "Redetermination request (appeal)",
}
PENDING, ADJUSTED, DECLINED = "pending", "adjusted", "declined"
OUTCOMES = {
    PENDING: "waiting for the DME MAC",
    ADJUSTED: "the DME MAC corrected the claim",
    DECLINED: "the DME MAC declined it",
}
OUTCOME_LABELS = {
    ADJUSTED: "Corrected: the DME MAC adjusted the claim",
    DECLINED: "Declined: the DME MAC would not reopen it",
}
# The modifiers a reopening may not add, change or remove (CGS JB/JC reopening pages).
APPEAL_ONLY_MODIFIERS = frozenset({"KX", "GA", "GY", "GZ"})
NOT_MEDICALLY_NECESSARY = "50"  # CARC 50: "not deemed a medical necessity"
REFERENCE = re.compile(r"[A-Za-z0-9-]{1,50}")
REQUEST_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Request:
    """One request to a DME MAC to correct a claim, and what came of it."""

    method: str
    requested_on: date
    reference: str | None  # the DME MAC's number for the request, if it gave one
    icn: str | None  # the claim's ICN quoted
    outcome: str = PENDING
    decided_on: date | None = None

    @property
    def words(self) -> str:
        """The request in a biller's words, for the queue, the claim page and the CSV."""
        what = "Redetermination" if self.method == "redetermination" else "Reopening"
        how = METHODS.get(self.method, self.method)
        ref = f", reference {self.reference}" if self.reference else ""
        icn = f" of ICN {self.icn}" if self.icn else ""
        asked = f"{what}{icn} requested {how} on {self.requested_on.isoformat()}{ref}"
        if self.outcome == ADJUSTED:
            on = f" on {self.decided_on.isoformat()}" if self.decided_on else ""
            return f"{asked}: the DME MAC corrected the claim{on}."
        if self.outcome == DECLINED:
            on = f" on {self.decided_on.isoformat()}" if self.decided_on else ""
            return (
                f"{asked}: declined{on}. Ask for a redetermination (appeal) with the records, "
                "then record it."
            )
        return f"{asked}: waiting for the DME MAC's answer (its 835 is matched as usual)."


def suggested_method(adjustments=(), modifiers_changed=()) -> str | None:
    """The way to ask when a reopening cannot do it ("redetermination": the original claim was
    denied as not medically necessary, CARC 50, or KX/GA/GY/GZ changed); else None."""
    if any(str(a.get("reason")) == NOT_MEDICALLY_NECESSARY for a in adjustments or ()):
        return "redetermination"
    if APPEAL_ONLY_MODIFIERS & set(modifiers_changed or ()):
        return "redetermination"
    return None


def deadline(remitted_on: date | None) -> date | None:
    """The last day to ask: one year from the remittance (the initial determination)."""
    return remitted_on + REQUEST_WINDOW if remitted_on else None


def request_problems(
    method: str | None,
    requested_on: date | None,
    reference: str | None,
    *,
    today: date,
    remitted_on: date | None = None,
) -> dict[str, str]:
    """Field -> message for a request that cannot be recorded (empty when it can)."""
    problems = {}
    if not method:
        problems["method"] = "Choose how the reopening was asked for."
    elif method not in METHODS:
        problems["method"] = "Choose one of the ways listed."
    if requested_on is None:
        problems["requested_on"] = "Give the day the request was made (YYYY-MM-DD)."
    elif requested_on > today:
        problems["requested_on"] = "The day of the request is in the future."
    elif remitted_on is not None and requested_on < remitted_on:
        problems["requested_on"] = (
            f"The original claim's remittance is dated {remitted_on.isoformat()}: a reopening "
            "is asked for after the DME MAC has processed the claim."
        )
    text = (reference or "").strip()
    if text and not REFERENCE.fullmatch(text):
        problems["reference"] = (
            "Type the DME MAC's reference as it gave it: up to 50 letters, digits or dashes."
        )
    return problems


def outcome_problems(
    outcome: str | None, decided_on: date | None, *, today: date, requested_on: date
) -> dict[str, str]:
    """Field -> message for an outcome that cannot be recorded (empty when it can)."""
    problems = {}
    if outcome not in OUTCOME_LABELS:
        problems["outcome"] = "Choose what the DME MAC answered."
    if decided_on is None:
        problems["decided_on"] = "Give the day of the DME MAC's answer (YYYY-MM-DD)."
    elif decided_on > today:
        problems["decided_on"] = "The day of the answer is in the future."
    elif decided_on < requested_on:
        problems["decided_on"] = (
            f"The request was made on {requested_on.isoformat()}: the answer cannot be earlier."
        )
    return problems


def needed_words(*, icn: str | None, late_after: date | None, suggested: str | None) -> str:
    """What billing does for a Medicare claim whose order was amended, in a biller's words."""
    if icn:
        quote = f"quoting the claim's ICN {icn}"
    else:
        quote = "quoting the claim's ICN (not known yet: it is on the 835 or the DME MAC's portal)"
    how = (
        "ask for a redetermination (appeal) with the records: the original claim was denied as "
        "not medically necessary, which a reopening cannot change"
        if suggested == "redetermination"
        else "ask the DME MAC to reopen the claim (its portal, its telephone reopening line or "
        "the written Reopening Request form)"
    )
    late = (
        f" Ask by {late_after.isoformat()} (one year from the remittance); later needs a "
        "written request showing good cause."
        if late_after
        else ""
    )
    return (
        f"Medicare's DME MAC takes no replacement claim: once the amended order is signed "
        f"again, {how}, {quote} and saying what changed, then record the request "
        f"here. A change to KX, GA, GY or GZ also needs a redetermination. Do not send the "
        f"claim again.{late}"
    )
