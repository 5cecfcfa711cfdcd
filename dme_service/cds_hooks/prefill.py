"""The app link's payload: what a hook carried, sealed for the "new case" page to prefill.

Patient details must not sit readable in a URL (proxy logs, browser history), so the partial
case document travels encrypted and authenticated (Fernet: AES-128-CBC + HMAC-SHA256) under a
key derived from the app's secret key, and expires after an hour: long enough to click the card.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

MAX_AGE_SECONDS = 3600
# The fields the new-case page can prefill; the rest of the hook's facts are not sealed.
KEPT = ("payer", "patient", "diagnoses", "request")


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"dme-service cds-hooks prefill\n" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(part: dict, secret_key: str) -> str:
    kept = {key: part[key] for key in KEPT if key in part}
    return _fernet(secret_key).encrypt(json.dumps(kept, separators=(",", ":")).encode()).decode()


def unseal(token: str, secret_key: str, now: int | None = None) -> dict | None:
    """The partial case document, or None when the token is altered, foreign or too old."""
    fernet = _fernet(secret_key)
    try:
        if now is None:
            raw = fernet.decrypt(token.encode(), MAX_AGE_SECONDS)
        else:
            raw = fernet.decrypt_at_time(token.encode(), MAX_AGE_SECONDS, now)
        value = json.loads(raw)
    except (InvalidToken, ValueError):
        return None
    return value if isinstance(value, dict) else None
