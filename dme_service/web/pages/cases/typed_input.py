"""What was typed on the case page survives a session that ended.

A clinician who types a trial during a 20-minute treatment and presses Save after the
15-minute idle limit (docs/security.md AUTH-3) used to land on a bare sign-in page with the entries
gone. Now the Save that arrives without a session, if it carries its page's ticket, gets the
sign-in page with what was typed carried in one signed hidden field (nothing is stored on
the server, and the entries go back only to the browser they came from). After the password,
the same Save is made for the user (`replay`): the case page opens saved, or, if something
is refused or someone else saved first, shows every entry as typed with the message.

Whether a Save may be carried is proven by the page itself, not by the cookie: every case page
holds a signed page ticket naming the user it was made for and its case. The cookie cannot be
the proof, because by the time Save is pressed the browser may hold a new one (any request after
the session ended, such as a page opened in another tab, is sent to the sign-in page, which
issues a fresh token). A page from another site has no ticket; a ticket names one user and
one case, is signed with the app's key and is refused after 12 hours (the longest a session
lasts, AUTH-3); the entries then go back only to that same user (docs/security.md OUT-3).

The carried entries are signed with the app's key, bound to this browser's (new) cookie token
and to the ticket's user, and last 2 hours; another browser, another user or an altered field
gets the plain sign-in.

After the password the Save is made at once (`replay`). When it cannot be saved (a check
refuses an entry, someone else saved first, the signed order would be voided), the entries go
on to the case page by a redirect (`to_case_page`), not as a page answering the sign-in, so a
reload does not send the sign-in again: they are signed again for the new session's cookie
and ride in a cookie of their own, sent only to that case's resume address, only from this
site (SameSite=Strict), for the same 2 hours. The resume address only shows them (a GET saves
nothing); the clinician presses Save as on any page.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dme_service.web.security import sessions

FIELD = "typed_input"
TICKET_FIELD = "page_ticket"
MAX_AGE_SECONDS = 2 * 60 * 60
TICKET_MAX_AGE_SECONDS = 12 * 60 * 60  # a session's absolute limit (AUTH-3)
CARRIED_ENDPOINTS = frozenset({"cases.save_page"})
RESUME_COOKIE = "dme-typed-page"
# Browsers keep a cookie of up to 4096 bytes; larger entries stay on the page answering the
# sign-in, as before.
RESUME_COOKIE_MAX = 3800
_CASE_PAGE = re.compile(r"^/cases/(\d+)/save$")
# Why the session ended, when the server still knew it at the Save (an expired row it found);
# a session ended by signing out, in another tab or window, leaves no row, and an expired one
# is forgotten by the first request that meets it (the page's live checks often come first).
ENDED = {
    "idle": "You were signed out after 15 minutes without activity.",
    "absolute": "Sessions end after 12 hours.",
}
ENDED_UNKNOWN = (
    "You are signed out (after 15 minutes without activity, or by signing out in another tab "
    "or window)."
)
KEPT = "What you typed on the case page is kept: sign in again and it is saved."
NOTICE = f"{ENDED_UNKNOWN} {KEPT}"


def notice(reason: str | None) -> str:
    """The sign-in page's words for a carried Save: what ended the session, if known."""
    return f"{ENDED.get(reason or '', ENDED_UNKNOWN)} {KEPT}"


