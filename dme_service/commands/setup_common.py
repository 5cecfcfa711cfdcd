"""What `dme-service clinic` and `dme-service user` share: the app and database around a
command, problems printed as `--option: message` (exit 2), and the one-time link."""

from __future__ import annotations

import os
import sys

from dme_service.config import DEV_BASE_URL


def in_app(action, args) -> int:
    """Run action(session, app, args) inside the app; a database without schema exits 1."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from dme_service import create_app
    from dme_service.config import ConfigError
    from dme_service.db import get_engine, get_session

    try:
        app = create_app()
    except ConfigError as error:
        print(f"dme-service: {error}", file=sys.stderr)
        return 2
    try:
        with app.app_context():
            try:
                return action(get_session(), app, args)
            except (OperationalError, ProgrammingError):
                print(
                    "dme-service: the database has no schema yet; run `dme-service db upgrade` "
                    "first",
                    file=sys.stderr,
                )
                return 1
    finally:
        get_engine(app).dispose()


def print_problems(problems, options: dict[str, str]) -> int:
    """One `--option: message` line per problem on stderr; the exit status 2."""
    for problem in problems:
        option = options.get(problem.field, f"--{problem.field.replace('_', '-')}")
        print(f"{option}: {problem.message}", file=sys.stderr)
    return 2


def print_invitation(invitation, who: str) -> None:
    """The one-time set-password link, for `who` ("the administrator", or the person's name)."""
    print(f"One-time link for {who} to set a password (works once, for 72 hours):")
    print(f"  {invitation.url}")
    if invitation.mailed:
        print(f"The link was also mailed: {invitation.mailed}")
    if not os.environ.get("DME_BASE_URL", "").strip():
        # A shell that did not load the service's environment file (README "Set up your
        # clinic") builds the link on the development address, which nobody else can open.
        print(
            f"dme-service: DME_BASE_URL is not set: the link starts with {DEV_BASE_URL}, the "
            "development address. Run dme-service with the service's environment (for "
            "example `set -a; . /etc/dme_service.env; set +a`) and send a new link.",
            file=sys.stderr,
        )
