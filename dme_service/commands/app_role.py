"""`dme-service db app-role ROLE [--print]`: the restricted PostgreSQL role the app runs as.

The audit triggers cannot stop the audit table's owner (an owner may disable or drop them), so
on PostgreSQL the app must not run as the role that ran `db upgrade` (docs/security.md LOG-2). Run
as that schema owner, this creates ROLE (LOGIN) if missing and gives it exactly what the app
needs: CONNECT on the database, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the
application tables, only SELECT and INSERT on the audit table, USAGE/SELECT on their sequences,
and default privileges so tables of later migrations get read/write too. It never owns, drops,
alters or truncates anything. Every statement is idempotent and all run in one transaction;
`--print` shows them instead.

The password never goes on a command line: either DME_APP_ROLE_PASSWORD (sent as a SCRAM
verifier computed here, as psql's \\password does) or `\\password ROLE` in psql afterwards.

This module is the command: its arguments, the run in one transaction, the read-back check
and the messages. Reading the database's facts (and refusing) is commands/app_role_target.py;
building the SQL is commands/app_role_sql.py.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from dme_service.commands.app_role_sql import (
    AUDIT_PRIVILEGES,
    SEQUENCE_PRIVILEGES,
    TABLE_PRIVILEGES,
    password_statement,
    script,
    statements,
)
from dme_service.commands.app_role_target import Refused, Target, inspect_target

__all__ = [
    "CREDENTIAL_VARIABLE",
    "Mismatch",
    "Refused",
    "Target",
    "add_arguments",
    "inspect_target",
    "password_statement",
    "role_name",
    "run",
    "script",
    "statements",
    "verify",
]

PREFIX = "dme-service db app-role"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED_ROLE_NAMES = frozenset({"public", "none"})
CREDENTIAL_VARIABLE = "DME_APP_ROLE_PASSWORD"


def role_name(value: str) -> str:
    """argparse type for ROLE: a plain lowercase PostgreSQL name (psql's \\password finds it)."""
    if not ROLE_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a usable role name: use 1-63 lowercase letters, digits and "
            "underscores, starting with a letter or underscore (e.g. dme_app)"
        )
    if value in RESERVED_ROLE_NAMES or value.startswith("pg_"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is reserved by PostgreSQL (public, none and pg_*); choose e.g. dme_app"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "role",
        metavar="ROLE",
        type=role_name,
        help="the login role the app will connect as (created if missing), e.g. dme_app",
    )
    parser.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="print the SQL instead of running it",
    )


class Mismatch(Exception):
    """The privileges read back are not the intended ones; everything was rolled back (exit 1)."""


def run(args: argparse.Namespace) -> int:
    """Refuse a setting that cannot work, grant (or --print) in one transaction, say what next."""
    refusal = _setting_refusal()
    if refusal is not None:
        print(f"{PREFIX}: {refusal}", file=sys.stderr)
        return 2
    password = os.environ.get(CREDENTIAL_VARIABLE)

    from sqlalchemy.exc import DBAPIError

    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    try:
        granted = _grant(engine, args.role, password, print_only=args.print_only)
    except (Refused, Mismatch, DBAPIError) as error:
        return _failure(error)
    finally:
        engine.dispose()
    if granted is not None:
        report, target = granted
        _print_next_steps(args.role, password, report, target)
    return 0


def _setting_refusal() -> str | None:
    """Why this cannot run here (not PostgreSQL, or an empty password variable), or None."""
    from sqlalchemy.engine import make_url

    from dme_service.config import database_url_from_env

    backend = make_url(database_url_from_env()).get_backend_name()
    if backend != "postgresql":
        return (
            f"this is for PostgreSQL only, and the database is {backend} "
            "(SQLite has no roles; point DME_DATABASE_URL at PostgreSQL as the schema owner)"
        )
    password = os.environ.get(CREDENTIAL_VARIABLE)
    if password is not None and not password.strip():
        return f"{CREDENTIAL_VARIABLE} is set but empty"
    return None


