"""Sign-in, sign-out, password change and step-up re-authentication (security.md AUTH-1..AUTH-6)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from dme_service import accounts, audit, totp
from dme_service.db import get_session
from dme_service.models import User
from dme_service.web import errors, sessions, throttle
from dme_service.web.access import safe_next
from dme_service.web.forms import keeps_input, no_input_to_keep

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "The e-mail address or the password is not right. Check both and try again."
# Verified when the e-mail is unknown, so both answers take the same ~85 ms (AUTH-5).
_DUMMY_HASH = accounts.hash_password("not a password anyone has: timing only")
PASSWORD_MAX = accounts.MAX_LENGTH * 4  # characters; the policy counts after normalizing
SIGN_IN_REASONS = {
    "idle": "You were signed out after 15 minutes without activity. Sign in to continue.",
    "absolute": "Sessions end after 12 hours. Sign in again to continue.",
    "signed_out": "You are signed out.",
    "totp_expired": "The sign-in took too long or was started in another browser. "
    "Sign in again with your password.",
}
# AUTH-6: after the right password an admin has this long to give the TOTP code.
TOTP_STEP_SECONDS = 300
TOTP_CODE_PROBLEM = (
    "This code is not right or was already used. Type the 6-digit code your authenticator "
    "app shows now (a code works once; wait for the next one if you just used it)."
)


class LoginForm(FlaskForm):
    email = StringField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    next = HiddenField(validators=[Length(max=2000)])


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


class TotpForm(FlaskForm):
    """The second sign-in step for admins (AUTH-6); `pending` proves the password step."""

    code = StringField(
        "6-digit code from your authenticator app",
        validators=[DataRequired(message="Type the 6-digit code."), Length(max=20)],
        filters=[totp.normalized],
        render_kw={"inputmode": "numeric", "maxlength": "20", "spellcheck": "false"},
    )
    pending = HiddenField(validators=[Length(max=2000)])


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    next = HiddenField(validators=[Length(max=2000)])


def _login_context() -> dict:
    return {"notice": SIGN_IN_REASONS.get(request.args.get("reason", ""))}


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
        user = _check_credentials(form.email.data, form.password.data)
        if user is not None and totp.required_for(user, current_app.config.get("ADMIN_TOTP")):
            return _second_step(user, safe_next(form.next.data, default=""))
        if user is not None:
            sessions.start(user)
            get_session().commit()
            return redirect(safe_next(form.next.data), code=303)
        problem = BAD_CREDENTIALS
    return render_template("auth/login.html", form=form, problem=problem, **_login_context())


def _check_credentials(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, counting the attempt (AUTH-4, AUTH-5)."""
    db = get_session()
    keys = throttle.keys_for(request.remote_addr, email)
    _refuse_when_throttled(keys)
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    ok = accounts.verify_password(stored, password) and user is not None and user.active
    throttle.record(db, keys, success=ok)
    if ok and accounts.check_needs_rehash(user.password_hash):
        user.password_hash = accounts.hash_password(password)  # legacy or weaker hash upgraded
    if user is not None:  # sign-ins of real accounts are audited, good or bad (LOG-1)
        outcome = "ok" if ok else "refused"
        audit.record(
            db,
            user=user,
            action="session.login",
            object_type="user",
            object_id=user.id,
            outcome=outcome,
        )
    db.commit()
    return user if ok else None


# --- Admin TOTP (AUTH-6) -------------------------------------------------------------------
# The password step does not sign the admin in: it hands the browser a signed, 5-minute token
# (hidden field) naming the user and bound to this browser's cookie token. Nothing is stored
# in the session until the code checks out. Enrollment carries the new secret in the same
# signed token until a first code from it is confirmed; only then is it saved.


def _pending_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dme-admin-totp-step")


def _browser_binding() -> str:
    session = sessions.current()
    token = session.token if session is not None and session.token else ""
    return sessions.token_digest("totp:" + token)[:32]


