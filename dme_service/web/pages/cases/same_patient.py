"""The same patient again: the new-case form's look-up of the clinic's cases of the patient
being typed, and the case page's card: remove a carried prior device with a reason, or carry a
unit delivered on the patient's earlier case after this case began.

Views are thin: each calls one service (services.cases.same_patient) and returns to the card;
a refusal re-shows the case page with the typed reason and the message beside it.
"""

from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from dme_service.db import get_session
from dme_service.services.cases import same_patient
from dme_service.services.errors import REFUSALS
from dme_service.store.cases import CaseNotFound, load_case
from dme_service.web.forms import Failure, failure_for, no_input_to_keep
from dme_service.web.pages.cases.views import render_case
from dme_service.web.time_filters import human_date

bp = Blueprint("same_patient", __name__)
CARD = "same-patient"


def _keeps_reason(view):
    """LOG-4: any failure re-shows the case page with the reason as typed."""

    @functools.wraps(view)
    def wrapper(case_id: int, **kwargs):
        try:
            return view(case_id, **kwargs)
        except HTTPException:
            raise
        except REFUSALS as refused:
            get_session().rollback()
            failure = Failure(
                refused.status, refused.message, "The case is shown as it is now.", ""
            )
            return _case_page(case_id, failure=failure, status=refused.status)
        except Exception as error:  # noqa: BLE001 - LOG-4: any failure keeps the input
            failure = failure_for(error)
            return _case_page(case_id, failure=failure, status=failure.status)

    wrapper.keeps_input = True
    return wrapper


def _case_page(case_id: int, *, status: int, **extra):
    try:
        case = load_case(get_session(), current_user, case_id)
    except CaseNotFound:
        abort(404)
    carried_id = request.view_args.get("carried_id")
    if carried_id is not None:
        extra["prior_reasons"] = {carried_id: request.form.get("reason", "")}
    page = render_case(case, status=status, **extra)
    return page


def _version() -> int:
    text = request.form.get("version", "")
    return int(text) if text.isdigit() else -1


@bp.route("/cases/<int:case_id>/prior-devices/<int:carried_id>/remove", methods=["POST"])
@_keeps_reason
def remove_prior_device(case_id: int, carried_id: int):
    """Take a carried prior device off the case; the reason is required and audited."""
    try:
        same_patient.remove_carried(
            get_session(),
            current_user,
            case_id,
            carried_id,
            _version(),
            request.form.get("reason", ""),
        )
    except same_patient.ReasonNeeded as refused:
        get_session().rollback()
        return _case_page(case_id, status=422, prior_errors={carried_id: refused.message})
    return redirect(url_for("cases.show", case_id=case_id, _anchor=CARD), code=303)


@bp.route("/cases/<int:case_id>/prior-devices/carry/<int:source_case_id>", methods=["POST"])
@_keeps_reason
def carry_prior_device(case_id: int, source_case_id: int):
    """Carry a unit delivered on the patient's earlier case into this case's prior devices."""
    same_patient.carry_later_delivery(
        get_session(), current_user, case_id, source_case_id, _version()
    )
    return redirect(url_for("cases.show", case_id=case_id, _anchor=CARD), code=303)


@bp.route("/cases/same-patient", methods=["POST"])
@no_input_to_keep("a look-up while the new-case form is typed; it saves nothing")
def lookup():
    """The clinic's cases of the patient typed in the new-case form (JSON; a POST so the member
    id and date of birth never reach an address or a log)."""
    member_id = (request.form.get("member_id") or "").strip()[:64]
    try:
        born = date.fromisoformat((request.form.get("date_of_birth") or "").strip())
    except ValueError:
        return jsonify(cases=[])
    if not member_id:
        return jsonify(cases=[])
    found = same_patient.cases_of_patient(get_session(), current_user, member_id, born)
    return jsonify(cases=[_case_words(other) for other in found])


def _case_words(other) -> dict:
    words = [other.hcpcs or "no unit chosen yet", f"begun {human_date(other.started)}"]
    if other.delivered_on:
        words.append(f"delivered {human_date(other.delivered_on)}")
    return {
        "id": other.case_id,
        "url": url_for("cases.show", case_id=other.case_id),
        "words": f"Case #{other.case_id}: " + ", ".join(words),
    }
