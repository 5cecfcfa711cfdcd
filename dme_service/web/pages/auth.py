"""Sign-in, sign-out, password change and step-up re-authentication (docs/security.md
AUTH-1..AUTH-6).

The admin TOTP step (AUTH-6): the password step does not sign an admin in when
DME_ADMIN_TOTP is on; it hands the browser a signed, 5-minute token (hidden field) naming the
user and bound to this browser's cookie token. Nothing is stored in the session until the code
checks out. Enrollment carries the new secret in the same signed token until a first code from
it is confirmed; only then is it saved.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

import dme_service.web.errors as errors
from dme_service.db import get_session
from dme_service.services.accounts import passwords as accounts
from dme_service.services.accounts import sign_in, throttle, totp
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.auth_forms import PASSWORD_MAX, LoginForm
from dme_service.web.pages.cases import typed_input
from dme_service.web.security import sessions
from dme_service.web.security.access import safe_next
from dme_service.web.viewer import remember_viewer

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "The e-mail address or the password is not right. Check both and try again."
SIGN_IN_REASONS = {
    "idle": "You were signed out after 15 minutes without activity. Sign in to continue.",
    "absolute": "Sessions end after 12 hours. Sign in again to continue.",
    "signed_out": "You are signed out.",
    "password_set": "Your password is set. Sign in with your e-mail address and your new password.",
    "totp_expired": "The sign-in took too long or was started in another browser. "
    "Sign in again with your password.",
}


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    confirm_password = PasswordField(
        "New password again", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    # Asked (and checked) only when DME_ADMIN_TOTP is on and the user is an admin.
    code = StringField(
        "6-digit code from your authenticator app",
        validators=[Length(max=20)],
        filters=[totp.normalized],
        render_kw={"inputmode": "numeric", "maxlength": "20", "spellcheck": "false"},
    )
    next = HiddenField(validators=[Length(max=2000)])


def _login_context() -> dict:
    carried = request.form.get(typed_input.FIELD) if request.method == "POST" else None
    if carried:
        return {"notice": typed_input.notice_of(carried), "typed_input": carried}
    return {"notice": SIGN_IN_REASONS.get(request.args.get("reason", ""))}


def _after_sign_in(user, form: LoginForm):
    """Where a signed-in user goes: back to the case page with the carried entries saved,
    else `next`."""
    carried = typed_input.opened(request.form.get(typed_input.FIELD), user)
    if carried is not None:
        from dme_service.web.pages.cases.views import replay_typed_page

        remember_viewer()  # a page made here has the signed-in user's header and Sign out
        answer = replay_typed_page(*carried)
        if getattr(answer, "status_code", None) in (302, 303):
            return answer  # saved: the case page, by its redirect
        # Not saved: the entries go to the case page by a redirect, so a reload of that page
        # does not send the sign-in again (unless they are too large for their cookie).
        return typed_input.to_case_page(*carried, user) or answer
    return redirect(safe_next(form.next.data), code=303)


@bp.route("/login", methods=["GET", "POST"])
@keeps_input("auth/login.html", LoginForm, _login_context)
def login():
    """Sign in; the same answer for an unknown e-mail and a wrong password (AUTH-5)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), default="")
    problem = None
    if form.validate_on_submit():
        user = sign_in.check_credentials(
            get_session(), form.email.data, form.password.data, request.remote_addr
        )
        if user is not None and totp.required_for(user, current_app.config.get("ADMIN_TOTP")):
            return second_step(user, safe_next(form.next.data, default=""))
        if user is not None:
            sessions.start(user)
            return _after_sign_in(user, form)
        problem = BAD_CREDENTIALS
    return render_template("auth/login.html", form=form, problem=problem, **_login_context())


