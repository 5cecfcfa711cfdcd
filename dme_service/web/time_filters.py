"""Template filters for the times and dates people read: in the clinic's time zone, in one
human format ("Dec 6, 2026" and "Dec 6, 2026, 7:04 PM CST").

Stored times are UTC; `local_time` converts with the signed-in user's clinic zone (the
patient's clinic on patient pages), so no page prints UTC to a person any more.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from dme_service.services.clinic import clinic_time


def _zone_name() -> str:
    from dme_service.web.pages.patient.common import clinic_zone

    return clinic_zone().key


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return clinic_time.human_datetime(moment, _zone_name())


def human_date(day: date | datetime | str | None) -> str:
    """A date, a stored time, or an ISO day as kept in JSON facts (a recorded delivery)."""
    if not day:
        return ""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return day  # not a day: shown as typed rather than lost
    if isinstance(day, datetime):
        return clinic_time.human_date(day, _zone_name())
    return clinic_time.human_date(day)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["human_date"] = human_date
