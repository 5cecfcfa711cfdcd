"""Deadlines and aging of a claim, computed from its dates (pure).

- Timely filing, Medicare: a claim must be filed no later than 12 months (one calendar year)
  after the date of service (42 CFR 424.44(a)(1)). Other payers set their own limits in their
  contracts; none is computed for them (the page says to check the contract).
- Redetermination, Medicare: the request must be filed within 120 days of receiving the initial
  determination (42 CFR 405.942(a)); receipt is presumed 5 days after the notice's date. The
  deadline shown counts 120 days from the remittance date itself, the earlier and safer day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "America/Chicago"
TIMELY_FILING_PAYERS = frozenset({"medicare"})
REDETERMINATION_DAYS = 120
APPEALABLE_STATES = frozenset({"denied"})


def local_today(zone_name: str | None) -> date:
    """Today in the clinic's zone (an IANA name; unknown or empty -> the default zone)."""
    try:
        zone = ZoneInfo(zone_name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_ZONE)
    return datetime.now(zone).date()


def one_year_after(day: date) -> date:
    """The same calendar day a year later (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class Deadline:
    what: str  # "Timely filing", "Redetermination"
    due: date
    rule: str  # the rule, in words, with its citation

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def timely_filing(payer: str, service_date: date | None) -> Deadline | None:
    if payer not in TIMELY_FILING_PAYERS or service_date is None:
        return None
    return Deadline(
        "Timely filing",
        one_year_after(service_date),
        "Medicare: 12 months after the date of service (42 CFR 424.44)",
    )


def redetermination(payer: str, remitted_on: date | None) -> Deadline | None:
    if payer not in TIMELY_FILING_PAYERS or remitted_on is None:
        return None
    return Deadline(
        "Redetermination",
        remitted_on + timedelta(days=REDETERMINATION_DAYS),
        "Medicare: 120 days from the remittance (42 CFR 405.942)",
    )


def next_deadline(
    payer: str, state: str, service_date: date | None, remitted_on: date | None
) -> Deadline | None:
    """The deadline that matters in this claim state: filing before submission, appeal after
    a denial; none once submitted and waiting, paid or closed."""
    if state in ("draft", "awaiting_signature", "signed", "ready_to_submit"):
        return timely_filing(payer, service_date)
    if state in APPEALABLE_STATES:
        return redetermination(payer, remitted_on)
    return None


def days_between(start: date | None, end: date) -> int | None:
    return None if start is None else (end - start).days
