"""Where a service's notice mail goes from a request: the site's address (for the link in the
message) and the mail settings (SMTP, or instance/outbox/ without it)."""

from __future__ import annotations

from flask import current_app

from dme_service.services.mail import outbox


def notice_mail() -> outbox.Mail:
    """The site's address and the mail settings of the running app."""
    return outbox.Mail(
        current_app.config["BASE_URL"],
        outbox.settings_from(current_app.config, current_app.instance_path),
    )
