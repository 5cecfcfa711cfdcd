"""The one way a view answers with a PDF (security.md PDF-4)."""

from __future__ import annotations

from flask import Response


def pdf_response(pdf: bytes, filename: str, *, inline: bool = False) -> Response:
    """A PDF that no cache keeps and no browser sniffs; `filename` carries no user text."""
    disposition = "inline" if inline else "attachment"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
