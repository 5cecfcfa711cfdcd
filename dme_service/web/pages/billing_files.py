"""The billing pages for money and claim files: export the selected claims to an 837P, confirm
the file sent, upload an 835, the claim details form, the fee table and the money report.

Routes on the billing blueprint (web/pages/billing.py). Views are thin: the services own the
transactions and audit rows (services/billing/export.py, remittance.py, fees.py,
claim_details.py, supplier.py, reports.py). Bad input comes back with the typed values and a
message at the field.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from dme_service.claims.x835 import RemittanceRefused
from dme_service.db import get_session
from dme_service.services.billing import claim as billing
from dme_service.services.billing import claim_details as billing_claim_details
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import fees as billing_fees
from dme_service.services.billing import manual_match, replaced_files
from dme_service.services.billing import remittance as remittance_import
from dme_service.services.billing import reports as claim_reports
from dme_service.services.billing import supplier as billing_supplier
from dme_service.store.cases import CaseNotFound
from dme_service.web.errors import answers_too_large
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.billing import bp, clinic_today
from dme_service.web.pages.billing_forms import DetailsForm
from dme_service.web.uploads import REMITTANCE_MAX_BYTES

UPLOAD_LIMIT = REMITTANCE_MAX_BYTES
REMITTANCE_TOO_LARGE = (
    "The file is larger than 20 MB. Ask the payer or clearinghouse for the remittance in "
    "smaller files (one per check or per week). Nothing was posted."
)


# --- the claim file -----------------------------------------------------------------------


class SentForm(FlaskForm):
    sent_on = DateField("Day the file was sent", validators=[InputRequired("Give the day.")])


@bp.route("/claim-files", methods=["POST"])
@no_input_to_keep("the queue's checkboxes: case numbers chosen from the list, nothing typed")
def export_claims():
    """Export the claims ticked on the queue; the result page lists the refused ones."""
    FlaskForm().validate_on_submit() or abort(400)
    ids = [int(v) for v in request.form.getlist("case") if v.isdigit()][:5000]
    if not ids:
        return redirect(url_for("billing.queue", show="ready_to_submit", none=1), code=303)
    result = claim_export.export(get_session(), current_user, ids, today=clinic_today())
    form = SentForm(formdata=None, sent_on=clinic_today())
    page = render_template(
        "billing/claim_file.html",
        result=result,
        file=result.file,
        replaced=[],  # a file just made holds only claims not yet sent
        form=form,
        title="Claim file",
    )
    return page, (200 if result.file else 422)


@bp.app_template_global("is_production")
def _is_production(claim_file) -> bool:
    """For the claim file page: whether payers process the file (ISA15 P)."""
    return claim_export.is_production(claim_file)


@bp.route("/claim-files")
def claim_files():
    db = get_session()
    files = claim_export.claim_files(db, current_user.clinic_id)
    usage = billing_supplier.supplier_values(db, current_user.clinic_id)["file_usage"]
    return render_template(
        "billing/claim_files.html",
        files=files,
        production_files=usage == "production",
        production={f.id: claim_export.is_production(f) for f in files},
        replaced={f.id for f in files if replaced_files.replacements(db, f)},
        title="Claim files",
    )


def _file_or_404(file_id: int):
    for found in claim_export.claim_files(get_session(), current_user.clinic_id, limit=10_000):
        if found.id == file_id:
            return found
    abort(404)


@bp.route("/claim-files/<int:file_id>")
def claim_file(file_id: int):
    found = _file_or_404(file_id)
    form = SentForm(formdata=None, sent_on=clinic_today())
    return render_template("billing/claim_file.html", form=form, **_file_context(found))


def _file_context(found) -> dict:
    return {
        "result": None,
        "file": found,
        "replaced": replaced_files.replacements(get_session(), found),
        "title": "Claim file",
    }


@bp.route("/claim-files/<int:file_id>/download")
def claim_file_download(file_id: int):
    """The 837P to send; refused, with the reason on the file's page, once it was replaced."""
    found = _file_or_404(file_id)
    context = _file_context(found)
    if context["replaced"]:
        form = SentForm(formdata=None, sent_on=clinic_today())
        return render_template("billing/claim_file.html", form=form, **context), 409
    response = Response(found.content, mimetype="text/plain")
    name = f"claims-{found.control_number:09d}.837"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _sent_context() -> dict:
    return _file_context(_file_or_404(request.view_args["file_id"]))


