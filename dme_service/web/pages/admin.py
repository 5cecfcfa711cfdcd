"""The admin's pages: the clinic's profile and its users (invite, edit, deactivate,
reactivate, a new set-password link, reset an authenticator).

Every page asks for the admin's password again first (security.md AUTH-6 step-up,
`require_fresh_login`); services.clinic.staff and .setup check, audit and commit. Views only
turn forms into details and problems back into messages beside their fields.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from dme_service.db import get_session
from dme_service.services.clinic import setup, staff
from dme_service.services.clinic.checks import (
    CREDENTIALS,
    LANGUAGES,
    ROLES,
    ClinicDetails,
    UserDetails,
)
from dme_service.services.mail import notices, outbox
from dme_service.web.errors import Refused
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.auth import require_fresh_login
from dme_service.web.pages.cases.inputs import select_choices

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_CHOICES = [
    ("clinician", "Clinician (PT, OT, DC: records trials, writes orders)"),
    ("practitioner", "Practitioner (MD, DO, DPM, PA, NP, CNS: signs orders)"),
    ("billing", "Billing"),
    ("admin", "Administrator"),
]
assert {value for value, _ in ROLE_CHOICES} == set(ROLES)
CREDENTIAL_CHOICES = [("", "None")] + [(c, c) for c in CREDENTIALS]
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


class ClinicForm(FlaskForm):
    name = StringField("Clinic name", validators=[InputRequired(), Length(max=200)])
    legal_name = StringField("Legal name on claims", validators=[Optional(), Length(max=60)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    fax = StringField("Fax", validators=[Optional(), Length(max=40)])
    timezone = StringField("Time zone", validators=[InputRequired(), Length(max=64)])
    org_npi = StringField("Organization NPI", validators=[Optional(), Length(max=20)])
    tax_id = StringField("Tax id (EIN)", validators=[Optional(), Length(max=20)])
    ptan = StringField("Medicare supplier number (PTAN)", validators=[Optional(), Length(max=20)])
    patient_link_days = IntegerField(
        "Patient links work for (days)",
        validators=[InputRequired("Give a number of days."), NumberRange(min=1, max=365)],
    )
    default_lang = SelectField(
        "Default language of patient instructions",
        choices=select_choices((code, LANGUAGE_NAMES[code]) for code in LANGUAGES),
    )


class UserForm(FlaskForm):
    email = StringField("E-mail address", validators=[Length(max=254)])
    name = StringField("Name as letters print it", validators=[Length(max=200)])
    role = SelectField("Role", choices=select_choices(ROLE_CHOICES))
    credential = SelectField("Credential", choices=select_choices(CREDENTIAL_CHOICES), default="")
    npi = StringField("NPI", validators=[Optional(), Length(max=20)])
    outside = BooleanField("From outside the clinic: sees only the orders addressed to them")


def _mail_settings():
    return outbox.settings_from(current_app.config, current_app.instance_path)


def _put_problems(form: FlaskForm, problems) -> list[str]:
    """Each problem beside its field; those without a field come back for the top."""
    unplaced = []
    for problem in problems:
        field = getattr(form, problem.field.removeprefix("admin_"), None)
        if field is None:
            unplaced.append(problem.message)
        else:
            field.errors = [*list(field.errors or []), problem.message]
    return unplaced


def _user_details(form: UserForm) -> UserDetails:
    return UserDetails(
        email=None if form.email.data is None else form.email.data.strip(),
        name=(form.name.data or "").strip(),
        role=form.role.data,
        credential=form.credential.data or None,
        npi=(form.npi.data or "").strip() or None,
        outside=bool(form.outside.data),
    )


def _clinic_context() -> dict:
    return {"title": "Clinic profile"}


@bp.route("/clinic", methods=["GET", "POST"])
@require_fresh_login
@keeps_input("admin/clinic.html", ClinicForm, _clinic_context)
def clinic():
    """The clinic's name, address, numbers, time zone and patient-link settings."""
    row = current_user.clinic
    form = ClinicForm(obj=row)
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            details = ClinicDetails(
                name=form.name.data.strip(),
                timezone=form.timezone.data.strip(),
                phone=form.phone.data,
                fax=form.fax.data,
                address=form.address.data,
                legal_name=(form.legal_name.data or "").strip() or None,
                org_npi=(form.org_npi.data or "").strip() or None,
                tax_id=(form.tax_id.data or "").strip() or None,
                ptan=(form.ptan.data or "").strip() or None,
                patient_link_days=form.patient_link_days.data,
                default_lang=form.default_lang.data,
            )
            try:
                staff.update_clinic(get_session(), current_user, details)
                return redirect(url_for("admin.clinic", saved=1), code=303)
            except setup.SetupInvalid as invalid:
                problems = _put_problems(form, invalid.problems)
        status = 422
    saved = request.args.get("saved") == "1" and request.method == "GET"
    page = render_template(
        "admin/clinic.html", form=form, problems=problems, saved=saved, **_clinic_context()
    )
    return page, status


