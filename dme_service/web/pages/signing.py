"""The practitioner's signing page, the signature history and the signed PDFs.

Signing re-asks the password on the form itself (docs/security.md AUTH-6 step-up: the password is
checked, throttled like sign-in, right before the signature is recorded). Anyone who may not
sign this order gets 403 with the rule in words. Views stay thin: services.signing does it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from dme_service.db import get_session
from dme_service.services import documents as document_service
from dme_service.services import signing, signing_queue
from dme_service.services.accounts import sign_in
from dme_service.services.billing import claim as billing
from dme_service.services.billing.input import NOTE_MAX
from dme_service.services.errors import Refusal
from dme_service.store.documents import DocumentTampered
from dme_service.store.signed_content import check_signature, signatures
from dme_service.web.errors import Refused
from dme_service.web.forms import keeps_input
from dme_service.web.pages.case_access import case_or_404
from dme_service.web.pages.cases.trial_forms import TRIAL_DEVICE_WORDS
from dme_service.web.responses import pdf_response
from dme_service.web.security import sessions

bp = Blueprint("signing", __name__, url_prefix="/signing")


@bp.app_template_filter("trial_device")
def trial_device(device: str) -> str:
    """A trial's device as the clinician chose it ("Clinic mechanical traction"), not its
    stored key: the practitioner reads the trial before signing."""
    return TRIAL_DEVICE_WORDS.get(device, device)


CONFIRM = (
    "I am the treating practitioner. I reviewed the standard written order, the letter of "
    "medical necessity and the trial note, and I sign them electronically."
)


class SignForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    confirm = BooleanField(CONFIRM, validators=[DataRequired("Tick the box to confirm.")])
    password = PasswordField(
        "Your password", validators=[DataRequired("Type your password to sign."), Length(max=512)]
    )


class SendForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField(
        "Why this case goes to the practitioner although it is not eligible",
        validators=[DataRequired("Say why."), Length(max=NOTE_MAX)],
    )


def _sign_context() -> dict:
    """What the signing page shows besides the form (also after a failure: LOG-4)."""
    db = get_session()
    case = case_or_404(request.view_args["case_id"])
    problem = signing.signer_problem(case, current_user)
    if problem:
        raise Refused(403, problem, "Go to your home page; the order waits for its signer.")
    try:
        parsed, decision = signing.case_and_decision(case)
    except signing.CannotSign as error:
        parsed, decision, incomplete = None, None, error.message
    else:
        incomplete = None
    return {
        "case": case,
        "parsed": parsed,
        "decision": decision,
        "incomplete": incomplete,
        "check": check_signature(db, case),
        "documents": signing.signed_documents(db, case.id),
        "history_sentences": signing.history_sentences(case),
        "carried_units": signing_queue.carried_since_signed(db, current_user, case.id),
    }


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@keeps_input("signing/sign.html", SignForm, _sign_context)
def sign(case_id: int):
    """Review the order and sign it with the password (step-up)."""
    context = _sign_context()
    db = get_session()
    form = SignForm()
    if request.method == "GET":
        form.version.data = context["case"].version
        _audit_read(db, context["case"], "case.sign_page.read")
        return render_template("signing/sign.html", form=form, **context)
    problem, status = None, 422
    if form.validate_on_submit():
        if not _password_matches(form.password.data):
            form.password.errors = ["The password is not right. Type it again."]
        else:
            try:
                signing.sign(
                    db,
                    case_id,
                    current_user,
                    expected_version=form.version.data,
                    render=_bounded_render,
                )
                return redirect(url_for("signing.history", case_id=case_id, signed=1), code=303)
            except Refusal as error:
                problem, status = error.message, error.status
                context = _sign_context()
    if form.version.errors:
        # The page's hidden version: no place beside it, so the page says it.
        form.version.data = context["case"].version
        problem = "The page was incomplete: the order was not signed. Sign it again."
    return render_template("signing/sign.html", form=form, problem=problem, **context), status


def _bounded_render(kind, case, decision, **options):
    """The signed SWO/LMN rendered in a child process under PDF-3's clock and memory ceiling
    (in the worker, a huge field would time the worker out on every signing attempt)."""
    from dme_service.documents.bounded import RenderFailed, RenderTimeout, render_bounded
    from dme_service.web.pages.documents import RENDER_TIMEOUT_SECONDS

    timeout = current_app.config.get("DOCUMENT_RENDER_TIMEOUT", RENDER_TIMEOUT_SECONDS)
    try:
        return render_bounded(kind, case, decision, timeout=timeout, **options)
    except (RenderTimeout, RenderFailed):
        raise signing.RenderTooSlow(
            f"Laying out the signed order and letter did not finish within {timeout:g} seconds, "
            "so nothing was signed. Press Sign again in a minute; if it happens again, ask the "
            "clinician to check the order's text (a very long name or frequency)."
        ) from None


def _password_matches(password: str) -> bool:
    """The signer's password, throttled like sign-in (AUTH-5); a match is a fresh login."""
    user = current_user._get_current_object()
    ok = sign_in.password_matches(get_session(), user, password, request.remote_addr)
    if ok:
        sessions.mark_fresh()
    return ok