@bp.route("/claim-files/<int:file_id>/sent", methods=["POST"])
@keeps_input("billing/claim_file.html", SentForm, _sent_context)
def confirm_sent(file_id: int):
    """The biller sent the file: its claims become submitted on the day typed (PRG)."""
    form = SentForm()
    if form.validate_on_submit():
        try:
            done = claim_export.confirm_sent(
                get_session(), current_user, file_id, form.sent_on.data, today=clinic_today()
            )
            return redirect(
                url_for("billing.claim_file", file_id=file_id, submitted=len(done.submitted)),
                code=303,
            )
        except billing.InvalidInput as error:
            form.sent_on.errors = [e.message for e in error.errors]
        except CaseNotFound:
            abort(404)
    return render_template("billing/claim_file.html", form=form, **_sent_context()), 422


# --- the remittance -----------------------------------------------------------------------


class RemittanceForm(FlaskForm):
    file = FileField("835 remittance file")


@bp.route("/remittances", methods=["GET", "POST"])
@keeps_input("billing/remittances.html", RemittanceForm, lambda: _remittance_context())
def remittances():
    """Upload an 835: each claim payment posted, the unmatched listed for matching by hand."""
    form = RemittanceForm()
    result = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        content = upload.read(UPLOAD_LIMIT + 1) if upload else b""
        if not form.validate_on_submit():
            abort(400)
        elif not content:
            form.file.errors = ["Choose the 835 file the payer or clearinghouse sent."]
            status = 422
        elif len(content) > UPLOAD_LIMIT:
            form.file.errors = [REMITTANCE_TOO_LARGE]
            status = 422
        else:
            try:
                result = remittance_import.import_835(get_session(), current_user, content)
            except RemittanceRefused as refused:
                form.file.errors = [f"Refused, nothing posted: {refused}."]
                status = 422
    return render_template(
        "billing/remittances.html", form=form, result=result, **_remittance_context()
    ), status


@answers_too_large("billing.remittances")
def remittance_too_large():
    """The upload form again, the file's size beside its field; nothing was posted."""
    form = RemittanceForm(formdata=None)
    form.file.errors = [REMITTANCE_TOO_LARGE]
    return render_template(
        "billing/remittances.html", form=form, result=None, **_remittance_context()
    ), 413


def _remittance_context() -> dict:
    return {
        "imports": remittance_import.remittances(get_session(), current_user.clinic_id),
        "open_claims": manual_match.open_claims(get_session(), current_user.clinic_id),
        "match_error": None,
        "matched": int(request.args["matched"]) if _digits(request.args.get("matched")) else None,
        "title": "Remittances",
    }


def _digits(value: str | None) -> bool:
    return bool(value) and value.isdigit() and len(value) < 10


class MatchForm(FlaskForm):
    case = StringField("Claim this payment answers", validators=[Optional()])


@bp.route("/remittances/<int:remittance_id>/unmatched/<int:entry>", methods=["POST"])
@keeps_input("billing/remittances.html", RemittanceForm, lambda: _remittance_context())
def post_unmatched(remittance_id: int, entry: int):
    """Post an unmatched payment to the claim the biller chose; the error beside its select."""
    form = MatchForm()
    if not form.validate_on_submit():
        abort(400)
    typed = (form.case.data or "").strip()
    try:
        case_id = int(typed) if _digits(typed) else None
        manual_match.post_to_claim(get_session(), current_user, remittance_id, entry, case_id)
        return redirect(url_for("billing.remittances", matched=case_id), code=303)
    except billing.InvalidInput as error:
        message = " ".join(problem.message for problem in error.errors)
    except CaseNotFound:
        abort(404)
    context = {**_remittance_context(), "match_error": (remittance_id, entry, message, typed)}
    form = RemittanceForm(formdata=None)
    page = render_template("billing/remittances.html", form=form, result=None, **context)
    return page, 422


# --- the claim's details ------------------------------------------------------------------


def _blank_move_form(formdata=None):
    """The claim page's move forms, empty (a failed details save keeps the details typed)."""
    from dme_service.web.pages.billing import MoveForm

    return MoveForm(formdata=None)


def _details_kept() -> dict:
    from dme_service.web.pages.billing import _claim_context

    return {**_claim_context(), "details": DetailsForm(formdata=request.form)}


@bp.route("/cases/<int:case_id>/details", methods=["POST"])
@keeps_input("billing/claim.html", _blank_move_form, _details_kept)
def claim_details(case_id: int):
    """Save the claim details; errors at their fields with the typed values kept (PRG)."""
    form = DetailsForm()
    if form.validate_on_submit():
        typed = {name: getattr(form, name).data for name in billing_claim_details.DETAIL_FIELDS}
        try:
            billing_claim_details.update_details(
                get_session(), case_id, current_user, typed, clinic_today()
            )
            return redirect(url_for("billing.claim", case_id=case_id, saved=1), code=303)
        except billing.InvalidInput as error:
            for problem in error.errors:
                field = getattr(form, problem.field, None) or form.prior_auth
                field.errors = [*field.errors, problem.message]
        except CaseNotFound:
            abort(404)
    context = {**_details_kept(), "details": form}
    move_form = _blank_move_form()
    move_form.version.data = context["claim"].row.case.version
    return render_template("billing/claim.html", form=move_form, **context), 422


