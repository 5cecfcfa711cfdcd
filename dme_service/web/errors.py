"""Error pages and JSON errors that say what happened and what to do next (docs/security.md LOG-4).

Every error gets a random id that is shown to the user and written to the log with the trace,
so "quote E-7F3K2Q" finds the exact record. Bodies never hold a traceback, SQL or PHI.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, TooManyRequests

from dme_service.services.accounts.sign_in import Throttled

log = logging.getLogger(__name__)

# Crockford base32 without I, L, O, U: easy to read aloud and to type.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Explanation:
    title: str
    what: str  # what happened
    next: str  # what to do now
    code: str  # machine-readable, for JSON clients
    retryable: bool = False


EXPLANATIONS: dict[int, Explanation] = {
    400: Explanation(
        "The request could not be used",
        "The page sent something the service could not read, so nothing was changed.",
        "Go back, reload the page, and send it again.",
        "bad_request",
    ),
    401: Explanation(
        "Sign-in needed",
        "This address needs a signed-in user or a valid API token.",
        "Sign in (or send a valid bearer token) and try again.",
        "unauthenticated",
    ),
    403: Explanation(
        "Not available for your role",
        "Your role does not include this page or action, so nothing was shown or changed.",
        "Go to your home page. If your work needs this, a clinic administrator can change "
        "your role.",
        "forbidden",
    ),
    404: Explanation(
        "Not found",
        "There is no page or record at this address in your clinic.",
        "Check the address, or open the record again from your home page.",
        "not_found",
    ),
    405: Explanation(
        "Not possible at this address",
        "This address does not accept that kind of request; nothing was changed.",
        "Use the buttons and links on the page instead of typing the address.",
        "method_not_allowed",
    ),
    409: Explanation(
        "Changed by someone else",
        "The record changed while you were working on it, so your change was not saved.",
        "Reload the record to see its current state, then make your change again.",
        "conflict",
    ),
    413: Explanation(
        "Too large",
        "What you sent is larger than the 1 MB the service accepts; nothing was saved.",
        "Send less at a time, or shorten long text fields, then try again.",
        "too_large",
    ),
    415: Explanation(
        "Wrong content type",
        "The service expected JSON (Content-Type: application/json); nothing was saved.",
        "Send the request body as JSON.",
        "unsupported_media_type",
    ),
    422: Explanation(
        "Some entries are not valid",
        "Some values could not be accepted, so nothing was saved.",
        "Go back, correct the marked entries, and send them again.",
        "unprocessable",
    ),
    429: Explanation(
        "Too many attempts",
        "There were too many attempts in a short time, so this one was refused.",
        "Wait until the time shown below has passed, then try again.",
        "too_many_requests",
        retryable=True,
    ),
    500: Explanation(
        "Something went wrong on our side",
        "The service hit an unexpected problem; changes from this request were not saved.",
        "Go back and try again. If it happens again, quote the error id below.",
        "internal_error",
    ),
    503: Explanation(
        "Busy right now",
        "The service or its database is busy or not answering; nothing was saved.",
        "Wait a minute, then try again.",
        "unavailable",
        retryable=True,
    ),
}

# Upload forms that answer a file over their limit themselves: the form again with the message
# beside its file field (in the words the person uses), not the generic "Too large" page.
TOO_LARGE_FORMS: dict[str, Callable[[], object]] = {}
# An oversized upload is read and dropped up to this size before the form answers, so the
# browser, which is still sending, receives the answer instead of a reset connection.
DRAIN_LIMIT = 64 * 1024 * 1024
BODY_TOO_LARGE = "The request body is larger than the 1 MB the service accepts."


def answers_too_large(endpoint: str):
    """Register the view helper that re-shows `endpoint`'s form for a file over the limit."""

    def register(answer: Callable[[], object]) -> Callable[[], object]:
        TOO_LARGE_FORMS[endpoint] = answer
        return answer

    return register


CSRF_NEXT = (
    "The form had expired or did not come from this site, so it was not saved. Go back, "
    "reload the page, and send the form again."
)


class Refused(HTTPException):
    """An error with its own words: `raise Refused(409, "what happened.", "what to do.")`."""

    def __init__(self, code: int, what: str, next_step: str) -> None:
        super().__init__(description=what)
        self.code = code
        self.what = what
        self.next_step = next_step


def new_error_id() -> str:
    """A short random error id such as E-7F3K2Q (30 bits: unique enough to find a log line)."""
    return "E-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


def is_api_request() -> bool:
    return request.path.startswith(("/api/", "/cds-services"))


