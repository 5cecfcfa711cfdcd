"""`dme-service clinic create|list`: a clinic's first step on a new server.

`clinic create --name NAME --timezone IANA_ZONE --admin-email EMAIL --admin-name NAME
[--phone --fax --address]` creates the clinic and its first admin, prints a one-time
set-password link (72 hours) and mails it when mail is configured (services/mail/outbox).
`clinic list` shows every clinic with its id (what `user add --clinic` takes). Bad input
exits 2 with one `--option: message` line per problem.
"""

from __future__ import annotations

import argparse
import sys

# checks.Problem.field -> the option that set it
OPTIONS = {
    "name": "--name",
    "timezone": "--timezone",
    "phone": "--phone",
    "fax": "--fax",
    "address": "--address",
    "admin_email": "--admin-email",
    "admin_name": "--admin-name",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a clinic and its first administrator")
    create.add_argument("--name", required=True, help="the clinic's name as letters print it")
    create.add_argument(
        "--timezone", required=True, metavar="IANA_ZONE", help="e.g. America/Chicago"
    )
    create.add_argument("--admin-email", required=True, metavar="EMAIL")
    create.add_argument("--admin-name", required=True, metavar="NAME")
    create.add_argument("--phone", help="printed on letters and patient instructions")
    create.add_argument("--fax")
    create.add_argument("--address", help="one line, or lines separated by commas")
    actions.add_parser("list", help="list clinics with their ids")


def run(args: argparse.Namespace) -> int:
    from dme_service.commands.setup_common import in_app

    return in_app(_create if args.action == "create" else _list, args)


def _create(session, app, args) -> int:
    from dme_service.commands.setup_common import print_invitation, print_problems
    from dme_service.services.clinic import setup
    from dme_service.services.clinic.checks import ClinicDetails, UserDetails

    clinic = ClinicDetails(
        name=args.name,
        timezone=args.timezone.strip(),
        phone=args.phone,
        fax=args.fax,
        address=args.address,
    )
    admin = UserDetails(email=args.admin_email, name=args.admin_name, role="admin")
    try:
        invitation = setup.create_clinic(
            session, clinic, admin, base_url=app.config["BASE_URL"], config=_mail(app)
        )
    except setup.SetupInvalid as invalid:
        return print_problems(invalid.problems, OPTIONS)
    from dme_service.models import User

    user = session.get(User, invitation.user_id)
    print(f"Clinic {user.clinic_id} created: {user.clinic.name} ({user.clinic.timezone})")
    print_invitation(invitation, "the administrator")
    return 0


def _list(session, _app, _args) -> int:
    from dme_service.services.clinic import setup

    rows = setup.list_clinics(session)
    if not rows:
        print("No clinics yet. Create one with: dme-service clinic create --help", file=sys.stderr)
        return 0
    print(f"{'ID':>4}  {'NAME':<40}  {'TIME ZONE':<22}  ACTIVE USERS")
    for clinic, users in rows:
        print(f"{clinic.id:>4}  {clinic.name[:40]:<40}  {clinic.timezone:<22}  {users}")
    return 0


def _mail(app):
    from dme_service.services.mail import outbox

    return outbox.settings_from(app.config, app.instance_path)
