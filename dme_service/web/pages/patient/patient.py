"""The patient's side (issue 8): the private link, the instructions page, the home log
(patient_log), and the clinician's controls to create or revoke a case's link (patient_staff).

`/p?t=<token>` is the only address that ever carries a token: it is checked, audited and
rate-limited, then swapped for a short patient cookie and a redirect to token-free pages. The
token rides in the query string because error logs record paths only (LOG-3). Anything wrong
(unknown, expired, revoked, idle) gets the same kind page in the browser's language.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from dme_service.db import get_session
from dme_service.documents import instructions_text, wording
from dme_service.services.patient import home_plan
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import printing as patient_print
from dme_service.web.forms import no_input_to_keep
from dme_service.web.i18n import browser_language, choose_language

bp = Blueprint("patient", __name__)

PATIENT_PAGES = frozenset(
    {"patient.instructions", "patient.instructions_pdf", "patient.log", "patient.log_saved"}
)
SECURE_COOKIE, PLAIN_COOKIE = "__Host-patient", "dme-patient"  # __Host-: Secure, Path=/
DEFAULT_ZONE = "America/Chicago"  # the patient's "today" when the clinic sets no zone


class RedactLinkToken(logging.Filter):
    """Access logs print the request line; a patient link's token never reaches them (LOG-3)."""

    TOKEN = re.compile(r"([?&]t=)[^&\s\"]+")
    # Pen test L8: `/p?%74=<token>` is the same link and was logged in clear; the whole query of
    # /p is dropped, whatever its parameter names are spelled like.
    LINK_QUERY = re.compile(r"(/p\?)[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "t=" in message or "/p?" in message:
            message = self.LINK_QUERY.sub(r"\1[redacted]", message)
            record.msg, record.args = self.TOKEN.sub(r"\1[redacted]", message), ()
        return True


@bp.record_once
def redact_access_logs(_state) -> None:
    """The dev server's and gunicorn's request logs (gunicorn's atoms are args too)."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkToken) for f in logger.filters):
            logger.addFilter(RedactLinkToken())


def cookie_name() -> str:
    return SECURE_COOKIE if current_app.config.get("SESSION_COOKIE_SECURE") else PLAIN_COOKIE


def clinic_zone() -> ZoneInfo:
    """The clinic's zone (Clinic.timezone, issue 13): the signed-in user's clinic, or the
    clinic of the patient's link. Without either (or before the clinic has one) the
    CLINIC_TIMEZONE / DME_CLINIC_TIMEZONE setting, then the default."""
    name = _zone_of_this_clinic()
    if name is None:
        name = current_app.config.get("CLINIC_TIMEZONE") or os.environ.get("DME_CLINIC_TIMEZONE")
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _zone_of_this_clinic() -> str | None:
    from flask_login import current_user

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


@bp.context_processor
def page_language() -> dict:
    """`lang` for the patient layout's <html lang> and language picker."""
    return {"lang": g.get("patient_lang") or "en"}


# --- the patient session ------------------------------------------------------------------


@bp.before_request
def load_patient():
    """Patient pages need a live patient cookie; without one, the kind "link" page."""
    if request.endpoint not in PATIENT_PAGES:
        return None
    db = get_session()
    found = patient_links.read_session_cookie(
        db, current_app.secret_key, request.cookies.get(cookie_name())
    )
    db.commit()  # end the read now: on SQLite every transaction holds the write lock (DB-2)
    if found is None:
        return gone()
    g.patient = found
    g.patient_lang = choose_language(request.args.get("lang"), found.lang)
    return None


@bp.after_request
def refresh_cookie(response):
    """Slide the patient cookie forward (and keep the chosen language) on every page."""
    found = g.get("patient")
    if found is not None:
        _set_cookie(response, found.link, g.patient_lang)
    return response


def _set_cookie(response, link, lang: str) -> None:
    value = patient_links.session_cookie(current_app.secret_key, link, lang)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    # No Expires: gone with the browser; the server ends it after 60 idle minutes anyway.
    response.set_cookie(
        cookie_name(), value, path="/", secure=secure, httponly=True, samesite="Lax"
    )


def gone(status: int = 404, retry_after: int | None = None):
    """The one page for every link that does not work: how to get a new one, nothing else.

    Its language is the picker's or the browser's, never the link's, so it tells a guesser
    nothing.
    """
    g.patient_lang = choose_language(request.args.get("lang"), browser_language())
    wait = (retry_after + 59) // 60 if retry_after else None
    response = make_response(render_template("patient/gone.html", wait_minutes=wait), status)
    _delete_cookie(response)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/p")
def open_link():
    """The private link: check the token, then swap it for a cookie and a token-free page."""
    g.patient_lang = browser_language()
    opened = patient_links.open_link(get_session(), request.args.get("t", ""), request.remote_addr)
    if opened.retry_after:
        return gone(429, opened.retry_after)
    if opened.link is None:
        return gone()
    response = redirect(url_for("patient.instructions"), code=303)
    _set_cookie(response, opened.link, opened.link.lang)
    response.headers["Referrer-Policy"] = "no-referrer"  # this URL holds the token
    return response


@bp.route("/patient/closed")
def closed():
    """After "close": the cookie is gone; the link from the clinic opens the pages again."""
    g.patient_lang = choose_language(request.args.get("lang"), browser_language())
    return render_template("patient/closed.html")


@bp.route("/patient/close", methods=["POST"])
@no_input_to_keep("a single Close button")
def close():
    """End the patient session on this device (shared phones and computers)."""
    lang = choose_language(request.form.get("lang"), browser_language())
    patient_links.close_sessions(
        get_session(), current_app.secret_key, request.cookies.get(cookie_name())
    )
    response = redirect(url_for("patient.closed", lang=lang), code=303)
    _delete_cookie(response)
    return response


def _delete_cookie(response) -> None:
    """Expire the patient cookie with the attributes it was set with: a browser ignores a
    `__Host-` cookie without Secure, the deleting one included (pen test M6)."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    response.delete_cookie(cookie_name(), path="/", secure=secure, httponly=True, samesite="Lax")


# --- the patient's pages ------------------------------------------------------------------


def dose_numbers(plan) -> dict[str, str | None]:
    """The dose as the patient's language writes numbers (12,5 in Spanish)."""
    lang = g.patient_lang
    return {
        name: None if value is None else wording.number(value, lang)
        for name, value in (("force", plan.force_lb), ("minutes", plan.minutes))
    }


@bp.route("/patient/instructions")
def instructions():
    """The instructions for this patient's unit and dose (domain.md §10, §9.4)."""
    db = get_session()
    plan = home_plan.plan_for_patient(db, g.patient.link)
    return render_template(
        "patient/instructions.html",
        plan=plan,
        printable=patient_print.can_print(db, g.patient.link),
        dose=dose_numbers(plan),
        signed_on=long_date(plan.signed_on),
        sentences=instructions_text,
    )


@bp.route("/patient/instructions.pdf")
def instructions_pdf():
    """The same instructions as a PDF to print or keep (PDF-4: an attachment, no user text
    in the file name)."""
    db = get_session()
    try:
        rendered = patient_print.render_instructions(db, g.patient.link, g.patient_lang)
    except patient_print.NotPrintable:
        return redirect(url_for("patient.instructions"), code=303)
    return pdf_response(rendered.pdf, f"instructions-{g.patient_lang}.pdf")


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def long_date(day: date | None) -> str | None:
    """The day as the patient's language writes it (3 de octubre de 2026)."""
    return wording.long_date(day, g.patient_lang) if day else None


# The home log and the clinician's link controls live in their own modules, on this blueprint.
from dme_service.web.pages.patient import log as patient_log  # noqa: E402,F401
from dme_service.web.pages.patient import staff as patient_staff  # noqa: E402,F401
