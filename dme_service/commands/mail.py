"""`dme-service mail reminders`: the daily "N orders await your signature" run (from cron).

Each practitioner with orders waiting gets at most one such message a day; those who turned
the optional mails off get none. `mail test --to EMAIL` sends one test message to check the
DME_SMTP_URL set-up.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("reminders", help="mail each practitioner how many orders wait")
    check = actions.add_parser("test", help="send one test message")
    check.add_argument("--to", required=True, metavar="EMAIL")


def run(args: argparse.Namespace) -> int:
    from dme_service.commands.setup_common import in_app

    return in_app(_reminders if args.action == "reminders" else _test, args)


def _reminders(session, app, _args) -> int:
    from dme_service.services.mail import notices, outbox

    settings = outbox.settings_from(app.config, app.instance_path)
    sent = notices.remind_all(session, base_url=app.config["BASE_URL"], settings=settings)
    print(f"reminders sent: {sent}")
    return 0


def _test(_session, app, args) -> int:
    from email.message import EmailMessage

    from dme_service.services.clinic.checks import email_problem
    from dme_service.services.mail import outbox

    if problem := email_problem(args.to):
        print(f"--to: {problem}", file=sys.stderr)
        return 2
    message = EmailMessage()
    message["To"] = args.to
    message["Subject"] = "DME Service: test message"
    message["X-DME-Kind"] = "test"
    message.set_content("Mail from DME Service works.")
    try:
        where = outbox.send(message, outbox.settings_from(app.config, app.instance_path))
    except outbox.MailFailed as failed:
        print(f"dme-service mail: {failed}", file=sys.stderr)
        return 1
    print(f"test message {where}")
    return 0
