"""The admin's changes to the clinic's users and profile: each checked, audited, committed.

The admin pages (web/admin.py) call these after the step-up (security.md AUTH-6); every change
writes one audit row naming the user or clinic by id only. An admin cannot lock the clinic out
(deactivate themselves, or take away their own admin role).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Clinic, User, UserSession
from dme_service.services.accounts import api_tokens, totp
from dme_service.services.clinic import password_links
from dme_service.services.clinic.checks import ClinicDetails, Problem, UserDetails, clinic_problems
from dme_service.services.clinic.setup import SetupInvalid, user_details_problems


class UserNotFound(Exception):
    """No such user in the admin's clinic (another clinic's users do not exist here: AC-2)."""


class Refused(Exception):
    """A change the rules forbid; `message` says why in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clinic_user(session: Session, admin: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.clinic_id != admin.clinic_id:
        raise UserNotFound(user_id)
    return user


def details_of(user: User) -> UserDetails:
    return UserDetails(
        user.email, user.name, user.role, user.credential, user.npi, bool(user.outside)
    )


def update_user(
    session: Session, admin: User, user_id: int, details: UserDetails, *, mail_settings=None
) -> User:
    """Change e-mail, name, role, credential, NPI and outside. Commits. A new e-mail must be
    well formed and nobody else's; links already sent stop working, and the old address is
    told (mailed when `mail_settings` is given): set-password links go to the new one now."""
    try:
        user = clinic_user(session, admin, user_id)
        old_email = user.email
        # None keeps the address (a form without the field); "" is refused as missing.
        email = old_email if details.email is None else details.email.strip().lower()
        details = replace(details, email=email)
        problems = user_details_problems(session, details, except_id=user.id)
        if user.id == admin.id and details.role != "admin":
            problems.append(Problem("role", "You cannot take away your own admin role."))
        if problems:
            raise SetupInvalid(problems)
        role_changed = user.role != details.role or bool(user.outside) != details.outside
        email_changed = details.email != old_email
        if email_changed:
            user.email = details.email
            # A link mailed to the old address (perhaps a mistyped one) must not set the
            # password of the account that now belongs to the new address.
            password_links.end_links(session, user)
            # Its own audit row, naming neither address (audit rows carry ids only).
            _audit(session, admin, "user.email_change", user.id)
        user.name = details.name.strip()
        user.role = details.role
        user.credential = details.credential or None
        user.npi = details.npi or None
        user.outside = details.outside
        if role_changed:
            # What they may reach changed: they sign in again under the new role.
            _end_sessions(session, user, keep_admin_session=user.id == admin.id)
        _audit(session, admin, "user.update", user.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    if email_changed and mail_settings is not None:
        _tell_old_address(user, old_email, mail_settings)
    return user


def _tell_old_address(user: User, old_email: str, mail_settings) -> None:
    """Mail the notice; a mail that cannot be sent is logged, the change stands."""
    from dme_service.models import utcnow
    from dme_service.services.mail import messages, notices

    message = messages.email_changed(
        to=old_email,
        name=user.name,
        clinic=user.clinic.name,
        changed_at=utcnow(),
        zone=user.clinic.timezone,
    )
    notices.send_quietly(message, mail_settings)


def reactivate(session: Session, admin: User, user_id: int) -> User:
    """A deactivated user may sign in again with their password (or a new link). Commits."""
    try:
        user = clinic_user(session, admin, user_id)
        user.active = True
        _audit(session, admin, "user.reactivate", user.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user


def deactivate(session: Session, admin: User, user_id: int) -> User:
    """Every session and API token of theirs ends now. Commits."""
    try:
        user = clinic_user(session, admin, user_id)
        if user.id == admin.id:
            raise Refused("You cannot deactivate your own account, so nothing was changed.")
        user.active = False
        _end_sessions(session, user)
        api_tokens.revoke(session, user=user)
        _audit(session, admin, "user.deactivate", user.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user


def reset_totp(session: Session, admin: User, user_id: int) -> bool:
    """Forget the user's authenticator (lost device, AUTH-6); their sessions end. Commits."""
    try:
        user = clinic_user(session, admin, user_id)
        had = totp.reset(user)
        _end_sessions(session, user, keep_admin_session=user.id == admin.id)
        _audit(session, admin, "user.totp_reset", user.id, "ok" if had else "none")
        session.commit()
    except Exception:
        session.rollback()
        raise
    return had


def set_mail_opt_out(session: Session, user: User, opt_out: bool) -> None:
    """The user's own choice about the optional mails. Commits."""
    try:
        user.mail_opt_out = opt_out
        _audit(session, user, "user.mail_preference", user.id, "off" if opt_out else "on")
        session.commit()
    except Exception:
        session.rollback()
        raise


def update_clinic(session: Session, admin: User, details: ClinicDetails) -> Clinic:
    """The clinic's profile: everything that prints on letters and claims. Commits."""
    try:
        problems = clinic_problems(details)
        if problems:
            raise SetupInvalid(problems)
        clinic = session.get(Clinic, admin.clinic_id)
        for name in ("name", "phone", "fax", "address", "org_npi", "tax_id", "ptan"):
            value = getattr(details, name)
            setattr(clinic, name, value.strip() if value else None)
        # Kept as claims send it (digits); the documents print it 12-3456789.
        clinic.tax_id = "".join(ch for ch in details.tax_id or "" if ch.isdigit()) or None
        clinic.name = details.name.strip()
        clinic.legal_name = _legal_name(details.legal_name, clinic.name)
        clinic.timezone = details.timezone
        clinic.patient_link_days = details.patient_link_days
        clinic.default_lang = details.default_lang
        audit.record(
            session, user=admin, action="clinic.update", object_type="clinic", object_id=clinic.id
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return clinic


def _legal_name(typed: str | None, name: str) -> str | None:
    """A legal name typed as the clinic's name is none of its own: claims carry the name."""
    legal = " ".join((typed or "").split())
    return legal if legal and legal != name else None


def _end_sessions(session: Session, user: User, *, keep_admin_session: bool = False) -> None:
    if keep_admin_session:
        return  # the admin changing their own account keeps the session they are using
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def _audit(session, admin, action: str, user_id: int, outcome: str = "ok") -> None:
    audit.record(
        session, user=admin, action=action, object_type="user", object_id=user_id, outcome=outcome
    )
