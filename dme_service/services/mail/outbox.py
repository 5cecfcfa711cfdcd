"""Sending one message: SMTP when DME_SMTP_URL is set, else a file in instance/outbox/.

Standard library only (smtplib, email). `smtp://user:password@host:587` speaks STARTTLS and
refuses to send the password or the message in the clear, except to a relay on this machine
(a loopback address: a local Postfix, or the tests' server). `smtps://host:465` is TLS from the
first byte. Without DME_SMTP_URL (development, `make run`) each message is written to
instance/outbox/ as an .eml file and logged as "mail written to ...".
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20


class MailFailed(RuntimeError):
    """The message could not be handed over; the message says why (never the password)."""


@dataclass(frozen=True)
class MailSettings:
    smtp_url: str | None
    mail_from: str
    outbox_dir: Path


@dataclass(frozen=True)
class Mail:
    """Where a service's notice goes: the site's address (for the link) and the settings."""

    base_url: str
    settings: MailSettings


def settings_from(config, instance_path: str) -> MailSettings:
    """From a Flask config (or any mapping with SMTP_URL and MAIL_FROM)."""
    return MailSettings(config.get("SMTP_URL"), config["MAIL_FROM"], Path(instance_path) / "outbox")


def settings_from_env() -> MailSettings:
    """The same settings for commands that run without the web app."""
    from dme_service.config import instance_path_from_env, mail_from_from_env, smtp_url_from_env

    return MailSettings(
        smtp_url_from_env(), mail_from_from_env(), Path(instance_path_from_env()) / "outbox"
    )


def send(message: EmailMessage, settings: MailSettings) -> str:
    """Send (or write) the message; returns where it went, for the log and the CLI."""
    if message["From"] is None:
        message["From"] = settings.mail_from
    if settings.smtp_url:
        _send_smtp(message, settings.smtp_url)
        where = f"sent to {message['To']}"
        log.info("mail sent", extra={"mail_kind": message.get("X-DME-Kind", "")})
        return where
    path = write(message, settings.outbox_dir)
    log.info("mail written to %s", path)
    return f"written to {path}"


def write(message: EmailMessage, folder: Path) -> Path:
    """The message as a file only the service's account can read: invitations carry working
    set-password links, so neither the file nor the folder's listing is
    left to the umask."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # a folder made before this rule, or under a loose umask
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(bytes(message))
    return path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _send_smtp(message: EmailMessage, url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(host, parts.port or 587, timeout=TIMEOUT_SECONDS)
        with client:
            if parts.scheme == "smtp":
                _start_tls(client, host, context)
            if user:
                client.login(user, password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The URL (with its password) is never part of the message.
        raise MailFailed(
            f"mail to {message['To']} failed: {type(error).__name__}: {error}"
        ) from None


def _start_tls(client: smtplib.SMTP, host: str, context: ssl.SSLContext) -> None:
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls(context=context)
        client.ehlo()
    elif not is_loopback(host):
        raise MailFailed(
            f"the mail server {host} does not offer STARTTLS; nothing was sent in the clear "
            "(use smtps:// for TLS from the start)"
        )
