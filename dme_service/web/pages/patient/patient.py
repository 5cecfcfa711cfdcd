"""The patient's pages (blueprint "patient"): the private link, the instructions page and the
home log. The clinician's controls of a case's link are staff.py (blueprint "patient_link").

A link is written `/p#t=<token>`: the token sits in the fragment, which a browser never sends to
a server, so no proxy, load balancer or access log in front of the service ever sees it for the
link's whole lifetime. `/p` answers a small page whose script reads the fragment and posts it
back (`POST /p`); the token is checked, audited and rate-limited, then swapped for a short
patient cookie and a redirect to token-free pages. Links printed before the fragment form
(`/p?t=<token>`) still open, and the access logs drop `/p`'s query (RedactLinkToken and the
shipped nginx log format). Anything wrong (unknown, expired, revoked, idle) gets the same kind
page in the browser's language.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from dme_service.db import get_session
from dme_service.documents import instructions_text, wording
from dme_service.services.patient import home_log, home_plan
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import printing as patient_print
from dme_service.web.access_logs import redact_with
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.i18n import browser_language, choose_language
from dme_service.web.pages.patient.common import local_today
from dme_service.web.pages.patient.forms import RED_FLAG_LABELS, HomeLogForm
from dme_service.web.responses import pdf_response

bp = Blueprint("patient", __name__)


@bp.app_template_filter("unbroken_phone")
def unbroken_phone(phone: str) -> Markup:
    """The clinic's number in a span that moves to the next line whole (patient.css): on a
    phone-sized page "(555) 010-2000" otherwise broke after the hyphen, the last digits alone
    on the next line; at 200 % text it still wraps rather than scroll sideways. The text
    itself is unchanged, so screen readers and copying read the number as written."""
    return Markup('<span class="phone">{}</span>').format(phone)


PATIENT_PAGES = frozenset(
    {"patient.instructions", "patient.instructions_pdf", "patient.log", "patient.log_saved"}
)
SECURE_COOKIE, PLAIN_COOKIE = "__Host-patient", "dme-patient"  # __Host-: Secure, Path=/


class RedactLinkToken(logging.Filter):
    """Access logs print the request line; a patient link's token never reaches them (LOG-3)."""

    TOKEN = re.compile(r"([?&]t=)[^&\s\"]+")
    # `/p?%74=<token>` is the same link, so matching `t=` alone would log it in clear; the whole
    # query of /p is dropped, whatever its parameter names are spelled like.
    LINK_QUERY = re.compile(r"(/p\?)[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "t=" in message or "/p?" in message:
            message = self.LINK_QUERY.sub(r"\1[redacted]", message)
            record.msg, record.args = self.TOKEN.sub(r"\1[redacted]", message), ()
        return True


@bp.record_once
def redact_access_logs(_state) -> None:
    redact_with(RedactLinkToken)


def cookie_name() -> str:
    return SECURE_COOKIE if current_app.config.get("SESSION_COOKIE_SECURE") else PLAIN_COOKIE


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
    found = patient_links.session_of_request(
        get_session(), current_app.secret_key, request.cookies.get(cookie_name())
    )
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


@bp.route("/p", methods=["GET", "POST"])
@no_input_to_keep("the link's token only, read from the address by the page's script")
def open_link():
    """The private link: check the token, then swap it for a cookie and a token-free page."""
    g.patient_lang = choose_language(request.args.get("lang"), browser_language())
    raw = request.form.get("t", "") if request.method == "POST" else request.args.get("t")
    if raw is None:  # `/p#t=...`: the fragment stays in the browser; the page posts it
        response = make_response(render_template("patient/opening.html"))
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    opened = patient_links.open_link(get_session(), raw, request.remote_addr)
    if opened.retry_after:
        return gone(429, opened.retry_after)
    if opened.link is None:
        return gone()
    response = redirect(url_for("patient.instructions"), code=303)
    _set_cookie(response, opened.link, opened.link.lang)
    response.headers["Referrer-Policy"] = "no-referrer"  # a legacy address holds the token
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
    `__Host-` cookie without Secure, the deleting one included."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    response.delete_cookie(cookie_name(), path="/", secure=secure, httponly=True, samesite="Lax")


# --- the patient's pages ------------------------------------------------------------------


def dose_numbers(plan) -> dict[str, str | None]:
    """The dose as the printed instructions write it: 12.5 in Spanish too (wording.number)."""
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


def long_date(day: date | None) -> str | None:
    """The day as the patient's language writes it (3 de octubre de 2026)."""
    return wording.long_date(day, g.patient_lang) if day else None


# --- the home log ------------------------------------------------------------------------


def log_context() -> dict:
    """What the log page shows besides the form: the plan and the patient's last entries."""
    db = get_session()
    link = g.patient.link
    plan = home_plan.plan_for_patient(db, link, audited=False)
    entries = home_log.entries_for(db, link.case_id)[-14:]
    return {"plan": plan, "entries": list(reversed(entries)), "flag_labels": RED_FLAG_LABELS}


@bp.route("/patient/log", methods=["GET", "POST"])
@keeps_input("patient/log.html", HomeLogForm, context=log_context)
def log():
    """Log one session; a red flag leads straight to "stop and call"."""
    form = HomeLogForm()
    if request.method == "GET":
        _prefill(form)
        home_log.patient_read(get_session(), g.patient.link)
    elif form.validate_on_submit():
        entry = _save(form)
        if entry is not None:
            return redirect(url_for("patient.log_saved", entry_id=entry.id), code=303)
    return render_template("patient/log.html", form=form, **log_context())


def _prefill(form: HomeLogForm) -> None:
    plan = home_plan.plan_for_patient(get_session(), g.patient.link, audited=False)
    form.date.data = local_today()
    if plan.has_dose:
        form.minutes.data = int(plan.minutes) if float(plan.minutes).is_integer() else None
        form.force_lb.data = plan.force_lb


ENTRY_MESSAGES = {
    "future": _l("That day has not come yet. Enter today or an earlier day."),
    "too_old": _l("Enter a day in the last 31 days."),
    "range": _l("This number is too big or too small."),
    "unknown": _l("Pick only from the list."),
}


def _save(form: HomeLogForm):
    values = home_log.EntryInput(
        date=form.date.data,
        minutes=form.minutes.data,
        force_lb=float(form.force_lb.data) if form.force_lb.data is not None else None,
        pain_before=int(form.pain_before.data),
        pain_after=int(form.pain_after.data),
        red_flags=tuple(form.red_flags.data or ()),
    )
    try:
        entry = home_log.add_entry(get_session(), g.patient.link, values, local_today())
    except home_log.EntryInvalid as invalid:
        for name, code in invalid.errors.items():
            getattr(form, name).errors = [str(ENTRY_MESSAGES[code])]
        return None
    if entry.red_flags:
        _tell_the_clinician(entry.case_id)
    return entry


def _tell_the_clinician(case_id: int) -> None:
    """Mail the case's clinician that a red flag came in (a link only)."""
    from dme_service.services.mail import notices, outbox

    notices.red_flag_logged(
        get_session(),
        case_id,
        base_url=current_app.config["BASE_URL"],
        settings=outbox.settings_from(current_app.config, current_app.instance_path),
    )


@bp.route("/patient/log/<int:entry_id>")
def log_saved(entry_id: int):
    """The entry was saved; with a red flag, "stop and call" comes first (domain.md §10)."""
    db = get_session()
    entry = home_log.patient_entry(db, g.patient.link, entry_id)
    if entry is None:
        return gone()
    plan = home_plan.plan_for_patient(db, g.patient.link, audited=False)
    urgent = any(flag in home_log.URGENT_RED_FLAGS for flag in entry.red_flags)
    return render_template(
        "patient/log_saved.html",
        entry=entry,
        plan=plan,
        urgent=urgent,
        flag_labels=RED_FLAG_LABELS,
        entry_date=long_date(entry.date),
    )
