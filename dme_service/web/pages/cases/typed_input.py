"""What was typed on the case page survives a session that ended.

A clinician who types a trial during a 20-minute treatment and presses Save after the
15-minute idle limit (docs/security.md AUTH-3) used to land on a bare sign-in page with the entries
gone. Now the Save that arrives without a session, if its CSRF token is right, gets the
sign-in page with what was typed carried in one signed hidden field (nothing is stored on
the server, and the entries go back only to the browser they came from). After the password,
the same Save is made for the user (`replay`): the case page opens saved, or, if something
is refused or someone else saved first, shows every entry as typed with the message.

The carried entries are signed with the app's key, bound to this browser's cookie token and,
when the ended session is known, to its user, and last 2 hours; another browser, another user
or an altered field gets the plain sign-in.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dme_service.web.security import sessions

FIELD = "typed_input"
CARRY_SECRET_KEY = "typed_input_csrf"  # noqa: S105 - a session key's name, not a secret
MAX_AGE_SECONDS = 2 * 60 * 60
CARRIED_ENDPOINTS = frozenset({"cases.save_page"})
_CASE_PAGE = re.compile(r"^/cases/(\d+)/save$")
NOTICE = (
    "You were signed out after 15 minutes without activity. What you typed on the case page "
    "is kept: sign in again and it is saved."
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dme-typed-input")


def _browser(token: str) -> str:
    """A browser's session cookie token, hashed."""
    return hashlib.sha256(b"typed-input:" + token.encode()).hexdigest()[:32]


def _cookie_token() -> str:
    return request.cookies.get(sessions.cookie_name(current_app), "")


def can_carry() -> bool:
    """A case-page Save without a session whose CSRF token checks out against the cookie it
    was made with (the session may have replaced that token already: sessions.py replaces
    tokens it did not issue)."""
    if request.method != "POST" or request.endpoint not in CARRIED_ENDPOINTS:
        return False
    if not request.form:
        return False  # nothing typed to keep
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    token = next((v for k, v in request.form.items() if k.endswith("csrf_token") and v), "")
    # The secret of the cookie the page was made with, under a key the session never stores.
    session = sessions.current()
    dict.__setitem__(session, CARRY_SECRET_KEY, sessions.csrf_secret(current_app, _cookie_token()))
    try:
        validate_csrf(token, token_key=CARRY_SECRET_KEY)
    except ValidationError:
        return False
    finally:
        dict.pop(session, CARRY_SECRET_KEY, None)
    return True


def seal() -> str:
    """The submitted page, signed for the sign-in form's hidden field."""
    session = sessions.current()
    fields = [
        [name, value]
        for name, values in request.form.lists()
        for value in values
        if not name.endswith("csrf_token")
    ]
    who = getattr(session, "ended_user_id", None) if session is not None else None
    # Bound to the cookie the sign-in page leaves in this browser (the session's token now).
    browser = _browser(session.token if session is not None and session.token else "")
    payload = {"path": request.path, "who": who, "browser": browser, "fields": fields}
    return _serializer().dumps(payload)


def opened(sealed: str | None, user) -> tuple[int, list[tuple[str, str]]] | None:
    """(case id, fields) if the carried entries are intact, recent, from this browser and
    this user's; else None."""
    if not sealed:
        return None
    try:
        payload = _serializer().loads(sealed, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    match = _CASE_PAGE.match(str(payload.get("path", "")))
    if match is None or payload.get("browser") != _browser(_cookie_token()):
        return None
    if payload.get("who") is not None and payload["who"] != user.id:
        return None
    return int(match.group(1)), [(str(n), str(v)) for n, v in payload.get("fields", [])]


def sign_in_keeping_typed_input(sealed: str):
    """The sign-in page for a case-page Save that arrived after the session ended: what was
    typed rides along in a signed hidden field and is saved after the password (401)."""
    from flask import render_template

    from dme_service.web.pages.auth_forms import LoginForm

    form = LoginForm(formdata=None)
    page = render_template("auth/login.html", form=form, notice=NOTICE, typed_input=sealed)
    return page, 401
