"""`dme-service db upgrade|current|revision|app-role`: the database schema through Alembic.

`upgrade` creates the schema on an empty database (SQLite file or PostgreSQL) or brings an
existing one to the newest migration; it runs on the app's own engine so SQLite gets its PRAGMAs.
`app-role` (PostgreSQL only, commands/app_role.py) sets up the restricted role the app runs as.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dme_service.commands import app_role  # standard library only at import time

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="create or upgrade the schema (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    actions.add_parser("current", help="print the revision the database is at")
    revision = actions.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True, help="what the migration changes")
    app_role.add_arguments(
        actions.add_parser(
            "app-role",
            help="PostgreSQL: create/grant the restricted role the app runs as (not the owner)",
            description=(
                "Run as the schema owner. Gives ROLE LOGIN, CONNECT, schema USAGE, read/write on "
                "the application tables and only SELECT/INSERT on the audit table. Idempotent. "
                f"The password comes from {app_role.CREDENTIAL_VARIABLE} if set, or "
                "`\\password ROLE` in psql."
            ),
        )
    )


def alembic_config():
    """Alembic's Config for migrations/ (no logging setup: our JSON logs stay in charge)."""
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine, revision: str = "head") -> None:
    """Upgrade the database behind engine to revision."""
    _with_connection(engine, lambda config: _command().upgrade(config, revision))


def current_revision(engine) -> str | None:
    """The revision the database is at, or None when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration in migrations/versions."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _command():
    from alembic import command

    return command


def _with_connection(engine, action) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config)


def run(args: argparse.Namespace) -> int:
    if args.action == "app-role":
        return app_role.run(args)
    import logging

    from dme_service.config import redact_url
    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the summary line below says it
    where = redact_url(engine.url.render_as_string(hide_password=True))
    if args.action == "upgrade":
        upgrade(engine, args.revision)
        print(f"database at {current_revision(engine)} (head {head_revision()}): {where}")
        if args.revision == "head":
            _rekey_signatures(engine)
    elif args.action == "current":
        print(current_revision(engine) or "empty (no schema yet; run `dme-service db upgrade`)")
    else:
        _with_connection(
            engine,
            lambda config: _command().revision(config, message=args.message, autogenerate=True),
        )
    engine.dispose()
    return 0


def _rekey_signatures(engine) -> None:
    """Signatures from before the integrity keys get their HMAC now, while they still match
    (store.signed_content.rekey_legacy_signatures)."""
    from sqlalchemy.orm import Session

    from dme_service.store.signed_content import rekey_legacy_signatures

    with Session(engine) as session:
        rekeyed = rekey_legacy_signatures(session)
    if rekeyed:
        print(f"{rekeyed} signatures from before the integrity keys were keyed")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(argparse.Namespace(action="current")))
