"""Request bodies sent without a length are held to MAX_CONTENT_LENGTH too (docs/security.md IN-2).

With `Transfer-Encoding: chunked` there is no Content-Length for Flask to refuse up front; the
WSGI server hands over a stream that Werkzeug cuts at MAX_CONTENT_LENGTH, and the cut body was
processed (2.6 MB of JSON would be answered from its first MiB). This hook reads such a
body once, up to the limit, before any view: a body that reaches the limit is refused with 413;
a smaller one is cached, so forms and JSON read it as usual.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def refuse_unbounded_bodies() -> None:
    """413 for a length-less body of MAX_CONTENT_LENGTH bytes or more (the limit is exclusive:
    a cut stream and a body of exactly the limit look alike)."""
    if request.content_length is not None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None:
        return
    if len(request.get_data(cache=True)) >= limit:
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    app.before_request(refuse_unbounded_bodies)
