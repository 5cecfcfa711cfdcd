"""Server-side, revocable sessions over the UserSession table (docs/security.md AUTH-1..AUTH-3).

The cookie holds only a random 256-bit token; the table row is keyed by its SHA-256, so a copy
of the database cannot be replayed as cookies. Logout deletes the row, login always issues a new
token, and idle (15 min) and absolute (12 h) limits are enforced on the server
(services.accounts.session_rows owns the rows and their transactions; this module the cookie
and Flask's session interface). Visitors who are not signed in get a token too, but no row:
their CSRF secret is derived from the token with the app's secret key, so the login form is
CSRF-protected without storing anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta

from flask import Flask, Request, Response, g
from flask.sessions import SessionInterface, SessionMixin

from dme_service.db import get_session
from dme_service.services.accounts import session_rows, users
from dme_service.services.accounts.session_rows import FRESH_LOGIN, token_digest

__all__ = ["FRESH_LOGIN", "token_digest"]  # read by the auth pages and the tests

log = logging.getLogger(__name__)

# AUTH-2: nothing else is ever stored; other keys set during a request are dropped.
ALLOWED_KEYS = ("user_id", "role", "csrf_token", "created", "last_seen", "fresh_until")
SECURE_COOKIE_NAME = "__Host-session"  # __Host-: Secure, Path=/, no Domain (RFC 6265bis)
PLAIN_COOKIE_NAME = "dme-session"  # only when DME_SESSION_COOKIE_SECURE is off (local http)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class ServerSession(dict, SessionMixin):
    """The request's view of its session: allow-listed values plus what the request needs."""

    def __init__(self, token: str | None, *, token_is_new: bool = False) -> None:
        super().__init__()
        self.token = token
        self.token_is_new = token_is_new
        self.row: session_rows.Row | None = None
        self.user = None  # the row's User
        self.ended_reason: str | None = None  # "idle" / "absolute" when a session just expired
        self.ended_user_id: int | None = None  # whose session ended (pages/cases/typed_input)
        self.issue_cookie = False
        self.clear_cookie = False
        self.csrf_used = False
        self.load_error: Exception | None = None  # raised again in before_request (-> 503)

    def __getitem__(self, key):
        if key == "csrf_token":
            self.csrf_used = True
        return super().__getitem__(key)

    @property
    def authenticated(self) -> bool:
        return self.row is not None and self.user is not None

    def stored_data(self) -> dict:
        """The JSON kept in UserSession.data: allow-listed keys only (AUTH-2)."""
        return {key: self[key] for key in ALLOWED_KEYS if key in self and key != "csrf_token"}


def cookie_name(app: Flask) -> str:
    return SECURE_COOKIE_NAME if app.config.get("SESSION_COOKIE_SECURE") else PLAIN_COOKIE_NAME


def anonymous_token(app: Flask) -> str:
    """A pre-login token: 22 random characters (128 bits) and 21 of their HMAC, so the server
    can tell a token it issued from one a client made up."""
    head = secrets.token_urlsafe(16)
    return head + _anonymous_mac(app, head)