def _audit_read(db, case, action: str) -> None:
    signing.page_read(db, current_user, case, action)


@bp.route("/cases/<int:case_id>/history")
def history(case_id: int):
    """Every signature of the case (voided ones kept) with the documents each one covers."""
    db = get_session()
    case = case_or_404(case_id)
    context = {
        "case": case,
        "check": check_signature(db, case),
        "signatures": signatures(db, case.id),
        "documents": {d.id: d for d in signing.signed_documents(db, case.id)},
        "just_signed": request.args.get("signed") == "1",
    }
    _audit_read(db, case, "signature.read")
    return render_template("signing/history.html", **context)


@bp.route("/documents/<int:document_id>.pdf")
def document(document_id: int):
    """A signed (or superseded) SWO or LMN as an attachment; the digest is checked first."""
    try:
        row, case = signing.signed_document(get_session(), current_user, document_id)
    except signing.SignedDocumentNotFound:
        abort(404)  # another clinic's document does not exist here (AC-2)
    except DocumentTampered:
        raise Refused(
            409,
            "This file no longer matches its stored SHA-256, so it was not sent.",
            "Tell your clinic administrator; the event was recorded.",
        ) from None
    current = document_service.is_current(get_session(), current_user, case.id, row)
    state = "current" if current else "superseded"
    name = f"{row.kind}-{case.id}-v{row.version}{'' if current else '-superseded'}.pdf"
    response = pdf_response(row.content, name)
    response.headers["X-Document-State"] = state
    response.headers["X-Content-SHA256"] = row.sha256
    return response


def _send_context() -> dict:
    return {"case": case_or_404(request.view_args["case_id"])}


@bp.route("/cases/<int:case_id>/send", methods=["GET", "POST"])
@keeps_input("signing/send.html", SendForm, _send_context)
def send(case_id: int):
    """Send a complete but not-eligible case to its practitioner, with the reason (e.g. ABN)."""
    case = case_or_404(case_id)
    form = SendForm()
    if request.method == "GET":
        form.version.data = case.version
        return render_template("signing/send.html", form=form, case=case)
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            billing.transition(
                get_session(),
                case_id,
                "awaiting_signature",
                current_user,
                expected_version=form.version.data,
                note=form.reason.data.strip(),
            )
            return redirect(url_for("home.index"), code=303)
        except Refusal as error:  # stale, illegal, not ready
            if error.status == 404:
                abort(404)
            problem, status = error.message, error.status
            case = case_or_404(case_id)
    if form.version.errors:
        # The page's hidden version: no place beside it, so the page says it.
        form.version.data = case.version
        problem = "The page was incomplete: the case was not sent. Send it again."
    return render_template("signing/send.html", form=form, case=case, problem=problem), status