def explanation_for(status: int) -> Explanation:
    if status in EXPLANATIONS:
        return EXPLANATIONS[status]
    return EXPLANATIONS[500] if status >= 500 else EXPLANATIONS[400]


def status_for(error: BaseException) -> int:
    """The HTTP status an exception stands for (database conflicts and outages included)."""
    if isinstance(error, HTTPException):
        return error.code or 500
    from dme_service.db import status_for_database_error

    return status_for_database_error(error) or 500


def log_error(error: BaseException, status: int, error_id: str) -> None:
    """One JSON log record per error; the trace only for server faults (LOG-3: no query string)."""
    fields = {"error_id": error_id, "status": status, "method": request.method}
    fields["path"] = request.path
    if status >= 500:
        log.error("request failed", extra=fields, exc_info=error)
    else:
        log.info("request refused", extra=fields)


def error_response(status: int, error: BaseException | None = None) -> Response:
    """The HTML page or JSON body for an error status, logged under a fresh error id."""
    error_id = new_error_id()
    if error is not None:
        log_error(error, status, error_id)
    explanation = explanation_for(status)
    next_step = explanation.next
    if _is_csrf(error):
        next_step = CSRF_NEXT
    if isinstance(error, Refused):
        explanation = replace(explanation, what=error.what)
        next_step = error.next_step
    if is_api_request():
        body = {
            "id": error_id,
            "code": explanation.code,
            "message": f"{explanation.what} {next_step}",
            "retryable": explanation.retryable,
        }
        response = jsonify(error=body)
        if status == 413:  # the one "field" too large in a JSON request is the body itself
            response = jsonify(error=body, errors=[{"field": "$", "message": BODY_TOO_LARGE}])
    else:
        html = render_template(
            _page_template(),
            status=status,
            explanation=explanation,
            next_step=next_step,
            error_id=error_id,
            retry_after=_retry_after(error),
        )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    response.headers.update(_carried_headers(error))
    return response


def _page_template() -> str:
    # Without a URL adapter (the request's Host is not in DME_TRUSTED_HOSTS) url_for cannot
    # work, and the site's layout needs it: such a request gets a page that stands alone.
    return "errors/error.html" if request_ctx.url_adapter is not None else "errors/bare.html"


def _is_csrf(error: BaseException | None) -> bool:
    from flask_wtf.csrf import CSRFError

    return isinstance(error, CSRFError)


def _carried_headers(error: BaseException | None) -> dict[str, str]:
    """The headers an HTTP error carries (Allow on 405, Retry-After on 429, WWW-Authenticate)."""
    if not isinstance(error, HTTPException):
        return {}
    headers = {name: value for name, value in error.get_headers() if name != "Content-Type"}
    if error.response is not None:
        for name in ("Retry-After", "WWW-Authenticate"):
            if name in error.response.headers:
                headers[name] = error.response.headers[name]
    return headers


def _retry_after(error: BaseException | None) -> int | None:
    value = _carried_headers(error).get("Retry-After", "")
    return int(value) if value.isdigit() else None


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # redirects raised as exceptions pass through unchanged
    if error.code == 413 and (answer := _too_large_form()) is not None:
        return answer
    return error_response(error.code, error)


def _too_large_form():
    """The upload form again, for a signed-in user whose file is over its limit; None when
    the endpoint has no such form (or the request is not a signed-in page's)."""
    from flask_login import current_user

    answer = TOO_LARGE_FORMS.get(request.endpoint or "")
    if answer is None or is_api_request() or not current_user.is_authenticated:
        return None
    _drop_unread_body()
    log.info("upload over the limit", extra={"status": 413, "path": request.path})
    return answer()


def _drop_unread_body() -> None:
    """Read what the browser is still sending (up to DRAIN_LIMIT) without keeping it."""
    remaining = min(request.content_length or 0, DRAIN_LIMIT)
    stream = request.environ.get("wsgi.input")
    while stream is not None and remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)


def handle_exception(error: Exception) -> Response:
    from dme_service.db import get_session

    try:
        get_session().rollback()  # DB-1: nothing half-done survives a failed request
    except Exception:  # noqa: BLE001 - the original error is what must be reported
        log.warning("rollback after an error failed too", exc_info=True)
    return error_response(status_for(error), error)


def handle_throttled(error: Throttled):
    """Too many failed sign-in attempts: 429 with Retry-After (security.md AUTH-4)."""
    return handle_http_error(TooManyRequests(retry_after=error.retry_after))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Throttled, handle_throttled)
    app.register_error_handler(Exception, handle_exception)
