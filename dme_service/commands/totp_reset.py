"""`dme-service totp-reset EMAIL`: forget an admin's TOTP secret (lost device, AUTH-6).

Their sessions end too; at the next sign-in (password first) they set up a new authenticator.
Audited as user.totp_reset.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", metavar="EMAIL", help="the user whose authenticator to reset")


def _reset(session, email: str) -> int:
    from sqlalchemy import select

    from dme_service import audit
    from dme_service.models import User
    from dme_service.services.accounts import totp
    from dme_service.services.accounts.users import end_sessions

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        print(f"dme-service totp-reset: no user with e-mail {email!r}", file=sys.stderr)
        return 1
    had = totp.reset(user)
    ended = end_sessions(session, user.id)
    audit.record(
        session,
        user=None,
        action="user.totp_reset",
        object_type="user",
        object_id=user.id,
        outcome="ok" if had else "none",
    )
    session.commit()
    if not had:
        print(f"{user.email} had no authenticator set up; nothing to reset")
        return 0
    print(
        f"authenticator reset for {user.email}; {ended} session(s) ended; "
        "they set up a new one at their next sign-in"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    from dme_service import create_app
    from dme_service.db import get_engine, get_session

    app = create_app()
    try:
        with app.app_context():
            return _reset(get_session(), args.email)
    finally:
        get_engine(app).dispose()