def _grant(
    engine, role: str, password: str | None, *, print_only: bool
) -> tuple[str, Target] | None:
    """In one transaction: inspect, then print the SQL (None) or run and verify it (report)."""
    with engine.begin() as connection:
        # --print may be handed to a superuser, so it need not be able to create ROLE.
        target = inspect_target(connection, role, must_create=not print_only)
        if print_only:
            print(script(role, target), end="")
            return None
        for statement in statements(role, target):
            connection.exec_driver_sql(statement)
        if password is not None:
            connection.exec_driver_sql(password_statement(connection, role, password))
        return verify(connection, role, target), target


def _failure(error: Exception) -> int:
    """Say why on stderr; exit 2 for a refusal, 1 for a mismatch or a database error."""
    if isinstance(error, Refused):
        print(f"{PREFIX}: {error}", file=sys.stderr)
        return 2
    if isinstance(error, Mismatch):
        print(f"{PREFIX}: {error}; nothing was changed", file=sys.stderr)
        return 1
    # Only the server's primary message: the statement may hold the password verifier.
    diag = getattr(error.orig, "diag", None)
    message = getattr(diag, "message_primary", None) or type(error.orig).__name__
    print(f"{PREFIX}: the database refused: {message}; nothing was changed", file=sys.stderr)
    return 1


def _print_next_steps(role: str, password: str | None, report: str, target: Target) -> None:
    """The report, then how the password was (or is to be) set and how to point the app at it."""
    print(report)
    if password is None:
        print(
            f"Password not changed. If {role} has none yet, run in psql as a superuser or "
            f"a CREATEROLE role:  \\password {role}\n"
            f"(or export {CREDENTIAL_VARIABLE} and run this again)."
        )
    else:
        print(f"Password set from {CREDENTIAL_VARIABLE} (sent as a SCRAM-SHA-256 verifier).")
    print(
        f"Then point the app at it: DME_DATABASE_URL=postgresql+psycopg://{role}@HOST/"
        f"{target.database}?sslmode=verify-full. Run this again after each `db upgrade`."
    )


def verify(connection, role: str, target: Target) -> str:
    """Read the audit table's privileges back; a mismatch raises Mismatch (rolled back)."""
    from psycopg import sql
    from sqlalchemy import text

    for table in target.append_only:
        audit = sql.Identifier(target.schema, table).as_string()
        rows = connection.execute(
            text(
                "SELECT p, has_table_privilege(:role, :audit, p) FROM unnest(ARRAY["
                "'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) "
                "AS p"
            ),
            {"role": role, "audit": audit},
        ).all()
        held = {privilege for privilege, granted in rows if granted}
        if held != set(AUDIT_PRIVILEGES):
            raise Mismatch(
                f"{role} would hold {sorted(held)} on {audit}, not SELECT and INSERT only"
            )
    can_create = connection.scalar(
        text("SELECT has_schema_privilege(:role, :schema, 'CREATE')"),
        {"role": role, "schema": target.schema},
    )
    lines = [
        f"role {role}: LOGIN, CONNECT on {target.database}, USAGE on schema {target.schema}; "
        f"{', '.join(TABLE_PRIVILEGES)} on {len(target.tables) - len(target.append_only)} "
        f"tables; {' and '.join(AUDIT_PRIVILEGES)} only on {', '.join(target.append_only)}; "
        f"{'/'.join(SEQUENCE_PRIVILEGES)} on {len(target.sequences)} sequences; "
        f"the same on tables {target.owner} creates later."
    ]
    if can_create:
        lines.append(
            f"Warning: {role} may CREATE in schema {target.schema} (PostgreSQL before 15 grants "
            f"it to PUBLIC); consider REVOKE CREATE ON SCHEMA {target.schema} FROM PUBLIC."
        )
    return "\n".join(lines)
