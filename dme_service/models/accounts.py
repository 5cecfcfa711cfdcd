"""Clinics, users and what authenticates them: sessions, login attempts, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dme_service.case.model import AUTHOR_ONLY_CREDENTIALS, SIGNING_CREDENTIALS
from dme_service.models.base import Base, UTCDateTime, created_at_column, fk, utcnow

ROLES = ("clinician", "practitioner", "billing", "admin")
DEFAULT_TIMEZONE = "America/Chicago"  # a clinic made before time zones were set (migration)
# Who may sign a DME order is the contract's (case.model, 42 CFR 410.38(c)(2)); an account
# may also hold an author-only credential.
CREDENTIALS = SIGNING_CREDENTIALS + AUTHOR_ONLY_CREDENTIALS


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    # The clinic's street address as typed: the letterhead prints it, and the claims' billing
    # provider (837P loop 2010AA) carries its parts (claims.postal); billing edits it too.
    address: Mapped[str | None] = mapped_column(Text)
    # The name payers have the supplier enrolled under (837P loop 2010AA NM103, the packet's
    # supplier line), when it differs from the name the clinic goes by (`name`, the
    # letterhead's): an LLC's legal name beside its trade name. Empty: claims carry `name`.
    legal_name: Mapped[str | None] = mapped_column(String(60))
    # An IANA zone name: every time a person reads (pages, PDFs, the order date) is in it.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # What prints on letters and claims: the organization's NPI (type 2), its tax id (EIN)
    # and its Medicare supplier number (PTAN).
    org_npi: Mapped[str | None] = mapped_column(String(10))
    tax_id: Mapped[str | None] = mapped_column(String(20))
    ptan: Mapped[str | None] = mapped_column(String(20))
    patient_link_days: Mapped[int] = mapped_column(Integer, default=90)
    default_lang: Mapped[str] = mapped_column(String(8), default="en")

    users: Mapped[list[User]] = relationship(back_populates="clinic")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    credential: Mapped[str | None] = mapped_column(String(8))
    npi: Mapped[str | None] = mapped_column(String(10))
    # "" until the user sets a password through a set-password link (nothing verifies against it).
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A practitioner who is not on the clinic's staff (an outside physician, PA or NP): sees
    # only the orders addressed to them (dme_service/web/security/access.py OUTSIDE_PRACTITIONER).
    outside: Mapped[bool] = mapped_column(Boolean, default=False)
    # The optional mails (reminders, red flags, declines) are off for this user.
    mail_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the last "orders await your signature" reminder went out (at most one a day).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # AUTH-6 admin TOTP (services/accounts/totp.py): the base32 secret, and the time-step counter
    # of the last accepted code (a code whose counter is not greater is refused: each works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    clinic: Mapped[Clinic] = relationship(back_populates="users")

    # Flask-Login's user protocol (D: dme_service.web.security.sessions loads users through it).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def may_sign(self) -> bool:
        """Only a signing credential with an NPI may sign an order (42 CFR 410.38(c)(2))."""
        return self.credential in SIGNING_CREDENTIALS and bool(self.npi)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


@event.listens_for(User.email, "set", retval=True)
def _lower_case_email(_target, value, _old, _initiator):
    """Emails are stored lower-case so lookups and the unique index agree."""
    return value.strip().lower() if isinstance(value, str) else value


class UserSession(Base):
    """A server-side session; `id` is the SHA-256 hex of the cookie's random token."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    fresh_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One login attempt, keyed by IP or by the SHA-256 of the email, for throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class ApiToken(Base):
    """A bearer token for /api/; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordLink(Base):
    """A one-time set-password link (invitation or reset); only its SHA-256 is stored.

    Single use (`used_at`), expiring (`expires_at`, 72 hours after it is made).
    """

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
