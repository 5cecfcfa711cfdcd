"""Amend the order: after its claim went to the payer, the clinical team makes a new order
version (with a reason) for a new signature and a corrected claim.

Views stay thin: services.order_amendment supersedes the signature, moves the claim and audits.
The template globals give the case page, the sign page and billing's claim page the latest
amendment (the reason only where the clinical team reads it).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired

from dme_service.db import get_session
from dme_service.services import order_amendment
from dme_service.services.errors import REFUSALS
from dme_service.web.forms import keeps_input
from dme_service.web.notice_mail import notice_mail
from dme_service.web.pages.case_access import case_or_404

bp = Blueprint("order_amendment", __name__)


class AmendForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField(
        "Why the order must change",
        description=(
            "The practitioner reads it on the order to sign again (for example: Dr Okafor "
            f"ordered 10 lb; 12 lb was typed by mistake). Up to {order_amendment.REASON_MAX} "
            "characters."
        ),
    )


def _context() -> dict:
    case = case_or_404(request.view_args["case_id"])
    return {"case": case, "title": "Amend the order", **_what_changes(case)}


def _what_changes(case) -> dict:
    return {
        "order_version": order_amendment.order_version(get_session(), case.id) + 1,
        "may_amend": order_amendment.can_amend(case, current_user),
    }


@bp.route("/cases/<int:case_id>/amend", methods=["GET", "POST"])
@keeps_input("cases/amend.html", AmendForm, _context)
def amend(case_id: int):
    """The reason, then a new order version: back to the practitioner, a corrected claim."""
    case = case_or_404(case_id)
    form = AmendForm()
    if request.method == "GET":
        form.version.data = case.version
        return render_template("cases/amend.html", form=form, **_context())
    problem, status = None, 422
    if not order_amendment.can_amend(case, current_user):
        # The page offers no form then (an order amended meanwhile, in another tab, or a claim
        # that has not gone to the payer): the refusal is said above it, not at a hidden field.
        problem, status = order_amendment.not_amendable(case, get_session()), 409
    elif not form.validate_on_submit():
        # Only the hidden version can fail here (the reason is the service's to check).
        form.version.data = case.version
        problem = "The page was incomplete: nothing was amended. Give the reason and amend again."
    else:
        try:
            order_amendment.amend(
                get_session(),
                case_id,
                current_user._get_current_object(),
                form.reason.data,
                expected_version=form.version.data,
                mail=notice_mail(),
            )
            return redirect(
                url_for("cases.show", case_id=case_id, amended=1, _anchor="case-top"), code=303
            )
        except order_amendment.AmendmentInvalid as invalid:
            form.reason.errors = [invalid.errors.get("reason", invalid.message)]
        except REFUSALS as refused:
            if refused.status == 404:
                abort(404)
            problem, status = refused.message, refused.status
    return render_template("cases/amend.html", form=form, problem=problem, **_context()), status


class PayerNumberForm(FlaskForm):
    payer_claim_number = StringField(
        "Payer's claim number (ICN) of the original claim",
        description=(
            "As the payer gave it for the claim already billed: on its remittance or its portal "
            "(letters, digits or dashes). The corrected claim names it."
        ),
    )


def _number_context() -> dict:
    case = case_or_404(request.view_args["case_id"])
    return {"case": case, "title": "Payer's claim number", "amended": amendment_of(case)}


@bp.route("/billing/cases/<int:case_id>/original-claim-number", methods=["GET", "POST"])
@keeps_input("billing/original_claim_number.html", PayerNumberForm, _number_context)
def original_claim_number(case_id: int):
    """Billing types the payer's number of the original claim when no 835 brought it."""
    form = PayerNumberForm()
    if request.method == "GET":
        return render_template("billing/original_claim_number.html", form=form, **_number_context())
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            order_amendment.record_payer_number(
                get_session(),
                case_id,
                current_user._get_current_object(),
                form.payer_claim_number.data,
            )
            return redirect(
                url_for("billing.claim", case_id=case_id, _anchor="corrected-claim"), code=303
            )
        except order_amendment.AmendmentInvalid as invalid:
            form.payer_claim_number.errors = [invalid.message]
        except REFUSALS as refused:
            if refused.status == 404:
                abort(404)
            problem, status = refused.message, refused.status
    page = render_template(
        "billing/original_claim_number.html", form=form, problem=problem, **_number_context()
    )
    return page, status


@bp.app_template_global("amendment_of")
def amendment_of(case):
    """The case's latest amended order (order_amendment.Amended), or None."""
    return order_amendment.latest(get_session(), case)


@bp.app_template_global("corrected_in_file")
def corrected_in_file(claim_file) -> set[int]:
    """The cases whose claim in this 837P file replaces one the payer has."""
    return order_amendment.corrected_in_file(get_session(), claim_file)


@bp.app_template_global("may_amend")
def may_amend(case) -> bool:
    """Whether the signed-in user is offered "Amend the order" on this case."""
    return order_amendment.can_amend(case, current_user)
