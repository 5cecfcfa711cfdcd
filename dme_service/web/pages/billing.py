"""The billing pages: the queue, one claim (move its state, record a denial or a delivery,
review checklist items), the denial report and the CSV export. Billing sees identifiers,
codes, documents and the checklist, never the clinical notes (docs/security.md AC-3).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from dme_service.coding import carc
from dme_service.db import get_session
from dme_service.rules.claim import BILLING_STATES, FINISHED_STATES, QUEUE_STATES
from dme_service.services.billing import claim as billing
from dme_service.services.billing import denials as billing_denials
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import queue_csv as billing_csv
from dme_service.services.billing import readiness
from dme_service.services.billing.claim import DATED_MOVES
from dme_service.services.billing.input import DELIVERY_METHODS, NOTE_MAX
from dme_service.services.clinic import clinic_time
from dme_service.services.errors import Refusal
from dme_service.store.cases import CaseNotFound
from dme_service.web.forms import keeps_input
from dme_service.web.notice_mail import notice_mail
from dme_service.web.pages.billing_forms import details_form

bp = Blueprint("billing", __name__, url_prefix="/billing")


def clinic_today() -> date:
    """Today in the signed-in user's clinic's zone: the default for the days a biller types
    and the day deadlines, ages and the CSV's file name count from."""
    return clinic_time.today(current_user.clinic.timezone)


FILTERS = {
    "open": QUEUE_STATES,
    "finished": FINISHED_STATES,
    **{state: (state,) for state in BILLING_STATES if state != "draft"},
}
MOVE_WORDS = {
    "ready_to_submit": "Mark ready to submit",
    "submitted": "Mark submitted",
    "paid": "Record payment",
    "denied": "Record denial",
    "resubmitted": "Mark resubmitted",
    "appealed": "Mark appealed",
    "closed": "Close the claim",
}


def _code_choices(kind: str) -> list[tuple[str, str]]:
    return [SelectChoice(entry.code, entry.label) for entry in carc.all_codes(kind)]


class MoveForm(FlaskForm):
    to_state = HiddenField(validators=[InputRequired(), AnyOf(BILLING_STATES)])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    carc = SelectMultipleField("Claim adjustment reason codes (CARC)", choices=[])
    rarc = SelectMultipleField("Remark codes (RARC)", choices=[])
    note = TextAreaField("Note", validators=[Optional(), Length(max=NOTE_MAX)])
    delivery_date = DateField("Delivery date", validators=[Optional()])
    delivery_method = SelectField(
        "How the unit was delivered",
        choices=[SelectChoice("", "Not recorded")]
        + [SelectChoice(key, words) for key, words in DELIVERY_METHODS.items()],
        default="",
    )
    received_by = StringField("Received by", validators=[Optional(), Length(max=200)])
    service_date = DateField("Date of service (delivery date)", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carc.choices = _code_choices("carc")
        self.rarc.choices = _code_choices("rarc")

    def delivery(self) -> dict | None:
        fields = {
            "date": self.delivery_date.data.isoformat() if self.delivery_date.data else "",
            "method": self.delivery_method.data or "",
            "received_by": self.received_by.data or "",
        }
        return fields if any(fields.values()) else None


class ReviewForm(FlaskForm):
    item = HiddenField(validators=[InputRequired(), AnyOf(tuple(readiness.REVIEWABLE))])
    note = TextAreaField(
        "What you checked and found",
        validators=[InputRequired("Say what you checked."), Length(max=NOTE_MAX)],
    )


def _claim_or_404(case_id: int) -> billing_queue.Claim:
    try:
        return billing_queue.claim(get_session(), case_id, current_user)
    except CaseNotFound:
        abort(404)


def _claim_context() -> dict:
    claim = _claim_or_404(request.view_args["case_id"])
    money = claim.row.money
    return {
        "claim": claim,
        "review_form": ReviewForm(formdata=None),
        # empty fields for the forms not submitted; the date of service as stored
        "blank": MoveForm(formdata=None, service_date=money.service_date if money else None),
        "move_words": MOVE_WORDS,
        "methods": DELIVERY_METHODS,
        "code_note": carc.source_note(),
        "lookup": carc.lookup,
        "details": _details(claim),
        "today": clinic_today(),
    }


@bp.route("/")
def queue():
    """The queue: every open claim with what is missing, in words."""
    chosen = request.args.get("show", "open")
    states = FILTERS.get(chosen, FILTERS["open"])
    # Nearest deadline first by default (what must go out soonest); claims without one follow,
    # newest change first.
    sort = request.args.get("sort", "deadline")
    sort = sort if sort in billing_queue.SORTS else "deadline"
    today = clinic_today()
    rows = billing_queue.queue(get_session(), current_user, states, sort=sort, today=today)
    return render_template(
        "billing/queue.html",
        rows=rows,
        chosen=chosen,
        filters=FILTERS,
        sort=sort,
        today=today,
        title="Billing queue",
    )


@bp.route("/queue.csv")
def export():
    """The queue as CSV (audited as an export)."""
    chosen = request.args.get("show", "open")
    text = billing_csv.queue_csv(get_session(), current_user, FILTERS.get(chosen, FILTERS["open"]))
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="billing-queue-{clinic_today()}.csv"'
    )
    return response


