"""Signatures in ink: print the order and letter with signature lines, upload the
signed scan, download a stored scan. services.wet_signing checks, stores and audits.

The upload may be up to 10 MiB, above the app's 1 MiB request limit (web/uploads.py). A
larger file comes back to this form with the message beside the file field (`too_large`,
through web.errors.answers_too_large); the order version the page was made for travels in the
form's address, so it is known without reading the body.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired

from dme_service.db import get_session
from dme_service.services import signing, wet_signing
from dme_service.services.errors import REFUSALS
from dme_service.store.cases import CaseNotFound
from dme_service.web.errors import Refused, answers_too_large
from dme_service.web.forms import keeps_input
from dme_service.web.pages.case_access import case_or_404
from dme_service.web.responses import pdf_response

bp = Blueprint("ink", __name__, url_prefix="/signing")


class ScanForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    scan = FileField("Signed scan (PDF, PNG or JPEG, at most 10 MB)")


def _context() -> dict:
    db = get_session()
    case = case_or_404(request.view_args["case_id"])
    try:
        wet_signing.check_case(db, case)
        blocked = None
    except REFUSALS as error:
        blocked = error.message
    return {
        "case": case,
        "blocked": blocked,
        "check": signing.check_signature(db, case),
        "title": "Sign in ink",
    }


@bp.route("/cases/<int:case_id>/ink", methods=["GET", "POST"])
@keeps_input("signing/ink.html", ScanForm, _context)
def upload(case_id: int):
    """Print for a signature in ink, and upload the signed scan."""
    context = _context()
    form = ScanForm()
    if request.method == "GET":
        form.version.data = context["case"].version
        return render_template("signing/ink.html", form=form, **context)
    status = 422
    if form.validate_on_submit():
        upload_file = request.files.get("scan")
        content = upload_file.read() if upload_file else b""
        try:
            wet_signing.upload(
                get_session(),
                current_user,
                case_id,
                expected_version=form.version.data,
                content=content,
            )
            return redirect(url_for("signing.history", case_id=case_id, signed=1), code=303)
        except REFUSALS as error:
            form.scan.errors = [error.message]
            status = error.status if error.status != 404 else 422
            context = _context()
    if form.version.errors:
        # The page's hidden version: no place beside it, so the scan's field says it.
        form.version.data = context["case"].version
        form.scan.errors = ["The page was incomplete: nothing was stored. Upload the scan again."]
    return render_template("signing/ink.html", form=form, **context), status


@answers_too_large("ink.upload")
def too_large():
    """The upload form again, the file's size beside its field; nothing was stored."""
    context = _context()
    form = ScanForm(formdata=None)
    typed_version = request.args.get("version", "")
    form.version.data = int(typed_version) if typed_version.isdigit() else context["case"].version
    form.scan.errors = [wet_signing.TOO_LARGE]
    return render_template("signing/ink.html", form=form, **context), 413


@bp.route("/cases/<int:case_id>/ink.pdf")
def print_pdf(case_id: int):
    """The SWO and LMN with blank signature and date lines, as one PDF."""
    pdf = _order_pdf(wet_signing.print_for_ink, case_id, "Go back to the case and complete it.")
    return pdf_response(pdf, f"sign-in-ink-{case_id}.pdf")


@bp.route("/cases/<int:case_id>/review.pdf")
def review_pdf(case_id: int):
    """The unsigned order and letter, to read before signing (an outside practitioner's only
    view of them)."""
    pdf = _order_pdf(
        wet_signing.order_for_review, case_id, "Ask the clinician to complete the case."
    )
    return pdf_response(pdf, f"order-{case_id}.pdf", inline=True)


def _order_pdf(make, case_id: int, next_step: str) -> bytes:
    """The order's PDF from `make` (the service), or the page saying why it is not printed."""
    try:
        return make(get_session(), current_user, case_id)
    except CaseNotFound:
        abort(404)
    except REFUSALS as error:
        raise Refused(409, error.message, next_step) from None


@bp.route("/scans/<int:scan_id>")
def scan(scan_id: int):
    """A stored scan of an order signed in ink, as uploaded (its SHA-256 checked first)."""
    try:
        row, case_id = wet_signing.scan_for(get_session(), current_user, scan_id)
    except CaseNotFound:
        abort(404)
    except wet_signing.ScanRefused as refused:
        raise Refused(409, refused.message, "Tell your clinic administrator.") from None
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
    name = f"signed-in-ink-{case_id}-{row.id}.{extension[row.media_type]}"
    response = Response(row.content, mimetype=row.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-SHA256"] = row.sha256
    return response
