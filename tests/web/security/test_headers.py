"""Security headers on every kind of response; templates that work under the CSP (OUT-1)."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from dme_service.config import ROOT
from dme_service.web.security import access
from dme_service.web.security.headers import CONTENT_SECURITY_POLICY

TEMPLATES = ROOT / "templates"


def _assert_security_headers(response, *, no_store=True):
    headers = response.headers
    assert headers["Content-Security-Policy"].startswith(
        "default-src 'self'; frame-ancestors 'none'"
    )
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if no_store:
        assert headers["Cache-Control"] == "no-store"


def test_the_sign_in_page_has_every_header(client):
    _assert_security_headers(client.get("/login"))


def test_an_authenticated_page_is_never_stored(signed_in):
    client, _ = signed_in("clinician")
    response = client.get("/")
    assert response.status_code == 200
    _assert_security_headers(response)


def test_a_404_has_every_header(client):
    _assert_security_headers(client.get("/missing"))


def test_a_500_has_every_header(app, signed_in, monkeypatch):
    bp = Blueprint("exploding", __name__)

    @bp.route("/explode")
    def explode():
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    monkeypatch.setitem(access.ACCESS, "exploding.explode", access.STAFF)
    client, _ = signed_in("billing")
    response = client.get("/explode")
    assert response.status_code == 500
    _assert_security_headers(response)


def test_a_redirect_to_sign_in_has_every_header(client):
    response = client.get("/")
    assert response.status_code == 302
    _assert_security_headers(response)


def test_the_stylesheet_is_served_with_headers_and_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    _assert_security_headers(response, no_store=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_policy_allows_no_inline_code_and_no_other_origin():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


def _template_files():
    return sorted(TEMPLATES.rglob("*"))


def test_templates_are_html_so_they_are_autoescaped():
    files = [path for path in _template_files() if path.is_file()]
    assert files
    assert all(path.suffix == ".html" for path in files), files


@pytest.mark.parametrize(
    "pattern",
    [
        r"\|\s*safe\b",
        r"Markup\(",
        r"autoescape\s+false",
        r"<script(?![^>]*\ssrc=)",
        r"\sstyle=",
        r"<style",
        r"\son[a-z]+\s*=",
    ],
    ids=[
        "safe-filter",
        "markup",
        "autoescape-off",
        "inline-script",
        "style-attr",
        "style-tag",
        "event-handler",
    ],
)
def test_no_template_escapes_autoescape_or_needs_inline_code(pattern):
    offenders = [
        str(path.relative_to(ROOT))
        for path in _template_files()
        if path.is_file() and re.search(pattern, path.read_text(), re.IGNORECASE)
    ]
    assert offenders == []


def test_nothing_is_loaded_from_another_site():
    files = [*_template_files(), *(ROOT / "static").rglob("*")]
    remote = re.compile(r"(src|href)\s*=\s*[\"']?(https?:)?//|@import\s+url\(\s*[\"']?https?:")
    offenders = [str(p) for p in files if p.is_file() and remote.search(p.read_text())]
    assert offenders == []


def test_stylesheets_are_our_own_small_files_not_a_framework():
    sheets = list((ROOT / "static").rglob("*.css"))
    assert ROOT / "static" / "css" / "app.css" in sheets
    for sheet in sheets:
        # Small next to a framework (Bootstrap's CSS alone is ~230 kB): read by people, not tools.
        assert sheet.stat().st_size < 64_000, sheet
        assert not re.search(r"bootstrap|tailwind|bulma|foundation", sheet.read_text(), re.I)
