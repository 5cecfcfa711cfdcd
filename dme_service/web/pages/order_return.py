"""The practitioner sends an order back ("ask for changes" / "decline to sign", with a note);
the clinician reads the note at the top of the case and sends the order again.

The re-sign page shows what changed since the practitioner last signed or sent the order back
(services.order_changes). Views stay thin: services.order_returns moves, audits and mails.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired

from dme_service.db import get_session
from dme_service.services import order_changes, order_returns
from dme_service.services.errors import REFUSALS
from dme_service.services.mail import outbox
from dme_service.store.cases import CaseNotFound, load_case
from dme_service.web.errors import Refused
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.case_access import case_or_404

bp = Blueprint("order_return", __name__)

ACTIONS = {"changes": "Ask for changes", "declined": "Decline to sign"}


class SendBackForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    note = TextAreaField(
        "Your note to the clinician",
        description=(
            "What should change (for example: 10 lb, not 12), or why you will not sign. "
            f"Up to {order_returns.NOTE_MAX} characters."
        ),
    )


def _context() -> dict:
    return {"case": case_or_404(request.view_args["case_id"])}


@bp.route("/signing/cases/<int:case_id>/send-back", methods=["GET", "POST"])
@keeps_input("signing/send_back.html", SendBackForm, _context)
def send_back(case_id: int):
    """Ask for changes or decline to sign, with a note; the order returns to its clinician."""
    case = case_or_404(case_id)
    form = SendBackForm()
    if request.method == "GET":
        form.version.data = case.version
        return render_template("signing/send_back.html", form=form, **_context())
    kind = request.form.get("kind", "")
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            order_returns.send_back(
                get_session(),
                case_id,
                current_user._get_current_object(),
                kind,
                form.note.data,
                expected_version=form.version.data,
                mail=_mail(),
            )
            return redirect(url_for("home.index", sent_back=case_id), code=303)
        except order_returns.ReturnInvalid as invalid:
            form.note.errors = [invalid.errors.get("note", invalid.message)]
        except REFUSALS as refused:
            if refused.status == 404:
                abort(404)
            problem, status = refused.message, refused.status
    if form.version.errors:
        # The page's hidden version: no place beside it, so the page says it.
        form.version.data = case.version
        problem = "The page was incomplete: the order was not sent back. Send it again."
    context = _context()
    return render_template("signing/send_back.html", form=form, problem=problem, **context), status


@bp.route("/cases/<int:case_id>/send-again", methods=["POST"])
@no_input_to_keep("a single Send again button; the version rides along")
def send_again(case_id: int):
    """The clinician made the changes: the order goes to the practitioner again."""
    version = request.form.get("version", "")
    try:
        order_returns.send_again(
            get_session(),
            case_id,
            current_user._get_current_object(),
            expected_version=int(version) if version.isdigit() else -1,
        )
    except REFUSALS as refused:
        if refused.status == 404:
            abort(404)
        raise Refused(
            refused.status, refused.message, "Open the case again to see where it stands."
        ) from None
    return redirect(url_for("cases.show", case_id=case_id, resend="sent", _anchor="case-top"), 303)


def _mail() -> order_returns.Mail:
    return order_returns.Mail(
        current_app.config["BASE_URL"],
        outbox.settings_from(current_app.config, current_app.instance_path),
    )


@bp.app_template_global("new_send_back_form")
def new_send_back_form(case) -> SendBackForm:
    """The empty send-back form for the sign page, on the case's current version."""
    form = SendBackForm(formdata=None)
    form.version.data = case.version
    return form


bp.add_app_template_global(ACTIONS, "send_back_actions")


@bp.app_template_global("order_return_of")
def order_return_of(case):
    """The practitioner's note the clinician has not answered yet (top of the case page)."""
    return order_returns.open_return(get_session(), case.id)


@bp.app_template_global("changes_since_last_look")
def changes_since_last_look(case):
    """What changed since the practitioner last signed or sent the order back (sign page)."""
    return order_changes.since_last_look(get_session(), case)


@bp.app_template_global("sent_back_case")
def sent_back_case(case_id: str | None):
    """The case the practitioner just sent back (for the home page's message), or None."""
    if not (case_id or "").isdigit():
        return None
    try:
        return load_case(get_session(), current_user, int(case_id))
    except CaseNotFound:
        return None
