"""Response headers every page gets (docs/security.md OUT-1).

The policy forbids inline scripts and styles, so templates use only /static files; `no-store`
keeps PHI pages out of shared workstations' browser caches (ASVS 8.2.1).
"""

from __future__ import annotations

from flask import Flask, Response, request

# OUT-1 asks for the first two directives; base-uri, form-action and object-src close the
# remaining injection routes that default-src does not cover.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    # Never no-referrer: the CSRF check over https needs a same-origin Referer (OUT-3).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Everything but the stylesheet may hold PHI or a CSRF token: never cached.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
