"""The clinician's side of the patient link (blueprint "patient_link"): make a link
(shown once, with its QR code and a printed copy carrying it), revoke it, the case page's
"Patient at home" card (link state, adherence, pain trend, red flags) and the review of a red
flag (what the clinician did about it), which stops it flagging the case.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from dme_service.db import get_session
from dme_service.documents.followup import RED_FLAG_WORDS
from dme_service.services.patient import home_log
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import printing as patient_print
from dme_service.services.patient import red_flags as red_flag_review
from dme_service.store.cases import CaseNotFound, load_case
from dme_service.web.errors import Refused
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.patient.common import clinic_zone, link_address, local_today
from dme_service.web.pages.patient.forms import (
    RED_FLAG_LABELS,
    REVIEW_MESSAGES,
    LinkForm,
    RedFlagReviewForm,
)
from dme_service.web.responses import pdf_response
from dme_service.web.security.access import safe_next

bp = Blueprint("patient_link", __name__)


def staff_case(case_id: int):
    """The case when it belongs to the user's clinic; any other id does not exist (AC-2)."""
    try:
        return load_case(get_session(), current_user, case_id)
    except CaseNotFound:
        raise Refused(
            404, "There is no case with this number in your clinic.", "Go back."
        ) from None


@bp.route("/cases/<int:case_id>/patient-link")
def link_status(case_id: int):
    """The case's patient link, home log, adherence and pain trend on a page of their own."""
    case = staff_case(case_id)
    home_log.record_read(get_session(), case, current_user)
    return render_template("patient/link_status.html", case=case, title="Patient link")


@bp.route("/cases/<int:case_id>/patient-link", methods=["POST"])
@no_input_to_keep("a language choice and one button; the link is made fresh each time")
def create_link(case_id: int):
    """Make a new link (the old one stops working) and show it once, with its QR code."""
    case = staff_case(case_id)
    if case.status == "contraindicated":
        raise Refused(
            409,
            "Traction is contraindicated for this case, so no home instructions can be shared.",
            "Resolve the screening with the clinician first.",
        )
    form = LinkForm()
    lang = form.lang.data if form.validate() else None
    db = get_session()
    link, raw = patient_links.create_link(db, case, current_user, lang=lang)
    url = link_address(raw)
    return render_template(
        "patient/link_created.html",
        case=case,
        link=link,
        url=url,
        token=raw,
        qr=qr_code(url),
        back=case_page(case.id),
        title="Patient link created",
    )


@bp.route("/cases/<int:case_id>/patient-link/revoke", methods=["POST"])
@no_input_to_keep("a single Revoke button")
def revoke_link(case_id: int):
    """Stop the case's link now; the patient sees the "ask for a new link" page."""
    case = staff_case(case_id)
    patient_links.revoke_links(get_session(), case, current_user)
    return redirect(safe_next(request.form.get("back"), case_page(case.id)), code=303)


@bp.route("/cases/<int:case_id>/patient-link/print", methods=["POST"])
@no_input_to_keep("hidden fields only: the new link's token and its language")
def print_link(case_id: int):
    """The printed instructions with the new link's QR code (the token came back in the form
    body from the "link created" page, never in a URL)."""

    case = staff_case(case_id)
    raw = request.form.get("token", "")
    db = get_session()
    link = patient_print.link_for_token(db, case, raw)
    if link is None:
        raise Refused(
            409,
            "That link is no longer the case's live link, so it was not printed.",
            "Make a new link and print from the page that shows it.",
        )
    url = link_address(raw)
    try:
        rendered = patient_print.render_instructions(
            db, link, link.lang, user=current_user, link_url=url
        )
    except patient_print.NotPrintable as refused:
        raise Refused(
            409,
            f"The instructions cannot be printed yet: {refused}.",
            "Complete the home prescription on the case page, then print again.",
        ) from None
    return pdf_response(rendered.pdf, f"instructions-{case.id}-{link.lang}.pdf")


@bp.route("/cases/<int:case_id>/followup-letter", methods=["POST"])
@no_input_to_keep("a single Print button")
def followup_letter(case_id: int):
    """The home-traction follow-up letter (adherence, pain trend, red flags) as a PDF."""
    from dme_service.services.patient import followup_printing as followup_print

    case = staff_case(case_id)
    try:
        rendered = followup_print.render_letter(
            get_session(), case, current_user, local_today(), zone=clinic_zone()
        )
    except patient_print.NotPrintable as refused:
        raise Refused(
            409,
            f"The follow-up letter cannot be printed yet: {refused}.",
            "Complete the case and its home prescription, then print again.",
        ) from None
    response = pdf_response(rendered.pdf, f"followup-{case.id}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


def _review_context(form: RedFlagReviewForm | None = None) -> dict:
    """The card on its own page around the review form, the note shown again as typed (LOG-4;
    also keeps_input's context after an unexpected failure)."""
    return {
        "case": staff_case(request.view_args["case_id"]),
        "title": "Patient link",
        "review_form": form or RedFlagReviewForm(formdata=request.form),
        "review_entry_id": request.view_args["entry_id"],
        "review_back": request.form.get("back", ""),
    }


def _shown_again(case, form: RedFlagReviewForm, status: int):
    """The review was not saved: the page with the typed note and its message. It shows the
    home log, so the read is audited like the page's GET (LOG-1)."""
    home_log.record_read(get_session(), case, current_user)
    return render_template("patient/link_status.html", **_review_context(form)), status


@bp.route("/cases/<int:case_id>/home-log/<int:entry_id>/review", methods=["POST"])
@keeps_input("patient/link_status.html", RedFlagReviewForm, _review_context)
def review_red_flag(case_id: int, entry_id: int):
    """Mark a red-flag entry reviewed with the action taken; back to the card (PRG)."""
    case = staff_case(case_id)
    form = RedFlagReviewForm()
    if not form.validate():
        return _shown_again(case, form, 422)
    try:
        red_flag_review.review_entry(get_session(), current_user, case, entry_id, form.note.data)
    except red_flag_review.NotReviewable:
        raise Refused(
            404, "This case has no red flag with this number to review.", "Go back to the case."
        ) from None
    except red_flag_review.ReviewInvalid as invalid:
        form.note.errors = [REVIEW_MESSAGES[code] for code in invalid.errors.values()]
        return _shown_again(case, form, 422)
    except red_flag_review.AlreadyReviewed as done:
        form.note.errors = [already_reviewed_message(done.entry)]
        return _shown_again(case, form, 409)
    return redirect(safe_next(request.form.get("back"), case_page(case.id)), code=303)


def already_reviewed_message(entry) -> str:
    """Someone saved a review first: say who and when, and that this note was not saved."""
    who, when = entry.reviewed_by.name, clinic_time(entry.reviewed_at)
    return (
        f"{who} reviewed this red flag at {when} while you were writing, so your note was not "
        "saved. Their note is shown with the entry; yours is kept here."
    )


def case_page(case_id: int) -> str:
    """The case page's "Patient at home" card, else our own status page."""
    if "cases.show" in current_app.view_functions:
        return url_for("cases.show", case_id=case_id, _anchor="patient-home")
    return url_for("patient_link.link_status", case_id=case_id)


def qr_code(url: str) -> dict:
    """The link as a QR code: the size and one SVG path of its dark modules (drawn inline,
    so no image is fetched and the Content-Security-Policy stays strict)."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return {"size": len(matrix), "path": path}


@bp.app_template_filter("red_flag")
def red_flag_text(key: str) -> str:
    """A stored red-flag key as staff read it: in the chart's words, as the follow-up letter
    says it ("Jaw, teeth or ear pain from the chin strap."), not the patient's second-person
    checkbox ("Your jaw, teeth or ear hurt ...")."""
    words = RED_FLAG_WORDS.get(key)
    if words is None:
        return str(RED_FLAG_LABELS.get(key, key))
    return words[:1].upper() + words[1:] + "."


@bp.app_template_global("open_red_flags_of")
def open_red_flags_of(case):
    """The case's red flags from home nobody reviewed yet (top of the decision panel)."""
    from dme_service.services.patient import red_flag_alerts

    return red_flag_alerts.open_for_case(get_session(), case)


@bp.app_template_global("patient_home")
def patient_home(case):
    """For the case page's partial: link state, adherence, pain trend and red flags."""
    return home_log.summary(get_session(), case, local_today())


@bp.app_template_filter("clinic_time")
def clinic_time(moment) -> str:
    """A stored UTC time as the clinic reads it, e.g. "Nov 23, 2026, 2:10 PM CST" (the one
    human format of web/time_filters.py)."""
    from dme_service.web.time_filters import local_time

    return local_time(moment)


@bp.app_template_global("review_note_max")
def review_note_max() -> int:
    """The longest review note, for the form's hint (the service enforces it)."""
    return red_flag_review.NOTE_MAX
