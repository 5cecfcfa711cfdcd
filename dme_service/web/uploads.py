"""The request limits of the upload forms, above the app's 1 MiB (docs/security.md IN-2).

`allow_larger_uploads` runs before the access hook, whose CSRF check is the first to read a
body, and raises the limit for these endpoints only. A file over its form's limit comes back
to that form with the message beside the file field (web.errors.answers_too_large).
"""

from __future__ import annotations

from flask import request

from dme_service.services import wet_signing

FORM_FIELDS_ALLOWANCE = 256 * 1024  # the form's other fields and the multipart framing
REMITTANCE_MAX_BYTES = 20_000_000  # an 835 of a large payer's weekly remittance
LIMITS = {
    "ink.upload": wet_signing.MAX_BYTES + FORM_FIELDS_ALLOWANCE,
    "billing.remittances": REMITTANCE_MAX_BYTES + FORM_FIELDS_ALLOWANCE,
}


def allow_larger_uploads() -> None:
    """before_request: the upload form's own limit for its endpoint."""
    limit = LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit
