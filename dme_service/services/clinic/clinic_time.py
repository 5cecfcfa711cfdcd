"""The clinic's time zone and the one human format for dates and times people read.

Times are stored in UTC; a person reads them in their clinic's zone ("Dec 6, 2026, 7:04 PM CST"),
and the date of a signed order is the clinic's calendar day (an order signed at 7 pm in
Chicago is dated that day, not the next UTC day). Pure: zone names come from the clinic row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dme_service.models.accounts import DEFAULT_TIMEZONE


def zone(name: str | None) -> ZoneInfo:
    """The clinic's zone; an unknown name (never stored: checks.timezone_problem) falls back."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local(moment: datetime, zone_name: str | None) -> datetime:
    """`moment` (aware) as the clinic's wall-clock time, still aware (its tzname is e.g. CST)."""
    return moment.astimezone(zone(zone_name))


def local_date(moment: datetime, zone_name: str | None) -> date:
    return local(moment, zone_name).date()


def today(zone_name: str | None, now: datetime | None = None) -> date:
    """The clinic's calendar day now (`now` aware, default the current time): at 11 pm in
    Chicago it is still that day, though UTC has moved on."""
    return local_date(now or datetime.now(UTC), zone_name)


def human_date(day: date | datetime, zone_name: str | None = None) -> str:
    """Dec 6, 2026: the one date format of the staff pages."""
    if isinstance(day, datetime):
        day = local_date(day, zone_name)
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def human_datetime(moment: datetime, zone_name: str | None) -> str:
    """Dec 6, 2026, 7:04 PM CST: a time with its zone, in the clinic's zone."""
    there = local(moment, zone_name)
    hour = there.hour % 12 or 12
    half = "AM" if there.hour < 12 else "PM"
    return f"{human_date(there.date())}, {hour}:{there.minute:02d} {half} {there.tzname()}"
