"""`dme-service user add`: add a user to a clinic and print their one-time set-password link.

`user add --clinic CLINIC_ID --email EMAIL --name NAME --role clinician|practitioner|billing|admin
[--credential MD] [--npi NPI] [--outside]`. A practitioner needs a signing credential (MD, DO,
DPM, PA, NP, CNS) and a valid NPI; `--outside` marks one who is not on the clinic's staff (they
see only the orders addressed to them). Bad input exits 2 with one `--option: message` line per
problem; the link is mailed too when mail is configured.
"""

from __future__ import annotations

import argparse

OPTIONS = {
    "clinic": "--clinic",
    "email": "--email",
    "name": "--name",
    "role": "--role",
    "credential": "--credential",
    "npi": "--npi",
    "outside": "--outside",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user and print their set-password link")
    add.add_argument("--clinic", required=True, metavar="CLINIC_ID", help="see: clinic list")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True, help="as letters print it, e.g. Daniel Okafor")
    add.add_argument(
        "--role", required=True, metavar="ROLE", help="clinician, practitioner, billing or admin"
    )
    add.add_argument("--credential", help="e.g. PT, MD, DO, PA, NP")
    add.add_argument("--npi", help="10 digits; required for a practitioner")
    add.add_argument(
        "--outside",
        action="store_true",
        help="a practitioner not on staff: sees only the orders addressed to them",
    )


def run(args: argparse.Namespace) -> int:
    from dme_service.commands.setup_common import in_app

    return in_app(_add, args)


def _add(session, app, args) -> int:
    from dme_service.commands.setup_common import print_invitation, print_problems
    from dme_service.services.clinic import setup
    from dme_service.services.clinic.checks import Problem, UserDetails
    from dme_service.services.mail import outbox

    if not args.clinic.strip().isdigit():
        return print_problems(
            [Problem("clinic", "Give the clinic's number (see: clinic list).")], OPTIONS
        )
    details = UserDetails(
        email=args.email,
        name=args.name,
        role=args.role.strip().lower(),
        credential=(args.credential or "").strip().upper() or None,
        npi=(args.npi or "").strip() or None,
        outside=args.outside,
    )
    try:
        invitation = setup.add_user(
            session,
            int(args.clinic),
            details,
            base_url=app.config["BASE_URL"],
            config=outbox.settings_from(app.config, app.instance_path),
        )
    except setup.SetupInvalid as invalid:
        return print_problems(invalid.problems, OPTIONS)
    print(f"User {invitation.user_id} added: {invitation.email} ({details.role})")
    print_invitation(invitation, details.name)
    return 0