@bp.route("/cases/<int:case_id>")
def claim(case_id: int):
    """One claim: identifiers, codes, checklist, documents, signatures and history."""
    context = _claim_context()
    form = MoveForm(formdata=None)
    form.version.data = context["claim"].row.case.version
    return render_template("billing/claim.html", form=form, **context)


def _details(claim):
    return details_form(claim)


@bp.route("/cases/<int:case_id>/move", methods=["POST"])
@keeps_input("billing/claim.html", MoveForm, _claim_context)
def move(case_id: int):
    """Move the claim to the state the pressed button names (PRG; 409 shows the new state)."""
    form = MoveForm()
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            billing.transition(
                get_session(),
                case_id,
                form.to_state.data,
                current_user,
                expected_version=form.version.data,
                carc=form.carc.data,
                rarc=form.rarc.data,
                note=(form.note.data or "").strip() or None,
                delivery=form.delivery(),
                service_date=form.service_date.data if form.to_state.data in DATED_MOVES else None,
                mail=notice_mail(),
            )
            return redirect(url_for("billing.claim", case_id=case_id, moved=1), code=303)
        except billing.InvalidInput as error:
            _field_errors(form, error.errors)
        except Refusal as error:
            if error.status == 404:
                abort(404)
            problem, status = error.message, error.status
    if form.to_state.errors or form.version.errors:
        # The button's own hidden fields: no place beside them, so the page says it.
        problem = "The page was incomplete: the claim was not moved. Press the button again."
    context = _claim_context()
    form.version.data = context["claim"].row.case.version  # a retry goes against the new state
    page = render_template("billing/claim.html", form=form, problem=problem, **context)
    return page, status


FIELD_NAMES = {
    "delivery.date": "delivery_date",
    "delivery.method": "delivery_method",
    "delivery.received_by": "received_by",
}


def _field_errors(form: MoveForm, errors) -> None:
    for error in errors:
        name = FIELD_NAMES.get(error.field, error.field)
        field = getattr(form, name, None) or form.note
        field.errors = [*field.errors, error.message]


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
@keeps_input("billing/claim.html", ReviewForm, _claim_context)
def review(case_id: int):
    """Record billing's review of a checklist item (Excludes1, same-or-similar)."""
    _claim_or_404(case_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            billing.review(
                get_session(), case_id, form.item.data, current_user, note=form.note.data
            )
            return redirect(url_for("billing.claim", case_id=case_id), code=303)
        except billing.InvalidInput as error:
            form.note.errors = [e.message for e in error.errors]
    context = {**_claim_context(), "review_form": form}
    move_form = MoveForm(formdata=None)
    move_form.version.data = context["claim"].row.case.version
    return render_template("billing/claim.html", form=move_form, **context), 422


@bp.route("/denials")
def denials():
    """Denials by reason (CARC) and by payer over a date range (default: the last 90 days)."""
    end = _date_arg("end") or clinic_today()
    start = _date_arg("start") or end - timedelta(days=90)
    if start > end:
        start, end = end, start
    report = billing_denials.denial_report(get_session(), current_user, start, end)
    return render_template("billing/denials.html", report=report, title="Denials")


def _date_arg(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None  # no overflow at the calendar's ends
