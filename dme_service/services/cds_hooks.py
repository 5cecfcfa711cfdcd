"""CDS Hooks calls in the database: single-use token ids, calls per EHR, refusals per address.

A JWT's `jti` is recorded once (SHA-256 of issuer and jti under a unique constraint), so a
replay is refused by whichever worker or node receives it. The same rows count each EHR's
accepted calls: more than CALLS_PER_MINUTE within a minute answer 429, so one EHR cannot take
the service from everyone else. Refused calls are counted per client IP in the sign-in
throttle's table: 10 refusals within 15 minutes pause that address, as the sign-in form and
patient links do (ASVS 2.2.1), so keys cannot be probed at speed.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dme_service.models import LoginAttempt, UsedHookToken

CALLS_PER_MINUTE = 300  # per issuer: several busy clinicians ordering at once stay far below
REFUSAL_LIMIT = 10
REFUSAL_WINDOW = timedelta(minutes=15)
KEEP_REFUSALS = timedelta(days=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _ip_key(ip: str | None) -> str:
    return f"cds-ip:{ip or 'unknown'}"


ACCEPTED, REPLAYED, BUSY = "accepted", "replayed", "busy"


def accept(session: Session, issuer: str, jti: str, expires_at: datetime) -> str:
    """Record a verified token: ACCEPTED, REPLAYED (its jti was used) or BUSY (this EHR is
    over CALLS_PER_MINUTE; the jti is not spent, so a retry with it may pass). Commits."""
    moment = _now()
    issuer_digest = _digest(issuer)
    try:
        # Expired ids can never be replayed (the token's exp refuses them): drop them.
        session.execute(
            delete(UsedHookToken).where(UsedHookToken.expires_at < moment - timedelta(minutes=1))
        )
        recent = session.scalar(
            select(func.count(UsedHookToken.id)).where(
                UsedHookToken.issuer_digest == issuer_digest,
                UsedHookToken.used_at > moment - timedelta(minutes=1),
            )
        )
        if recent >= CALLS_PER_MINUTE:
            session.commit()
            return BUSY
        session.add(
            UsedHookToken(
                digest=_digest(f"{issuer}\n{jti}"),
                issuer_digest=issuer_digest,
                expires_at=expires_at,
                used_at=moment,
            )
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        return REPLAYED
    except Exception:
        session.rollback()
        raise
    return ACCEPTED


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def retry_after(session: Session, ip: str | None) -> int | None:
    """Seconds until this address may call again, or None when it is not paused."""
    moment = _now()
    recent = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == _ip_key(ip), LoginAttempt.success.is_(False))
        .where(LoginAttempt.at > moment - REFUSAL_WINDOW)
        .order_by(LoginAttempt.at.desc())
        .limit(REFUSAL_LIMIT)
    ).all()
    if len(recent) < REFUSAL_LIMIT:
        return None
    oldest = recent[-1] if recent[-1].tzinfo else recent[-1].replace(tzinfo=UTC)
    return max(1, math.ceil((oldest + REFUSAL_WINDOW - moment).total_seconds()))


def count_refusal(session: Session, ip: str | None) -> None:
    """Count one refused call against the address. Commits."""
    moment = _now()
    try:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < moment - KEEP_REFUSALS))
        session.add(LoginAttempt(key=_ip_key(ip), at=moment, success=False))
        session.commit()
    except Exception:
        session.rollback()
        raise
