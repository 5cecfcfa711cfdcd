"""Private patient links: create, revoke, open, and the short patient session (AUTH-7).

A link is a bearer credential for one case's instructions and home log. Only the SHA-256 of
its 256-bit token is stored, so a copy of the database opens nothing. Opening a link is
audited and rate-limited per client IP in the database (every worker counts the same); an
unknown, expired or revoked token answers exactly alike, so a guesser learns nothing. The first
use swaps the token for a patient session cookie bound by HMAC to the link, so the pages the
patient then reads carry no token in their address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import unit_of_work
from dme_service.models import Case, Clinic, PatientLink, User
from dme_service.store import login_attempts

TOKEN_BYTES = 32  # 256 bits (docs/security.md AUTH-7)
DEFAULT_LINK_DAYS = 90
LANGUAGES = ("en", "es")
# Brute force (AUTH-7, ASVS 2.2.1): 10 failed opens per IP within 15 minutes pause that IP.
FAILURE_LIMIT = 10
FAILURE_WINDOW = timedelta(minutes=15)
# A patient session ends after 60 idle minutes: phones and home computers are shared.
SESSION_IDLE = timedelta(minutes=60)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_COOKIE_SHAPE = re.compile(r"(\d{1,12})\.(\d{1,12})\.(en|es)\.([0-9a-f]{64})")
# The patient has no account; audit rows name the role so a reader knows who acted.
PATIENT = SimpleNamespace(id=None, role="patient")


def now_utc() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_live(link: PatientLink, moment: datetime | None = None) -> bool:
    """True while the link is neither revoked nor expired."""
    moment = moment or now_utc()
    return link.revoked_at is None and moment < link.expires_at


def create_link(
    session: Session, case: Case, user: User, *, lang: str | None = None, now=None
) -> tuple[PatientLink, str]:
    """A new link for the case (older live ones are revoked); returns the row and the raw
    token, which is shown to the clinician once and never stored. Commits."""
    moment = now or now_utc()
    clinic = session.get(Clinic, case.clinic_id)
    days = clinic.patient_link_days or DEFAULT_LINK_DAYS
    chosen = lang if lang in LANGUAGES else (clinic.default_lang or "en")
    with unit_of_work(session):
        _revoke_live(session, case, user, moment)
        raw = secrets.token_urlsafe(TOKEN_BYTES)
        link = PatientLink(
            case_id=case.id,
            token_hash=token_hash(raw),
            lang=chosen if chosen in LANGUAGES else "en",
            created_at=moment,
            expires_at=moment + timedelta(days=days),
            created_by_id=user.id,
        )
        session.add(link)
        session.flush()
        audit.record(
            session,
            user=user,
            action="patient_link.create",
            object_type="patient_link",
            object_id=link.id,
            patient_id=case.patient_id,
        )
    return link, raw


def revoke_links(session: Session, case: Case, user: User, *, now=None) -> int:
    """Revoke every live link of the case at once; returns how many. Commits."""
    with unit_of_work(session):
        count = _revoke_live(session, case, user, now or now_utc())
    return count


def _revoke_live(session: Session, case: Case, user: User, moment: datetime) -> int:
    query = select(PatientLink).where(
        PatientLink.case_id == case.id, PatientLink.revoked_at.is_(None)
    )
    links = [link for link in session.scalars(query) if moment < link.expires_at]
    for link in links:
        link.revoked_at = moment
        audit.record(
            session,
            user=user,
            action="patient_link.revoke",
            object_type="patient_link",
            object_id=link.id,
            patient_id=case.patient_id,
        )
    return len(links)


@dataclass(frozen=True)
class Opened:
    """What opening a token gave: the link (None when refused) or a pause in seconds."""

    link: PatientLink | None = None
    retry_after: int | None = None


def open_link(session: Session, raw: str, ip: str | None, *, now=None) -> Opened:
    """Check a token from a link: throttle, look up, audit, count. Commits.

    A paused IP is refused before the lookup, so even a right token gains nothing then.
    """
    moment = now or now_utc()
    key = f"patient-ip:{ip or 'unknown'}"
    # Auditing every request to /p would let one client add ~125 permanent rows a second,
    # throttled or not. Only a token-shaped try that was counted is audited, so
    # one address adds at most FAILURE_LIMIT refused rows per window. A string that cannot be
    # a token is refused before any database access: a typo, not a try at a link.
    if not _TOKEN_SHAPE.fullmatch(raw or ""):
        return Opened()
    with unit_of_work(session):
        wait = login_attempts.retry_after(
            session, key, moment, window=FAILURE_WINDOW, limit=FAILURE_LIMIT
        )
        if wait is not None:
            session.rollback()  # a read only: a paused address writes nothing
            return Opened(retry_after=wait)
        link = _find(session, raw, moment)
        login_attempts.count(session, [key], success=link is not None, now=moment)
        audit.record(
            session,
            user=PATIENT,
            action="patient_link.open",
            object_type="patient_link",
            object_id=link.id if link else None,
            patient_id=_patient_id(session, link),
            outcome="ok" if link else "refused",
        )
    return Opened(link=link)


def _find(session: Session, raw: str, moment: datetime) -> PatientLink | None:
    if not _TOKEN_SHAPE.fullmatch(raw or ""):
        return None
    link = session.scalar(select(PatientLink).where(PatientLink.token_hash == token_hash(raw)))
    return link if link is not None and is_live(link, moment) else None


def _patient_id(session: Session, link: PatientLink | None) -> int | None:
    if link is None:
        return None
    return session.scalar(select(Case.patient_id).where(Case.id == link.case_id))


# --- the patient session cookie -------------------------------------------------------------


def session_cookie(secret: str, link: PatientLink, lang: str, *, now=None) -> str:
    """`<link id>.<issued>.<lang>.<HMAC>`: no PHI, no token, useless once the link is revoked
    (the MAC covers the link's token hash, which a new link replaces)."""
    issued = int((now or now_utc()).timestamp())
    lang = lang if lang in LANGUAGES else "en"
    return f"{link.id}.{issued}.{lang}.{_mac(secret, link, issued, lang)}"


def _mac(secret: str, link: PatientLink, issued: int, lang: str) -> str:
    message = f"patient-session:{link.id}.{issued}.{lang}.{link.token_hash}".encode()
    return hmac.new(str(secret).encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PatientSession:
    link: PatientLink
    lang: str


def read_session_cookie(session: Session, secret: str, value: str | None, *, now=None):
    """The live link and language a cookie stands for, or None (forged, idle, revoked)."""
    match = _COOKIE_SHAPE.fullmatch(value or "")
    if match is None:
        return None
    link_id, issued, lang, mac = int(match[1]), int(match[2]), match[3], match[4]
    moment = now or now_utc()
    if moment.timestamp() - issued > SESSION_IDLE.total_seconds():
        return None
    link = session.get(PatientLink, link_id)
    if link is None or not hmac.compare_digest(mac, _mac(secret, link, issued, lang)):
        return None
    if link.sessions_closed_at is not None and issued <= link.sessions_closed_at.timestamp():
        return None  # issued before "Close" on some device: a copied cookie ends there too
    return PatientSession(link, lang) if is_live(link, moment) else None


def session_of_request(session: Session, secret: str, value: str | None):
    """read_session_cookie for a patient page's request, its read ended at once: on SQLite
    every transaction holds the write lock (docs/security.md DB-2), and the page may render
    for a while."""
    with unit_of_work(session):
        return read_session_cookie(session, secret, value)


def close_sessions(session: Session, secret: str, value: str | None, *, now=None) -> bool:
    """ "Close": end every patient session of the cookie's link issued until now, so
    that a cookie copied before "Close" stops working too. Commits.
    True when a live session was closed."""
    moment = now or now_utc()
    with unit_of_work(session):
        found = read_session_cookie(session, secret, value, now=moment)
        if found is None:
            session.rollback()
            return False
        found.link.sessions_closed_at = moment
        audit.record(
            session,
            user=PATIENT,
            action="patient_link.close",
            object_type="patient_link",
            object_id=found.link.id,
        )
    return True


def clinic_timezone(session: Session, link: PatientLink) -> str | None:
    """The time zone of the clinic whose case the link opens (the patient's "today")."""
    from dme_service.models import Case, Clinic

    case = session.get(Case, link.case_id)
    clinic = session.get(Clinic, case.clinic_id) if case is not None else None
    return clinic.timezone if clinic is not None else None
