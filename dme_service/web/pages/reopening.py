"""Medicare reopenings: billing's page to record that it asked the DME MAC to correct a claim it
processed (the DME MAC takes no replacement claim), and the DME MAC's answer.

Views stay thin: services/billing/reopening.py checks, moves the claim and audits.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from dme_service.claims import reopening as rules
from dme_service.claims.correction import REOPENING
from dme_service.claims.directory import entry
from dme_service.db import get_session
from dme_service.services import order_amendment
from dme_service.services.billing import reopening
from dme_service.services.errors import REFUSALS
from dme_service.web.forms import keeps_input
from dme_service.web.pages.billing import clinic_today
from dme_service.web.pages.case_access import case_or_404

bp = Blueprint("reopening", __name__)


class RequestForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    method = RadioField(
        "How you asked the DME MAC",
        choices=[SelectChoice(k, v) for k, v in rules.METHOD_LABELS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    requested_on = DateField("Day you asked", validators=[Optional()])
    reference = StringField(
        "The DME MAC's reference for the request",
        description=(
            "As the portal or the telephone representative gave it (letters, digits or "
            "dashes); leave it empty for a written request that has none yet."
        ),
    )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        "What the DME MAC answered",
        choices=[SelectChoice(k, v) for k, v in rules.OUTCOME_LABELS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    decided_on = DateField("Day of the answer", validators=[Optional()])


def _context() -> dict:
    case = case_or_404(request.view_args["case_id"])
    session = get_session()
    return {
        "case": case,
        "title": "Reopening at the DME MAC",
        "amended": order_amendment.latest(session, case),
        "requests": reopening.requests(session, case),
        "may_request": reopening.may_request(session, case),
        "payer": entry(case.payer or "", case.patient.state or ""),
        "request_words": reopening.words,
    }


def _forms(case, request_form=None, outcome_form=None) -> dict:
    if request_form is None:
        request_form = RequestForm(formdata=None, version=case.version, requested_on=None)
        request_form.requested_on.data = clinic_today()
    if outcome_form is None:
        outcome_form = OutcomeForm(formdata=None)
        outcome_form.decided_on.data = clinic_today()
    return {"form": request_form, "outcome_form": outcome_form}


@bp.route("/billing/cases/<int:case_id>/reopening")
def show(case_id: int):
    """What to ask the DME MAC, the requests recorded and the forms to record one."""
    context = _context()
    return render_template("billing/reopening.html", **context, **_forms(context["case"]))


def _request_context() -> dict:
    context = _context()
    return {**context, "outcome_form": _forms(context["case"])["outcome_form"]}


@bp.route("/billing/cases/<int:case_id>/reopening", methods=["POST"])
@keeps_input("billing/reopening.html", RequestForm, _request_context)
def record_request(case_id: int):
    """Billing asked the DME MAC: record the day, the way and its reference (PRG)."""
    form = RequestForm()
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            reopening.record_request(
                get_session(),
                case_id,
                current_user._get_current_object(),
                method=form.method.data,
                requested_on=form.requested_on.data,
                reference=form.reference.data,
                today=clinic_today(),
                expected_version=form.version.data,
            )
            return redirect(url_for("reopening.show", case_id=case_id, recorded=1), code=303)
        except reopening.ReopeningInvalid as invalid:
            for name, message in invalid.errors.items():
                getattr(form, name).errors = [message]
        except REFUSALS as refused:
            if refused.status == 404:
                abort(404)
            problem, status = refused.message, refused.status
    else:
        _date_errors(form.requested_on, "Give the day the request was made (YYYY-MM-DD).")
    page = render_template(
        "billing/reopening.html", form=form, problem=problem, **_request_context()
    )
    return page, status


def _outcome_context() -> dict:
    context = _context()
    return {**context, "form": _forms(context["case"])["form"]}


@bp.route("/billing/cases/<int:case_id>/reopening/outcome", methods=["POST"])
@keeps_input("billing/reopening.html", OutcomeForm, _outcome_context)
def record_outcome(case_id: int):
    """The DME MAC answered the latest request: corrected or declined (PRG)."""
    form = OutcomeForm()
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            reopening.record_outcome(
                get_session(),
                case_id,
                current_user._get_current_object(),
                outcome=form.outcome.data,
                decided_on=form.decided_on.data,
                today=clinic_today(),
            )
            return redirect(url_for("reopening.show", case_id=case_id, answered=1), code=303)
        except reopening.ReopeningInvalid as invalid:
            for name, message in invalid.errors.items():
                getattr(form, name).errors = [message]
        except REFUSALS as refused:
            if refused.status == 404:
                abort(404)
            problem, status = refused.message, refused.status
    else:
        _date_errors(form.decided_on, "Give the day of the DME MAC's answer (YYYY-MM-DD).")
    page = render_template(
        "billing/reopening.html", outcome_form=form, outcome_problem=problem, **_outcome_context()
    )
    return page, status


def _date_errors(field, message: str) -> None:
    """A date the browser sent that is not one: the message in a biller's words."""
    if field.errors:
        field.errors = [message]


@bp.app_template_global("reopening_needed")
def reopening_needed(amended) -> bool:
    """Whether an amendment is corrected by a Medicare reopening (the claim page's link)."""
    return amended is not None and amended.path == REOPENING
