"""`dme-service token create|revoke|list`: API bearer tokens for scripts calling /api/.

`create` prints the token once; only its SHA-256 is stored, so a lost token is revoked and
replaced, never recovered (docs/security.md OUT-3).
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token for a user and print it once")
    create.add_argument("--user", required=True, metavar="EMAIL", help="the token's user")
    create.add_argument("--name", default="api", help="what the token is for (shown in list)")
    revoke = actions.add_parser("revoke", help="revoke one token, or every token of a user")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, help="the token id (see `token list`)")
    which.add_argument("--user", metavar="EMAIL", help="revoke every live token of this user")
    listing = actions.add_parser("list", help="list tokens (ids, names, dates; never the token)")
    listing.add_argument("--user", metavar="EMAIL", help="only this user's tokens")


def _find_user(session, email: str):
    from sqlalchemy import select

    from dme_service.models import User

    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _create(session, args) -> int:
    from dme_service.services.accounts import api_tokens

    user = _find_user(session, args.user)
    if user is None or not user.active:
        print(f"dme-service token: no active user with e-mail {args.user!r}", file=sys.stderr)
        return 1
    row, raw = api_tokens.create(session, user, args.name)
    session.commit()
    print(raw)
    print(
        f"token {row.id} ({args.name!r}) for {user.email}, role {user.role}: shown only now; "
        "send it as 'Authorization: Bearer <token>'",
        file=sys.stderr,
    )
    return 0


def _revoke(session, args) -> int:
    from dme_service.services.accounts import api_tokens

    user = None
    if args.user:
        user = _find_user(session, args.user)
        if user is None:
            print(f"dme-service token: no user with e-mail {args.user!r}", file=sys.stderr)
            return 1
    count = api_tokens.revoke(session, token_id=args.id, user=user)
    session.commit()
    if count == 0:
        print("dme-service token: no live token matched; nothing revoked", file=sys.stderr)
        return 1
    print(f"revoked {count} token{'s' if count != 1 else ''}")
    return 0


def _list(session, args) -> int:
    from sqlalchemy import select

    from dme_service.models import ApiToken, User

    query = select(ApiToken, User.email).join(User).order_by(ApiToken.id)
    if args.user:
        query = query.where(User.email == args.user.strip().lower())
    for token, email in session.execute(query):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        print(f"{token.id}\t{email}\t{token.name}\t{state}\tlast used {used}")
    return 0


def run(args: argparse.Namespace) -> int:
    from dme_service import create_app
    from dme_service.db import get_engine, get_session

    app = create_app()
    actions = {"create": _create, "revoke": _revoke, "list": _list}
    try:
        with app.app_context():
            return actions[args.action](get_session(), args)
    finally:
        get_engine(app).dispose()
