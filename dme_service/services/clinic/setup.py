"""Creating a clinic and adding its users: what `dme-service clinic create` and `user add`,
the admin's "Invite" form and the demo seeder all go through.

`build_clinic` and `build_user` check and add rows in the caller's transaction (the demo seeds
its users with passwords that way); `create_clinic` and `add_user` also issue a one-time
set-password link, commit, then mail the invitation (services/mail). Every problem is reported
at once, each naming its field (checks.Problem).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Clinic, User
from dme_service.services.clinic import password_links
from dme_service.services.clinic.checks import (
    ClinicDetails,
    Problem,
    UserDetails,
    clinic_problems,
    user_problems,
)


class SetupInvalid(Exception):
    """The details cannot be stored; `problems` names each field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Invitation:
    """A user who can now set a password: the link (shown once) and where the mail went."""

    user_id: int
    email: str
    url: str
    mailed: str | None  # "sent to ..." or "written to ...", None when nothing was sent


def email_taken(session: Session, email: str, *, except_id: int | None = None) -> bool:
    query = select(func.count(User.id)).where(User.email == email.strip().lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return bool(session.scalar(query))


def user_details_problems(
    session: Session, details: UserDetails, *, except_id: int | None = None
) -> list[Problem]:
    problems = user_problems(details)
    if not any(p.field == "email" for p in problems) and email_taken(
        session, details.email, except_id=except_id
    ):
        problems.append(
            Problem("email", f"{details.email.strip().lower()} already has an account.")
        )
    return problems


def build_clinic(session: Session, details: ClinicDetails) -> Clinic:
    """Check and add the clinic (the caller commits); SetupInvalid lists every problem."""
    problems = clinic_problems(details)
    if problems:
        raise SetupInvalid(problems)
    clinic = Clinic(
        name=details.name.strip(),
        timezone=details.timezone,
        phone=details.phone or None,
        fax=details.fax or None,
        address=details.address or None,
        legal_name=" ".join((details.legal_name or "").split()) or None,
        org_npi=details.org_npi or None,
        tax_id="".join(ch for ch in details.tax_id or "" if ch.isdigit()) or None,
        ptan=details.ptan or None,
        patient_link_days=details.patient_link_days,
        default_lang=details.default_lang,
    )
    session.add(clinic)
    session.flush()
    audit.record(
        session, user=None, action="clinic.create", object_type="clinic", object_id=clinic.id
    )
    return clinic


def build_user(
    session: Session,
    clinic: Clinic,
    details: UserDetails,
    *,
    by: User | None = None,
    password_hash: str = "",
) -> User:
    """Check and add a user of `clinic` (the caller commits). Without `password_hash` the
    user cannot sign in until they use a set-password link."""
    problems = user_details_problems(session, details)
    if problems:
        raise SetupInvalid(problems)
    user = User(
        clinic_id=clinic.id,
        email=details.email,
        name=details.name.strip(),
        role=details.role,
        credential=details.credential or None,
        npi=details.npi or None,
        outside=details.outside,
        password_hash=password_hash,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(session, user=by, action="user.create", object_type="user", object_id=user.id)
    return user


def create_clinic(
    session: Session, clinic: ClinicDetails, admin: UserDetails, *, base_url: str, config=None
) -> Invitation:
    """The clinic, its first admin and their set-password link; commits, then mails it."""
    problems = clinic_problems(clinic)
    problems += [
        Problem(f"admin_{p.field}", p.message) for p in user_details_problems(session, admin)
    ]
    if problems:
        raise SetupInvalid(problems)
    try:
        row = build_clinic(session, clinic)
        user = build_user(session, row, admin)
        link = password_links.issue(session, user, base_url)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return _mail_invitation(user, row, link, config)


def add_user(
    session: Session,
    clinic_id: int,
    details: UserDetails,
    *,
    base_url: str,
    by: User | None = None,
    config=None,
) -> Invitation:
    """A new user of the clinic and their set-password link; commits, then mails it."""
    try:
        clinic = session.get(Clinic, clinic_id)
        if clinic is None:
            raise SetupInvalid([Problem("clinic", f"There is no clinic {clinic_id}.")])
        user = build_user(session, clinic, details, by=by)
        link = password_links.issue(session, user, base_url, by=by)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return _mail_invitation(user, clinic, link, config)


def new_link(
    session: Session, user: User, *, base_url: str, by: User | None = None, config=None
) -> Invitation:
    """A fresh set-password link for an existing user (older ones end); commits, mails it."""
    try:
        link = password_links.issue(session, user, base_url, by=by)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return _mail_invitation(user, user.clinic, link, config, first=False)


def _mail_invitation(user: User, clinic: Clinic, link, config, *, first: bool = True):
    from dme_service.services.mail import messages, outbox

    message = messages.set_password(
        to=user.email,
        name=user.name,
        clinic=clinic.name,
        url=link.url,
        expires_at=link.expires_at,
        zone=clinic.timezone,
        first=first,
    )
    mailed = outbox.send(message, config) if config is not None else None
    return Invitation(user.id, user.email, link.url, mailed)


def list_clinics(session: Session) -> list[tuple[Clinic, int]]:
    """Every clinic with how many active users it has, oldest first."""
    users = (
        select(func.count(User.id))
        .where(User.clinic_id == Clinic.id, User.active.is_(True))
        .scalar_subquery()
    )
    rows = session.execute(select(Clinic, users).order_by(Clinic.id)).all()
    return [(clinic, count) for clinic, count in rows]
