"""Admin TOTP (docs/security.md AUTH-6): enrollment, single-use code checks, reset.

RFC 6238 codes through pyotp: 6 digits, 30-second steps, one step of clock drift either way.
Each accepted code's time-step counter is stored on the user, and a code whose counter is not
greater than the last accepted one is refused, so a code works once (a code seen over someone's
shoulder cannot be replayed in the same 90 seconds). No Flask; the used counter is claimed
with one conditional UPDATE in the caller's transaction (callers commit).

The secret is stored as typed into the authenticator (base32) in users.totp_secret: the project
has no application-level encryption key, so it relies on the encrypted volume (CI-3).
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

import pyotp

ISSUER = "DME Service"
DIGITS = 6
INTERVAL = 30  # seconds per time step (RFC 6238 default; what authenticator apps assume)
DRIFT_STEPS = 1  # accept the previous and the next step too (phone clocks drift)
_CODE = re.compile(r"[0-9]{6}")


def required_for(user, enforced: bool) -> bool:
    """True when this user must give a TOTP code at sign-in (DME_ADMIN_TOTP, admins only)."""
    return bool(enforced) and getattr(user, "role", None) == "admin"


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg_path(data: str) -> tuple[int, str]:
    """(size in modules, SVG path data) of a QR code for `data`, quiet zone included.

    The page draws it as inline SVG (<path d="...">): no image URL, no inline style, so the
    Content-Security-Policy needs no data: or 'unsafe-inline', and nothing is marked safe.
    """
    import qrcode

    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    parts = [
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    ]
    return len(matrix), "".join(parts)


def normalized(code: str | None) -> str:
    """The code without the spaces or dashes some apps show in the middle."""
    return re.sub(r"[\s-]", "", code or "")


def matching_counter(
    secret: str, code: str, *, after: int | None, at: datetime | None = None
) -> int | None:
    """The time-step counter at which `code` is valid for `secret`, if greater than `after`."""
    code = normalized(code)
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = totp.timecode(at or datetime.now(UTC))
    found = None
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and counter <= after:
            continue
        # compare every candidate (no early exit), in constant time
        if hmac.compare_digest(totp.generate_otp(counter), code) and found is None:
            found = counter
    return found


def accept_code(user, code: str, *, at: datetime | None = None) -> bool:
    """Check a sign-in code; on success remember its counter so it never works again."""
    if not user.totp_secret:
        return False
    counter = matching_counter(user.totp_secret, code, after=user.totp_last_counter, at=at)
    if counter is None:
        return False
    return _claim_counter(user, counter)


def _claim_counter(user, counter: int) -> bool:
    """Record `counter` as used, atomically: one conditional UPDATE that only a first use wins.

    Reading the last counter and then writing the new one would let two requests sending the
    same code at the same moment both pass under PostgreSQL's READ COMMITTED (RFC 6238 5.2:
    a code is accepted once).
    The UPDATE's WHERE re-checks the stored counter, so the second request changes no row.
    A user not attached to a database session (unit tests) is updated in memory.
    """
    from sqlalchemy import or_, update
    from sqlalchemy.orm import object_session
    from sqlalchemy.orm.attributes import set_committed_value
    from sqlalchemy.orm.exc import UnmappedInstanceError

    try:
        session = object_session(user)
    except UnmappedInstanceError:
        session = None
    if session is None:
        user.totp_last_counter = counter
        return True
    table = type(user)
    changed = session.execute(
        update(table)
        .where(table.id == user.id)
        .where(or_(table.totp_last_counter.is_(None), table.totp_last_counter < counter))
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    set_committed_value(user, "totp_last_counter", counter)
    return True


def enroll(user, secret: str, code: str, *, at: datetime | None = None) -> bool:
    """Store `secret` for the user only once a first code from it checks out (used up)."""
    counter = matching_counter(secret, code, after=None, at=at)
    if counter is None:
        return False
    user.totp_secret = secret
    user.totp_last_counter = counter
    return True


def reset(user) -> bool:
    """Forget the user's secret (lost device); the next sign-in enrolls again. True if set."""
    had = bool(user.totp_secret)
    user.totp_secret = None
    user.totp_last_counter = None
    return had
