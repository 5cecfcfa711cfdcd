"""What the patient's pages and the staff's patient-link pages share: the clinic's day and
the form of a patient link's address."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, url_for

DEFAULT_ZONE = "America/Chicago"  # the patient's "today" when the clinic sets no zone


def clinic_zone() -> ZoneInfo:
    """The clinic's zone (Clinic.timezone): the signed-in user's clinic, or the clinic of the
    patient's link. Without either (or before the clinic has one) the CLINIC_TIMEZONE /
    DME_CLINIC_TIMEZONE setting, then the default."""
    name = _zone_of_this_clinic()
    if name is None:
        name = current_app.config.get("CLINIC_TIMEZONE") or os.environ.get("DME_CLINIC_TIMEZONE")
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _zone_of_this_clinic() -> str | None:
    from flask import g
    from flask_login import current_user

    from dme_service.db import get_session

    if current_user and current_user.is_authenticated:
        return current_user.clinic.timezone
    visit = g.get("patient")
    if visit is not None:
        from dme_service.services.patient.links import clinic_timezone

        return clinic_timezone(get_session(), visit.link)
    return None


def local_today() -> date:
    """Today in the clinic's zone, not in UTC."""
    return datetime.now(clinic_zone()).date()


def link_address(raw: str) -> str:
    """The address a patient is given, `https://host/p#t=<token>`: the token rides in the
    fragment, which browsers never send, so no proxy or access log in front of the service
    can record it (docs/security.md LOG-3).

    In production the host is DME_BASE_URL, the address people open (required there), not the
    one the clinician happened to use: an intranet name or the server's own port would give
    the patient a link, and a printed QR code, that does not open from home. In development
    the address in the browser is the one that works."""
    path = url_for("patient.open_link") + "#t=" + raw
    base = current_app.config.get("BASE_URL")
    if current_app.config.get("ENV_NAME") == "production" and base:
        return base.rstrip("/") + path
    return url_for("patient.open_link", _external=True) + "#t=" + raw