def _anonymous_mac(app: Flask, head: str) -> str:
    digest = hmac.new(str(app.secret_key).encode(), b"anonymous:" + head.encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode()[:21]


def _replace_foreign_token(app: Flask, session: ServerSession) -> None:
    """A token with no session row that this server did not issue (a client-chosen value, or
    a signed-in token whose row is gone) is replaced before it anchors a CSRF
    secret: a client must not choose its own CSRF anchor."""
    if session.row is not None or session.ended_reason or session.load_error:
        return
    token = session.token or ""
    if hmac.compare_digest(token[22:], _anonymous_mac(app, token[:22])):
        return
    session.token, session.token_is_new = anonymous_token(app), True


def csrf_secret(app: Flask, token: str) -> str:
    """The CSRF secret bound to this cookie token (Flask-WTF signs it again per form)."""
    key = str(app.secret_key).encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


class ServerSessionInterface(SessionInterface):
    """Flask's session interface backed by UserSession rows."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        # A request normally gets a fresh app context; when one is reused (tests, CLI), what
        # the last request cached in g (user, CSRF token, auth method) must not carry over.
        for name in list(vars(g)):
            delattr(g, name)
        if request.path.startswith(f"{app.static_url_path}/"):
            return ServerSession(None)  # stylesheets need no session and no database
        if request.path.startswith("/api/") and "Authorization" in request.headers:
            return ServerSession(None)  # bearer calls ignore cookies (OUT-3)
        token = request.cookies.get(cookie_name(app), "")
        if not _TOKEN_SHAPE.fullmatch(token):
            session = ServerSession(anonymous_token(app), token_is_new=True)
        else:
            session = ServerSession(token)
            try:
                _attach_row(session)
            except Exception as error:  # noqa: BLE001 - answered as an error page, see below
                # open_session runs outside Flask's error handlers; keep the failure for the
                # first before_request, so the user gets the 503 page with an error id.
                get_session().rollback()
                session.load_error = error
            _replace_foreign_token(app, session)
        dict.__setitem__(session, "csrf_token", csrf_secret(app, session.token))
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession) or session.token is None:
            return
        response.vary.add("Cookie")
        options = {
            "path": "/",
            "secure": bool(app.config.get("SESSION_COOKIE_SECURE")),
            "httponly": True,
            "samesite": "Lax",
        }
        if session.clear_cookie:
            response.delete_cookie(cookie_name(app), **options)
        elif session.issue_cookie or (session.token_is_new and session.csrf_used):
            # No Expires: the cookie dies with the browser; the server enforces 15 min / 12 h.
            response.set_cookie(cookie_name(app), session.token, **options)


def _attach_row(session: ServerSession) -> None:
    """The live row for the cookie's token, or why its session just ended."""
    opened = session_rows.open_row(get_session(), session.token)
    if opened.row is not None:
        _fill(session, opened.row)
    elif opened.ended_reason is not None:
        session.ended_reason, session.ended_user_id = opened.ended_reason, opened.ended_user_id


def _fill(session: ServerSession, row: session_rows.Row) -> None:
    session.row, session.user = row, row.user
    for key, value in session_rows.stored_values(row).items():
        dict.__setitem__(session, key, value)
    # Flask-Login's user_loader is called with this id; the value is never stored (AUTH-2).
    dict.__setitem__(session, "_user_id", str(row.user_id))


def current() -> ServerSession | None:
    from flask import has_request_context, session

    if not has_request_context():
        return None
    found = session._get_current_object()
    return found if isinstance(found, ServerSession) else None


def start(user) -> session_rows.Row:
    """Sign `user` in: a brand-new token and row (never the pre-login id), stored at once."""
    from flask import current_app

    session = current()
    token, row = session_rows.begin(get_session(), user, replacing=session.row)
    session.clear()
    session.token, session.issue_cookie, session.clear_cookie = token, True, False
    dict.__setitem__(session, "csrf_token", csrf_secret(current_app, token))
    _fill(session, row)
    g.pop("_login_user", None)  # Flask-Login reloads current_user from the new row
    return row


def end() -> session_rows.Row | None:
    """Sign out: clear the cookie; returns the row the sign-out must delete (services)."""
    session = current()
    if session is None:
        return None
    row = session.row
    session.clear()
    session.row = session.user = None
    session.clear_cookie = True
    g.pop("_login_user", None)
    return row


def end_all_for(user_id: int, *, keep_current: bool = False) -> int:
    """Delete every session of a user (or all but this one); returns how many. Caller commits."""
    session = current()
    keep = session.row.id if keep_current and session is not None and session.row else None
    return users.end_sessions(get_session(), user_id, except_id=keep)


def mark_fresh() -> None:
    """The user just typed their password: start a new step-up window (AUTH-6), stored."""
    session = current()
    if session is not None and session.row is not None:
        session_rows.mark_fresh(get_session(), session.row)
        dict.__setitem__(session, "fresh_until", session.row.data["fresh_until"])


def is_fresh(max_age: timedelta = FRESH_LOGIN) -> bool:
    """True when the password was entered within max_age in this session."""
    session = current()
    return session_rows.is_fresh(session.row if session is not None else None, max_age)


def load_user(user_id: str):
    """Flask-Login's user_loader: the user of this request's session row, and only that user."""
    session = current()
    if session is None or not session.authenticated or str(session.user.id) != user_id:
        return None
    return session.user


def raise_load_error() -> None:
    """before_request: a session that could not be loaded fails the request (never anonymous)."""
    session = current()
    if session is not None and session.load_error is not None:
        raise session.load_error


def init_app(app: Flask) -> None:
    """Install the session interface and name the cookie after its security (AUTH-2)."""
    app.session_interface = ServerSessionInterface()
    app.before_request(raise_load_error)
    app.config["SESSION_COOKIE_NAME"] = cookie_name(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["SESSION_COOKIE_DOMAIN"] = None