def notice_of(sealed: str | None) -> str:
    """The notice again, read from the carried entries (a sign-in that failed re-shows it)."""
    try:
        payload = _serializer().loads(sealed or "", max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return NOTICE
    return notice(payload.get("reason") if isinstance(payload, dict) else None)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dme-typed-input")


def _tickets() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dme-case-page-ticket")


def _browser(token: str) -> str:
    """A browser's session cookie token, hashed."""
    return hashlib.sha256(b"typed-input:" + token.encode()).hexdigest()[:32]


def _cookie_token() -> str:
    return request.cookies.get(sessions.cookie_name(current_app), "")


def page_ticket(user_id: int, case_id: int) -> str:
    """The case page's proof that it was made for this user and this case."""
    return _tickets().dumps({"user": user_id, "case": case_id})


def _ticket_user() -> int | None:
    """The user the submitted case page was made for, if its ticket is intact, recent and
    for the case it is saved to; else None."""
    match = _CASE_PAGE.match(request.path)
    if match is None:
        return None
    try:
        ticket = _tickets().loads(
            request.form.get(TICKET_FIELD, ""), max_age=TICKET_MAX_AGE_SECONDS
        )
    except BadSignature:
        return None
    if not isinstance(ticket, dict) or ticket.get("case") != int(match.group(1)):
        return None
    user = ticket.get("user")
    return user if isinstance(user, int) else None


def can_carry() -> bool:
    """A case-page Save without a session, from a case page made for a user (its ticket), and
    when the ended session is known, for that session's user."""
    if request.method != "POST" or request.endpoint not in CARRIED_ENDPOINTS:
        return False
    if not request.form:
        return False  # nothing typed to keep
    user = _ticket_user()
    if user is None:
        return False
    session = sessions.current()
    ended = getattr(session, "ended_user_id", None) if session is not None else None
    return ended is None or ended == user


def seal() -> str:
    """The submitted page, signed for the sign-in form's hidden field."""
    session = sessions.current()
    fields = [
        [name, value]
        for name, values in request.form.lists()
        for value in values
        if not name.endswith("csrf_token") and name != TICKET_FIELD
    ]
    who = _ticket_user()
    # Bound to the cookie the sign-in page leaves in this browser (the session's token now).
    browser = _browser(session.token if session is not None and session.token else "")
    reason = session.ended_reason if session is not None else None
    payload = {
        "path": request.path,
        "who": who,
        "browser": browser,
        "fields": fields,
        "reason": reason,
    }
    return _serializer().dumps(payload)


def opened(sealed: str | None, user) -> tuple[int, list[tuple[str, str]]] | None:
    """(case id, fields) if the carried entries are intact, recent, from this browser and
    this user's page; else None."""
    if not sealed:
        return None
    try:
        payload = _serializer().loads(sealed, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    match = _CASE_PAGE.match(str(payload.get("path", "")))
    if match is None or payload.get("browser") != _browser(_cookie_token()):
        return None
    if payload.get("who") != user.id:
        return None
    return int(match.group(1)), [(str(n), str(v)) for n, v in payload.get("fields", [])]


def sign_in_keeping_typed_input(sealed: str):
    """The sign-in page for a case-page Save that arrived after the session ended: what was
    typed rides along in a signed hidden field and is saved after the password (401)."""
    from flask import render_template

    from dme_service.web.pages.auth_forms import LoginForm

    form = LoginForm(formdata=None)
    words = notice_of(sealed)
    page = render_template("auth/login.html", form=form, notice=words, typed_input=sealed)
    return page, 401


def to_case_page(case_id: int, fields: list[tuple[str, str]], user):
    """After the sign-in: a redirect to the case's resume address, the entries signed for this
    browser's new cookie in a cookie of their own; None when they are too large for one."""
    session = sessions.current()
    browser = _browser(session.token if session is not None and session.token else "")
    payload = {
        "path": f"/cases/{case_id}/save",
        "who": user.id,
        "browser": browser,
        "fields": [list(pair) for pair in fields],
    }
    sealed = _serializer().dumps(payload)
    if len(sealed) > RESUME_COOKIE_MAX:
        return None
    response = redirect(url_for("cases.resume", case_id=case_id), code=303)
    response.set_cookie(
        RESUME_COOKIE,
        sealed,
        max_age=MAX_AGE_SECONDS,
        path=resume_path(case_id),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Strict",
    )
    return response


def resume_path(case_id: int) -> str:
    return url_for("cases.resume", case_id=case_id)


def carried_to(case_id: int, user) -> list[tuple[str, str]] | None:
    """The entries the resume cookie carries for this case, this browser and this user."""
    opened_entries = opened(request.cookies.get(RESUME_COOKIE), user)
    if opened_entries is None or opened_entries[0] != case_id:
        return None
    return opened_entries[1]