# --- the fee table ------------------------------------------------------------------------


class FeeForm(FlaskForm):
    hcpcs = StringField("HCPCS", validators=[Optional()])
    # The service checks the choice (services/billing/fees.py), so a value the page never
    # offered comes back beside the select with the rest as typed, not as a bare 400.
    purchase_or_rental = SelectField(
        "Purchase or rental",
        choices=[SelectChoice(k, v) for k, v in billing_fees.PURCHASE_OR_RENTAL.items()],
        validate_choice=False,
    )
    amount = StringField("Charge ($)", validators=[Optional()])
    effective_from = StringField("From (YYYY-MM-DD)", validators=[Optional()])


def _fees_context() -> dict:
    return {
        "fees": billing_fees.fee_table(get_session(), current_user.clinic_id),
        "title": "Fee table",
    }


@bp.route("/fees", methods=["GET", "POST"])
@keeps_input("billing/fees.html", FeeForm, _fees_context)
def fees():
    """The clinic's charges per HCPCS; a new price is a new row from its first day."""
    form = (
        FeeForm()
        if request.method == "POST"
        else FeeForm(formdata=None, effective_from=clinic_today().isoformat())
    )
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                billing_fees.add_fee(
                    get_session(),
                    current_user,
                    hcpcs=form.hcpcs.data or "",
                    purchase_or_rental=form.purchase_or_rental.data or "",
                    amount=form.amount.data or "",
                    effective_from=form.effective_from.data or "",
                )
                return redirect(url_for("billing.fees", added=1), code=303)
            except billing.InvalidInput as error:
                for problem in error.errors:
                    getattr(form, problem.field).errors = [problem.message]
        return render_template("billing/fees.html", form=form, **_fees_context()), 422
    return render_template("billing/fees.html", form=form, **_fees_context())


# --- the money report ---------------------------------------------------------------------


@bp.route("/reports")
def reports():
    """Billed, paid and denied by month and payer; top denials; days to payment."""
    end = _date_arg("end") or clinic_today()
    start = _date_arg("start") or end - timedelta(days=365)
    if start > end:
        start, end = end, start
    report = claim_reports.money_report(get_session(), current_user, start, end)
    return render_template("billing/reports.html", report=report, title="Money report")


def _date_arg(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


# --- the clinic as supplier ---------------------------------------------------------------


class SupplierForm(FlaskForm):
    """One text field per supplier fact (services/billing/supplier.py SUPPLIER_FIELDS)."""


for _key, (_label, _limit) in billing_supplier.SUPPLIER_FIELDS.items():
    setattr(SupplierForm, _key, StringField(_label, validators=[Optional()]))
# The service checks the choice, so a wrong one comes back beside the field, not as a 400.
SupplierForm.file_usage = SelectField(
    "Claim files are",
    choices=[SelectChoice(k, v) for k, v in billing_supplier.FILE_USAGE.items()],
    default="test",
    validate_choice=False,
)


def _supplier_context() -> dict:
    return {
        "title": "Clinic billing identity",
        "fields": list(billing_supplier.SUPPLIER_FIELDS),
        "from_profile": billing_supplier.FROM_PROFILE,
        "profile": billing_supplier.profile_names(get_session(), current_user.clinic_id),
    }


@bp.route("/supplier", methods=["GET", "POST"])
@keeps_input("billing/supplier.html", SupplierForm, _supplier_context)
def supplier():
    """The clinic as it appears on every claim: NPI, EIN, address, submitter id."""
    if request.method == "GET":
        values = billing_supplier.supplier_values(get_session(), current_user.clinic_id)
        form = SupplierForm(formdata=None, **values)
        return render_template("billing/supplier.html", form=form, **_supplier_context())
    form = SupplierForm()
    if not form.validate_on_submit():
        abort(400)
    typed = {key: getattr(form, key).data for key in billing_supplier.SUPPLIER_FIELDS}
    typed["file_usage"] = form.file_usage.data
    try:
        billing_supplier.update_supplier(get_session(), current_user, typed)
        return redirect(url_for("billing.supplier", saved=1), code=303)
    except billing.InvalidInput as error:
        for problem in error.errors:
            getattr(form, problem.field).errors = [problem.message]
    return render_template("billing/supplier.html", form=form, **_supplier_context()), 422