@bp.route("/logout", methods=["POST"])
@no_input_to_keep("a single Sign out button")
def logout():
    """Sign out: the session row is deleted, so a copied cookie stops working (AUTH-1)."""
    user = current_user._get_current_object()
    sign_in.signed_out(get_session(), user, sessions.end())
    return redirect(url_for("auth.login", reason="signed_out"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@keeps_input("auth/password.html", PasswordChangeForm)
def password():
    """Change the password; every other session of this user ends (AUTH-1)."""
    form = PasswordChangeForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = _password_change_problems(form)
        if not problems:
            user = current_user._get_current_object()
            sessions.end_all_for(user.id, keep_current=True)
            # No mark_fresh: the change asks only for the current password, so it must not
            # stand in for an admin's TOTP step-up (docs/security.md AUTH-6).
            sign_in.change_password(get_session(), user, form.new_password.data)
            return redirect(url_for("auth.password", done=1), code=303)
    done = request.method == "GET" and request.args.get("done") == "1"
    return render_template("auth/password.html", form=form, problems=problems, done=done)


def _password_change_problems(form: PasswordChangeForm) -> list[str]:
    user = current_user._get_current_object()
    if not _password_matches(user, form.current_password.data):
        return ["The current password is not right. Type it again."]
    new = form.new_password.data
    if new != form.confirm_password.data:
        return ["The two new passwords differ. Type the new password twice, the same way."]
    if new == form.current_password.data:
        return ["The new password is the same as the current one. Choose a different one."]
    return accounts.password_problems(new, email=user.email)


def _password_matches(user, password: str) -> bool:
    """Check the signed-in user's password, throttled like sign-in (guessing it is as bad)."""
    return sign_in.password_matches(get_session(), user, password, request.remote_addr)


def _reauth_context() -> dict:
    return {
        "max_minutes": int(sessions.FRESH_LOGIN.total_seconds() // 60),
        "ask_code": totp.required_for(current_user, current_app.config.get("ADMIN_TOTP")),
    }


@bp.route("/reauth", methods=["GET", "POST"])
@keeps_input("auth/reauth.html", ReauthForm, _reauth_context)
def reauth():
    """Step-up: type the password again before signing or admin actions (AUTH-6); admins
    with DME_ADMIN_TOTP on also give a one-time code (step_up_code_refused)."""
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    problem, status = None, 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not _password_matches(user, form.password.data):
            problem = "The password is not right. Type it again."
        elif step_up_code_refused(user, form):
            status = 422  # the message is next to the code field
        else:
            sessions.mark_fresh()
            return redirect(safe_next(form.next.data), code=303)
    page = render_template("auth/reauth.html", form=form, problem=problem, **_reauth_context())
    return page, status


def require_fresh_login(view=None, *, max_age: timedelta = sessions.FRESH_LOGIN):
    """Decorator: the password must have been typed within max_age (default 5 min, AUTH-6).

    Otherwise pages go to /reauth and come back; a POST comes back to the page it was sent
    from, so show `is_fresh()` on the form's GET page to ask before the user types anything.
    """

    def decorate(inner):
        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            if sessions.is_fresh(max_age):
                return inner(*args, **kwargs)
            if errors.is_api_request():
                return errors.error_response(403)
            return redirect(url_for("auth.reauth", next=_return_path()), code=303)

        return wrapper

    return decorate(view) if view is not None else decorate


def _return_path() -> str:
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return "/"


# --- the admin's TOTP code (AUTH-6) -------------------------------------------------------

# After the right password an admin has this long to give the TOTP code.
TOTP_STEP_SECONDS = 300
TOTP_CODE_PROBLEM = (
    "This code is not right or was already used. Type the 6-digit code your authenticator "
    "app shows now (a code works once; wait for the next one if you just used it)."
)


class TotpForm(FlaskForm):
    """The second sign-in step for admins (AUTH-6); `pending` proves the password step."""

    code = StringField(
        "6-digit code from your authenticator app",
        validators=[DataRequired(message="Type the 6-digit code."), Length(max=20)],
        filters=[totp.normalized],
        render_kw={"inputmode": "numeric", "maxlength": "20", "spellcheck": "false"},
    )
    pending = HiddenField(validators=[Length(max=2000)])


def _pending_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dme-admin-totp-step")


def _browser_binding() -> str:
    session = sessions.current()
    token = session.token if session is not None and session.token else ""
    return sessions.token_digest("totp:" + token)[:32]


def _pending_token(user, next_path: str, secret: str | None = None) -> str:
    session = sessions.current()
    if session is not None and session.token_is_new:
        session.issue_cookie = True  # the next step must come from this same browser
    payload = {"u": user.id, "b": _browser_binding(), "n": next_path}
    if secret is not None:
        payload["s"] = secret
    return _pending_serializer().dumps(payload)


def _pending_from(token: str | None) -> tuple[object, dict] | None:
    """The user whose password step this token proves, if it is recent and from this browser."""
    try:
        payload = _pending_serializer().loads(token or "", max_age=TOTP_STEP_SECONDS)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("b") != _browser_binding():
        return None
    user = sign_in.active_user(get_session(), payload.get("u"))
    if user is None:
        return None
    return user, payload


def second_step(user, next_path: str):
    """Answer a right admin password: the code page, or enrollment when there is no secret."""
    if user.totp_secret:
        form = TotpForm(formdata=None)
        form.pending.data = _pending_token(user, next_path)
        return render_template("auth/totp.html", form=form)
    form = TotpForm(formdata=None)
    form.pending.data = _pending_token(user, next_path, secret=totp.new_secret())
    return render_template("auth/totp_enroll.html", form=form, **_enroll_context(form))


def _enroll_context(form: TotpForm | None = None) -> dict:
    """The QR code and the secret in text for the enrollment page, from the signed token."""
    token = form.pending.data if form is not None else request.form.get("pending")
    found = _pending_from(token)
    if found is None or not found[1].get("s"):
        return {"secret": None, "qr": None}
    user, payload = found
    size, path = totp.qr_svg_path(totp.provisioning_uri(payload["s"], user.email))
    return {"secret": payload["s"], "qr": {"size": size, "path": path}}


def _expired_step():
    return redirect(url_for("auth.login", reason="totp_expired"), code=303)


def _check_code(user, accepted: bool, action: str) -> None:
    """Count the code attempt like a password attempt (AUTH-5) and audit it; commits."""
    sign_in.code_checked(get_session(), user, accepted, action, request.remote_addr)


@bp.route("/login/totp", methods=["POST"])
@keeps_input("auth/totp.html", TotpForm)
def totp_step():
    """Second sign-in step for admins with DME_ADMIN_TOTP on: a code that works once (AUTH-6)."""
    form = TotpForm()
    found = _pending_from(form.pending.data)
    if found is None or found[1].get("s"):
        return _expired_step()
    user, payload = found
    if form.validate_on_submit():
        sign_in.refuse_when_throttled(
            get_session(), throttle.keys_for(request.remote_addr, user.email)
        )
        accepted = totp.accept_code(user, form.code.data)
        _check_code(user, accepted, "session.totp")
        if accepted:
            sessions.start(user)
            return redirect(safe_next(payload.get("n")), code=303)
        form.code.errors.append(TOTP_CODE_PROBLEM)
    return render_template("auth/totp.html", form=form), 422


@bp.route("/login/totp/enroll", methods=["POST"])
@keeps_input("auth/totp_enroll.html", TotpForm, _enroll_context)
def totp_enroll():
    """First admin sign-in with TOTP on: save the secret once a first code confirms it."""
    form = TotpForm()
    found = _pending_from(form.pending.data)
    if found is None or not found[1].get("s"):
        return _expired_step()
    user, payload = found
    if user.totp_secret:  # enrolled meanwhile (another tab): use the normal code step
        return _expired_step()
    if form.validate_on_submit():
        sign_in.refuse_when_throttled(
            get_session(), throttle.keys_for(request.remote_addr, user.email)
        )
        accepted = totp.enroll(user, payload["s"], form.code.data)
        _check_code(user, accepted, "user.totp_enroll")
        if accepted:
            sessions.start(user)
            return redirect(safe_next(payload.get("n")), code=303)
        form.code.errors.append(TOTP_CODE_PROBLEM)
    return render_template("auth/totp_enroll.html", form=form, **_enroll_context(form)), 422


STEP_UP_NO_CODE = "Type the 6-digit code."
STEP_UP_NOT_ENROLLED = (
    "Your account has no authenticator app set up yet. Sign out and sign in again to set one "
    "up, then repeat this step."
)


def step_up_code_refused(user, form) -> bool:
    """After a right step-up password: True (message on `form.code`) when an admin with
    DME_ADMIN_TOTP on gives no valid code (AUTH-6); False for everyone else.

    The code is checked against the same last-used counter as at sign-in, so a code already
    used there (or here) is refused. A typed code counts towards the sign-in throttle and is
    audited (`session.reauth_totp`), like the sign-in code step; commits.
    """
    if not totp.required_for(user, current_app.config.get("ADMIN_TOTP")):
        return False
    if not form.code.data:
        form.code.errors.append(STEP_UP_NO_CODE)
        return True
    accepted = totp.accept_code(user, form.code.data)
    _check_code(user, accepted, "session.reauth_totp")
    if not accepted:
        form.code.errors.append(TOTP_CODE_PROBLEM if user.totp_secret else STEP_UP_NOT_ENROLLED)
    return not accepted
