"""Sign-in, sign-out, password change and step-up re-authentication (docs/security.md
AUTH-1..AUTH-6).

The admin TOTP code step and enrollment (AUTH-6) are in auth_totp, on this blueprint.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from dme_service import audit
from dme_service.db import get_session
from dme_service.models import User
from dme_service.services.accounts import api_tokens, totp
from dme_service.services.accounts import passwords as accounts
from dme_service.web import errors
from dme_service.web.forms import keeps_input, no_input_to_keep
from dme_service.web.pages.cases import typed_input
from dme_service.web.security import sessions, throttle
from dme_service.web.security.access import safe_next

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "The e-mail address or the password is not right. Check both and try again."
# Verified when the e-mail is unknown, so both answers take the same ~85 ms (AUTH-5).
_DUMMY_HASH = accounts.hash_password("not a password anyone has: timing only")
PASSWORD_MAX = accounts.MAX_LENGTH * 4  # characters; the policy counts after normalizing
SIGN_IN_REASONS = {
    "idle": "You were signed out after 15 minutes without activity. Sign in to continue.",
    "absolute": "Sessions end after 12 hours. Sign in again to continue.",
    "signed_out": "You are signed out.",
    "password_set": "Your password is set. Sign in with your e-mail address and it.",
    "totp_expired": "The sign-in took too long or was started in another browser. "
    "Sign in again with your password.",
}


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


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    # Asked (and checked) only when DME_ADMIN_TOTP is on and the user is an admin (auth_totp).
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
        return {"notice": typed_input.NOTICE, "typed_input": carried}
    return {"notice": SIGN_IN_REASONS.get(request.args.get("reason", ""))}


def sign_in_keeping_typed_input(sealed: str):
    """The sign-in page for a case-page Save that arrived after the session ended: what was
    typed rides along in a signed hidden field and is saved after the password (401)."""
    form = LoginForm(formdata=None)
    page = render_template(
        "auth/login.html", form=form, notice=typed_input.NOTICE, typed_input=sealed
    )
    return page, 401


def _after_sign_in(user: User, form: LoginForm):
    """Where a signed-in user goes: back to the case page with the carried entries saved,
    else `next`."""
    carried = typed_input.opened(request.form.get(typed_input.FIELD), user)
    if carried is not None:
        from dme_service.web.pages.cases.views import replay_typed_page

        return replay_typed_page(*carried)
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
        user = _check_credentials(form.email.data, form.password.data)
        if user is not None and totp.required_for(user, current_app.config.get("ADMIN_TOTP")):
            return auth_totp.second_step(user, safe_next(form.next.data, default=""))
        if user is not None:
            sessions.start(user)
            get_session().commit()
            return _after_sign_in(user, form)
        problem = BAD_CREDENTIALS
    return render_template("auth/login.html", form=form, problem=problem, **_login_context())


def _check_credentials(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, counting the attempt (AUTH-4, AUTH-5)."""
    db = get_session()
    keys = throttle.keys_for(request.remote_addr, email)
    refuse_when_throttled(keys)
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    # End the read before argon2 (about 0.3 s of CPU by design): on SQLite every transaction
    # holds the write lock, so hashing inside one stalled every other request (make load).
    db.commit()
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


def refuse_when_throttled(keys: list[str]) -> None:
    """Answer 429 with Retry-After while these throttle keys are locked out (AUTH-4)."""
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
            # I6: API tokens end with the password they were issued under (docs/security.md AUTH-1).
            api_tokens.revoke(get_session(), user=user)
            # No mark_fresh: the change asks only for the current password, so it must not
            # stand in for an admin's TOTP step-up (AUTH-6; pen test L6).
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
    refuse_when_throttled(keys)
    db.commit()  # never hash inside a transaction (see _check_credentials)
    ok = accounts.verify_password(user.password_hash, password)
    throttle.record(db, keys, success=ok)
    db.commit()
    return ok


def _reauth_context() -> dict:
    return {
        "max_minutes": int(sessions.FRESH_LOGIN.total_seconds() // 60),
        "ask_code": totp.required_for(current_user, current_app.config.get("ADMIN_TOTP")),
    }


@bp.route("/reauth", methods=["GET", "POST"])
@keeps_input("auth/reauth.html", ReauthForm, _reauth_context)
def reauth():
    """Step-up: type the password again before signing or admin actions (AUTH-6); admins
    with DME_ADMIN_TOTP on also give a one-time code (auth_totp.step_up_code_refused)."""
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    problem, status = None, 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not _password_matches(user, form.password.data):
            problem = "The password is not right. Type it again."
        elif auth_totp.step_up_code_refused(user, form):
            status = 422  # the message is next to the code field
        else:
            sessions.mark_fresh()
            get_session().commit()
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


# The admin TOTP code step and enrollment live in their own module, on this blueprint.
from dme_service.web.pages import auth_totp  # noqa: E402
