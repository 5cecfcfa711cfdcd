"""Who is told what by mail, and when. Each message holds a link and a count only.

- "N orders await your signature" to a practitioner: at most one a day each from the daily
  run (`dme-service mail reminders`, e.g. from cron), and whenever a clinician asks for one.
- "A patient logged a red flag" and "Dr X declined an order" to the clinician who owns the case.
- "An order you signed was amended" and "A prior unit was added to an order you signed" to the
  practitioner who signed it.
These are optional: a user who turned them off (User.mail_opt_out) gets none. A mail that
cannot be sent is logged and never fails the request that caused it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Case, User, utcnow
from dme_service.services.mail import messages, outbox

log = logging.getLogger(__name__)
REMINDER_GAP = timedelta(hours=23)  # "at most one a day", with an hour of slack for cron


def send_quietly(message, settings) -> str | None:
    """Send; a failure is logged and None returned (it never fails the caller's change)."""
    return _send(message, settings)


def _send(message, settings) -> str | None:
    try:
        return outbox.send(message, settings)
    except outbox.MailFailed as failed:
        log.warning("mail not sent: %s", failed)
        return None


def _account_url(base_url: str) -> str:
    return f"{base_url}/account/mail"


def waiting_count(session: Session, practitioner: User) -> int:
    from dme_service.services import signing

    return len(signing.awaiting_signature(session, practitioner, limit=1000))


def remind_practitioner(
    session: Session,
    practitioner: User,
    *,
    base_url: str,
    settings: outbox.MailSettings,
    by: User | None = None,
    now=None,
) -> str | None:
    """Tell the practitioner how many orders wait; None when nothing was sent (none waiting,
    opted out, inactive, or reminded within the day by the daily run). `by` is the
    clinician who asked (on demand: the daily limit does not apply). Commits."""
    now = now or utcnow()
    if not practitioner.active or practitioner.mail_opt_out:
        return None
    if by is None and practitioner.reminded_at and now - practitioner.reminded_at < REMINDER_GAP:
        return None
    count = waiting_count(session, practitioner)
    if count == 0:
        session.commit()
        return None
    message = messages.orders_waiting(
        to=practitioner.email,
        name=practitioner.name,
        clinic=practitioner.clinic.name,
        count=count,
        url=f"{base_url}/",
        account_url=_account_url(base_url),
    )
    practitioner.reminded_at = now
    audit.record(
        session,
        user=by,
        action="mail.orders_waiting",
        object_type="user",
        object_id=practitioner.id,
    )
    session.commit()
    return _send(message, settings)


def remind_all(
    session: Session,
    *,
    base_url: str,
    settings: outbox.MailSettings,
    now=None,
    clinic_id: int | None = None,
) -> int:
    """The daily run: every active practitioner with orders waiting (of one clinic when
    `clinic_id` is given); returns how many were mailed. Running it again the same day mails
    nobody twice: each practitioner is reminded at most once in REMINDER_GAP."""
    query = select(User).where(User.role == "practitioner", User.active.is_(True))
    if clinic_id is not None:
        query = query.where(User.clinic_id == clinic_id)
    sent = 0
    for practitioner in list(session.scalars(query.order_by(User.id))):
        if remind_practitioner(
            session, practitioner, base_url=base_url, settings=settings, now=now
        ):
            sent += 1
    return sent


def red_flag_logged(
    session: Session, case_id: int, *, base_url: str, settings: outbox.MailSettings
) -> str | None:
    """Tell the clinician who owns the case that its patient logged a red flag."""
    case = session.get(Case, case_id)
    owner = case.author if case is not None else None
    if owner is None or not owner.active or owner.mail_opt_out:
        return None
    message = messages.red_flag(
        to=owner.email,
        name=owner.name,
        clinic=owner.clinic.name,
        url=f"{base_url}/cases/{case.id}#patient-home",
        account_url=_account_url(base_url),
    )
    return _send(message, settings)


def order_declined(
    session: Session,
    case_id: int,
    practitioner: User,
    *,
    base_url: str,
    settings: outbox.MailSettings,
    kind: str = "declined",
) -> str | None:
    """Tell the clinician who owns the case that the practitioner declined its order or asked
    for changes (`kind` "changes"); the note itself stays in the application."""
    case = session.get(Case, case_id)
    owner = case.author if case is not None else None
    if owner is None or not owner.active or owner.mail_opt_out:
        return None
    who = ", ".join(part for part in (practitioner.name, practitioner.credential) if part)
    message = messages.declined(
        to=owner.email,
        name=owner.name,
        clinic=owner.clinic.name,
        practitioner=who,
        url=f"{base_url}/cases/{case.id}",
        account_url=_account_url(base_url),
        changes=kind == "changes",
    )
    return _send(message, settings)


def _reachable(user: User | None) -> bool:
    return user is not None and user.active and not user.mail_opt_out and bool(user.email)


def order_amended(
    session: Session, case_id: int, by: User, *, base_url: str, settings: outbox.MailSettings
) -> str | None:
    """Tell the case's treating practitioner that `by` amended an order they signed: it waits
    for their signature again (the sign page shows why and what changed)."""
    case = session.get(Case, case_id)
    practitioner = case.treating_practitioner if case is not None else None
    if not _reachable(practitioner):
        return None
    who = ", ".join(part for part in (by.name, by.credential) if part)
    message = messages.order_amended(
        to=practitioner.email,
        name=practitioner.name,
        clinic=practitioner.clinic.name,
        amended_by=who,
        url=f"{base_url}/signing/cases/{case.id}",
        account_url=_account_url(base_url),
    )
    return _send(message, settings)


def unit_carried(
    session: Session,
    case_id: int,
    signer: User,
    *,
    base_url: str,
    settings: outbox.MailSettings,
) -> str | None:
    """Tell the practitioner who signed the case's order that a unit the clinic delivered to
    the same patient became its prior device (services.billing.delivered_units)."""
    case = session.get(Case, case_id)
    if case is None or not _reachable(signer):
        return None
    message = messages.unit_carried(
        to=signer.email,
        name=signer.name,
        clinic=signer.clinic.name,
        url=f"{base_url}/signing/cases/{case.id}",
        account_url=_account_url(base_url),
    )
    return _send(message, settings)
