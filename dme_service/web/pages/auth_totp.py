"""Admin TOTP sign-in (docs/security.md AUTH-6), on the `auth` blueprint: the 6-digit code step
after a right admin password (`auth.totp_step`) and the first-sign-in enrollment with its QR
code (`auth.totp_enroll`), and the code asked at step-up re-authentication (`auth.reauth`).

It lives apart from auth.py to keep that module within the house size budget; `auth.login`
hands a right admin password to `second_step` here.

The password step does not sign the admin in: it hands the browser a signed, 5-minute token
(hidden field) naming the user and bound to this browser's cookie token. Nothing is stored
in the session until the code checks out. Enrollment carries the new secret in the same
signed token until a first code from it is confirmed; only then is it saved.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from dme_service import audit
from dme_service.db import get_session
from dme_service.models import User
from dme_service.services.accounts import totp
from dme_service.web.forms import keeps_input
from dme_service.web.pages.auth import bp, refuse_when_throttled
from dme_service.web.security import sessions, throttle
from dme_service.web.security.access import safe_next

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


def second_step(user: User, next_path: str):
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
        refuse_when_throttled(throttle.keys_for(request.remote_addr, user.email))
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
        refuse_when_throttled(throttle.keys_for(request.remote_addr, user.email))
        accepted = totp.enroll(user, payload["s"], form.code.data)
        _check_code(user, accepted, "user.totp_enroll")
        if accepted:
            sessions.start(user)
            get_session().commit()
            return redirect(safe_next(payload.get("n")), code=303)
        form.code.errors.append(TOTP_CODE_PROBLEM)
    return render_template("auth/totp_enroll.html", form=form, **_enroll_context(form)), 422


STEP_UP_NO_CODE = "Type the 6-digit code."
STEP_UP_NOT_ENROLLED = (
    "Your account has no authenticator app set up yet. Sign out and sign in again to set one "
    "up, then repeat this step."
)


def step_up_code_refused(user: User, form) -> bool:
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
