"""The length of need in words: 99 months is Medicare's code for a lifetime need.

DMEPOS orders and claims write a need expected to last the patient's lifetime as 99 months
(CMS Program Integrity Manual ch. 5, length of need; the DME MACs' "99 = lifetime"). So the
practitioner and billing read "99 (lifetime)", and the patient is never told "99 months",
which reads as eight years. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

LIFETIME_MONTHS = 99


def is_lifetime(months: int | None) -> bool:
    """True for the lifetime code (99)."""
    return months == LIFETIME_MONTHS


def in_months(months: int) -> str:
    """The length of need as the order and the practitioner's pages print it."""
    if is_lifetime(months):
        return f"{LIFETIME_MONTHS} (lifetime)"
    return f"{months} month{'s' if months != 1 else ''}"