def _invite_context() -> dict:
    return {"title": "Invite a user", "editing": None}


@bp.route("/users/new", methods=["GET", "POST"])
@require_fresh_login
@keeps_input("admin/user.html", UserForm, _invite_context)
def invite():
    """A new user of the clinic; they get a one-time link to set their password."""
    form = UserForm()
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                invitation = setup.add_user(
                    get_session(),
                    current_user.clinic_id,
                    _user_details(form),
                    base_url=current_app.config["BASE_URL"],
                    by=current_user,
                    config=_mail_settings(),
                )
                return _link_page(invitation, first=True)
            except setup.SetupInvalid as invalid:
                problems = _put_problems(form, invalid.problems)
        status = 422
    page = render_template("admin/user.html", form=form, problems=problems, **_invite_context())
    return page, status


def _user_or_404(user_id: int):
    try:
        return staff.clinic_user(get_session(), current_user, user_id)
    except staff.UserNotFound:
        abort(404)  # other clinics' users do not exist from here (AC-2)


def _edit_context() -> dict:
    return {"title": "Edit user", "editing": _user_or_404(request.view_args["user_id"])}


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require_fresh_login
@keeps_input("admin/user.html", UserForm, _edit_context)
def edit_user(user_id: int):
    """Change a user's e-mail, name, role, credential, NPI or outside mark."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.credential.data = user.credential or ""
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                staff.update_user(
                    get_session(),
                    current_user,
                    user_id,
                    _user_details(form),
                    mail_settings=_mail_settings(),
                )
                return redirect(url_for("home.index"), code=303)
            except setup.SetupInvalid as invalid:
                problems = _put_problems(form, invalid.problems)
        status = 422
    page = render_template(
        "admin/user.html", form=form, problems=problems, title="Edit user", editing=user
    )
    return page, status


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@require_fresh_login
@no_input_to_keep("a single Reactivate button per user")
def reactivate(user_id: int):
    _user_or_404(user_id)
    staff.reactivate(get_session(), current_user, user_id)
    return redirect(url_for("home.index"), code=303)


@bp.route("/users/<int:user_id>/link", methods=["POST"])
@require_fresh_login
@no_input_to_keep("a single Send a new link button per user")
def send_link(user_id: int):
    """A new one-time set-password link (older ones stop working), mailed and shown once."""
    user = _user_or_404(user_id)
    if not user.active:
        raise Refused(409, "This user is deactivated.", "Reactivate them first.")
    invitation = setup.new_link(
        get_session(),
        user,
        base_url=current_app.config["BASE_URL"],
        by=current_user,
        config=_mail_settings(),
    )
    return _link_page(invitation, first=False)


@bp.route("/users/<int:user_id>/totp-reset", methods=["POST"])
@require_fresh_login
@no_input_to_keep("a single Reset authenticator button per user")
def reset_totp(user_id: int):
    """Forget an admin's authenticator (lost phone); they set up a new one at sign-in."""
    _user_or_404(user_id)
    staff.reset_totp(get_session(), current_user, user_id)
    return redirect(url_for("home.index", totp_reset=user_id), code=303)


@bp.route("/reminders", methods=["POST"])
@require_fresh_login
@no_input_to_keep("a single Send today's reminders button")
def send_reminders():
    """Today's "orders await your signature" mails now, for the clinic's practitioners (what
    the daily `dme-service mail reminders` does; whoever was reminded today is skipped)."""
    sent = notices.remind_all(
        get_session(),
        base_url=current_app.config["BASE_URL"],
        settings=_mail_settings(),
        clinic_id=current_user.clinic_id,
    )
    return redirect(url_for("home.index", reminded=sent), code=303)


def _link_page(invitation, *, first: bool):
    return render_template(
        "admin/link_sent.html",
        title="Invitation sent" if first else "New link sent",
        invitation=invitation,
        first=first,
    )
