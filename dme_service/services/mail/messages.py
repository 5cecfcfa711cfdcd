"""The messages the service sends, as `email.message.EmailMessage`.

No patient data in any mail (security: a mailbox is not a safe place for PHI): each function
takes only a person's own name, the clinic's name, a link and a count, so a patient's name or
a case's facts cannot reach a message by mistake. `X-DME-Kind` names the kind for tests and logs.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from dme_service.services.clinic import clinic_time

# a user can turn these off
OPTIONAL_KINDS = ("orders_waiting", "red_flag", "declined", "order_amended", "unit_carried")
FOOTER = (
    "\n\n-- \nThis message was sent by DME Service for {clinic}. It never contains patient "
    "details: sign in to see them."
)
OPT_OUT = "\nYou can turn these messages off on your account page: {account_url}"


def _message(kind: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="dme-service.invalid")
    message["X-DME-Kind"] = kind
    message.set_content(body)
    return message


def set_password(
    *,
    to: str,
    name: str,
    clinic: str,
    url: str,
    expires_at: datetime,
    zone: str,
    first: bool = True,
) -> EmailMessage:
    """The invitation (first) or a new set-password link."""
    until = clinic_time.human_datetime(expires_at, zone)
    if first:
        subject = f"Your account at {clinic}"
        opening = f"Hello {name},\n\n{clinic} made you an account on DME Service."
    else:
        subject = f"Set a new password for {clinic}"
        opening = f"Hello {name},\n\nHere is a link to set a new password on DME Service."
    body = (
        f"{opening} Open this link to choose your password:\n\n{url}\n\n"
        f"The link works once, until {until}. If it has expired, ask your clinic's "
        "administrator for a new one. If you did not expect this message, ignore it."
        + FOOTER.format(clinic=clinic)
    )
    return _message("set_password" if not first else "invitation", to, subject, body)


def orders_waiting(
    *, to: str, name: str, clinic: str, count: int, url: str, account_url: str
) -> EmailMessage:
    """ "N orders await your signature" to a practitioner (a count and a link only)."""
    orders = "1 order awaits" if count == 1 else f"{count} orders await"
    body = (
        f"Hello {name},\n\n{orders} your signature at {clinic}. Sign in to review and sign:\n\n"
        f"{url}" + FOOTER.format(clinic=clinic) + OPT_OUT.format(account_url=account_url)
    )
    return _message("orders_waiting", to, f"{orders} your signature", body)


def red_flag(*, to: str, name: str, clinic: str, url: str, account_url: str) -> EmailMessage:
    """ "A patient logged a red flag" to the clinician who owns the case."""
    body = (
        f"Hello {name},\n\nA patient of yours logged a red flag in their home traction log. "
        f"Sign in to see it and mark it reviewed:\n\n{url}"
        + FOOTER.format(clinic=clinic)
        + OPT_OUT.format(account_url=account_url)
    )
    return _message("red_flag", to, "A patient logged a red flag", body)


def declined(
    *,
    to: str,
    name: str,
    clinic: str,
    practitioner: str,
    url: str,
    account_url: str,
    changes: bool = False,
) -> EmailMessage:
    """ "Dr X declined an order" (or "asked for changes to an order") to the clinician who
    owns the case."""
    did = "asked for changes to" if changes else "declined"
    read = "what to change" if changes else "why"
    body = (
        f"Hello {name},\n\n{practitioner} {did} an order you sent for signature. Sign in "
        f"to read {read}:\n\n{url}"
        + FOOTER.format(clinic=clinic)
        + OPT_OUT.format(account_url=account_url)
    )
    return _message("declined", to, f"{practitioner} {did} an order", body)


def order_amended(
    *, to: str, name: str, clinic: str, amended_by: str, url: str, account_url: str
) -> EmailMessage:
    """ "An order you signed was amended" to the practitioner who signed it: the order comes
    back for a new signature (the reason and what changed stay in the application)."""
    body = (
        f"Hello {name},\n\n{amended_by} amended an order you signed, after its claim went to "
        "the payer. It needs your signature again. Sign in to read why and what changed:"
        f"\n\n{url}" + FOOTER.format(clinic=clinic) + OPT_OUT.format(account_url=account_url)
    )
    return _message("order_amended", to, "An order you signed was amended", body)


def unit_carried(*, to: str, name: str, clinic: str, url: str, account_url: str) -> EmailMessage:
    """ "A prior unit was added to an order you signed" to the practitioner who signed it: a
    unit the clinic delivered to the same patient is now a prior device of the case."""
    body = (
        f"Hello {name},\n\nA traction unit the clinic delivered earlier to the same patient "
        "was added as a prior device to an order you signed: the payer may see it as a "
        f"same-or-similar unit. Sign in to see it:\n\n{url}"
        + FOOTER.format(clinic=clinic)
        + OPT_OUT.format(account_url=account_url)
    )
    return _message("unit_carried", to, "A prior unit was added to an order you signed", body)


def email_changed(*, to: str, name: str, clinic: str, changed_at: datetime, zone: str):
    """To the old address: an administrator changed the account's e-mail (not optional: it is
    how a person learns that someone else now receives their set-password links)."""
    when = clinic_time.human_datetime(changed_at, zone)
    body = (
        f"Hello {name},\n\nAn administrator of {clinic} changed the e-mail address of your "
        f"DME Service account on {when}. Messages and set-password links now go to the new "
        "address, and you sign in with it. If you did not expect this, call your clinic's "
        "administrator." + FOOTER.format(clinic=clinic)
    )
    return _message("email_changed", to, f"Your e-mail address at {clinic} was changed", body)