def _pending_token(user: User, next_path: str, secret: str | None = None) -> str:
    session = sessions.current()
    if session is not None and session.token_is_new:
        session.issue_cookie = True  # the next step must come from this same browser
    payload = {"u": user.id, "b": _browser_binding(), "n": next_path}
    if secret is not None:
        payload["s"] = secret
    return _pending_serializer().dumps(payload)


def _pending_from(token: str | None) -> tuple[User, dict] | None:
    """The user whose password step this token proves, if it is recent and from this browser."""
    try:
        payload = _pending_serializer().loads(token or "", max_age=TOTP_STEP_SECONDS)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("b") != _browser_binding():
        return None
    user = get_session().get(User, payload.get("u"))
    if user is None or not user.active:
        return None
    return user, payload


def _second_step(user: User, next_path: str):
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


def _check_code(user: User, accepted: bool, action: str) -> None:
    """Count the code attempt like a password attempt (AUTH-5) and audit it; commits."""
    db = get_session()
    throttle.record(db, throttle.keys_for(request.remote_addr, user.email), success=accepted)
    audit.record(
        db,
        user=user,
        action=action,
        object_type="user",
        object_id=user.id,
        outcome="ok" if accepted else "refused",
    )
    db.commit()


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
        _refuse_when_throttled(throttle.keys_for(request.remote_addr, user.email))
        accepted = totp.accept_code(user, form.code.data)
        _check_code(user, accepted, "session.totp")
        if accepted:
            sessions.start(user)
            get_session().commit()
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
        _refuse_when_throttled(throttle.keys_for(request.remote_addr, user.email))
        accepted = totp.enroll(user, payload["s"], form.code.data)
        _check_code(user, accepted, "user.totp_enroll")
        if accepted:
            sessions.start(user)
            get_session().commit()
            return redirect(safe_next(payload.get("n")), code=303)
        form.code.errors.append(TOTP_CODE_PROBLEM)
    return render_template("auth/totp_enroll.html", form=form, **_enroll_context(form)), 422


def _refuse_when_throttled(keys: list[str]) -> None:
    wait = throttle.retry_after(get_session(), keys)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)


@bp.route("/logout", methods=["POST"])
@no_input_to_keep("a single Sign out button")
def logout():
    """Sign out: the session row is deleted, so a copied cookie stops working (AUTH-1)."""
    user = current_user._get_current_object()
    audit.record(
        get_session(), user=user, action="session.logout", object_type="user", object_id=user.id
    )
    sessions.end()
    get_session().commit()
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
            user.password_hash = accounts.hash_password(form.new_password.data)
            user.password_changed_at = datetime.now(UTC)
            sessions.end_all_for(user.id, keep_current=True)
            sessions.mark_fresh()
            audit.record(
                get_session(),
                user=user,
                action="user.password_change",
                object_type="user",
                object_id=user.id,
            )
            get_session().commit()
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


def _password_matches(user: User, password: str) -> bool:
    """Check the signed-in user's password, throttled like sign-in (guessing it is as bad)."""
    db = get_session()
    keys = throttle.keys_for(request.remote_addr, user.email)
    _refuse_when_throttled(keys)
    ok = accounts.verify_password(user.password_hash, password)
    throttle.record(db, keys, success=ok)
    db.commit()
    return ok


def _reauth_context() -> dict:
    return {"max_minutes": int(sessions.FRESH_LOGIN.total_seconds() // 60)}


@bp.route("/reauth", methods=["GET", "POST"])
@keeps_input("auth/reauth.html", ReauthForm, _reauth_context)
def reauth():
    """Step-up: type the password again before signing or admin actions (AUTH-6)."""
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    problem = None
    if form.validate_on_submit():
        if _password_matches(current_user._get_current_object(), form.password.data):
            sessions.mark_fresh()
            get_session().commit()
            return redirect(safe_next(form.next.data), code=303)
        problem = "The password is not right. Type it again."
    return render_template("auth/reauth.html", form=form, problem=problem, **_reauth_context())


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
