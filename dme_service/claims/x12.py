"""X12 text: delimiters, element cleaning, amounts and dates, reading segments back.

The 837P is written with the customary delimiters: `~` ends a segment, `*` separates
elements, `:` components and `^` repeats (ISA11, 5010). Free text (names, addresses) is
upper-cased and stripped of delimiters and characters outside the X12 basic/extended set, so
no typed value can break the file or smuggle a segment into it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from dme_service.claims.facts import money

SEGMENT = "~"
ELEMENT = "*"
COMPONENT = ":"
REPEAT = "^"
_NOT_X12_TEXT = re.compile(r"[^A-Z0-9 !&'()+,\-./;?=%@\[\]_{}\\|<>#$\"]")


def text(value: str, limit: int = 60) -> str:
    """A free-text element: upper case, X12 characters only, single spaces, at most `limit`."""
    cleaned = _NOT_X12_TEXT.sub(" ", str(value or "").upper())
    return " ".join(cleaned.split())[:limit].strip()


def digits(value: str) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def amount(value) -> str:
    """An X12 R (decimal) element: '150', '150.5', '-12.3'; no trailing zeros, no floats."""
    q = money(value)
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def ccyymmdd(value: date | datetime) -> str:
    return value.strftime("%Y%m%d")


def segment(*elements) -> str:
    """One segment with trailing empty elements dropped (X12 forbids trailing separators)."""
    parts = ["" if e is None else str(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT.join(parts) + SEGMENT


def interchange(
    body: list[str],
    *,
    sender: str,
    receiver: str,
    created: date,
    time: str,
    control: int,
    functional_id: str,
    version: str,
    production: bool = False,
) -> list[str]:
    """One transaction set in its envelope: ISA and GS before, GE and IEA after.

    ISA13 and GS06 are both `control` (ISA13 as nine digits); `functional_id` is GS01 (HC a
    claim, HP a payment); `time` is ISA10 and GS05 (HHMM). ISA14 asks for no TA1: the 999 (or
    the payer's own answer) acknowledges the file.
    """
    isa13 = f"{control:09d}"
    isa = segment(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        sender.ljust(15)[:15],
        "ZZ",
        receiver.ljust(15)[:15],
        created.strftime("%y%m%d"),
        time,
        REPEAT,
        "00501",
        isa13,
        "0",
        "P" if production else "T",
        COMPONENT,
    )
    gs = segment(
        "GS", functional_id, sender, receiver, ccyymmdd(created), time, control, "X", version
    )
    return [isa, gs, *body, segment("GE", 1, control), segment("IEA", 1, isa13)]


def parse_amount(value: str) -> Decimal:
    """An R element read back as a two-place Decimal; ValueError when it is not a number."""
    if not re.fullmatch(r"-?\d*(\.\d+)?", value or "") or value in ("", "-", "."):
        raise ValueError(f"{value!r} is not an amount")
    return money(Decimal(value))


def parse_date(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()
