"""`dme-service db app-role ROLE [--print]`: the restricted PostgreSQL role the app runs as.

The audit triggers cannot stop the audit table's owner (an owner may disable or drop them), so
on PostgreSQL the app must not run as the role that ran `db upgrade` (security.md LOG-2). Run
as that schema owner, this creates ROLE (LOGIN) if missing and gives it exactly what the app
needs: CONNECT on the database, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the
application tables, only SELECT and INSERT on the audit table, USAGE/SELECT on their sequences,
and default privileges so tables of later migrations get read/write too. It never owns, drops,
alters or truncates anything. Every statement is idempotent and all run in one transaction;
`--print` shows them instead.

The password never goes on a command line: either DME_APP_ROLE_PASSWORD (sent as a SCRAM
verifier computed here, as psql's \\password does) or `\\password ROLE` in psql afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED_ROLE_NAMES = frozenset({"public", "none"})
CREDENTIAL_VARIABLE = "DME_APP_ROLE_PASSWORD"
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
AUDIT_PRIVILEGES = ("SELECT", "INSERT")  # append-only: no UPDATE, DELETE or TRUNCATE
SEQUENCE_PRIVILEGES = ("USAGE", "SELECT")


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


@dataclass(frozen=True)
class Target:
    """Where the app's tables live, as the schema owner's connection sees them."""

    database: str
    schema: str
    owner: str  # owns the tables; runs later migrations (default privileges are for it)
    tables: tuple[str, ...]  # application tables, the audit table included
    audit_table: str
    sequences: tuple[str, ...]  # owned by those tables (serial / identity columns)


class Refused(Exception):
    """The command cannot safely go on; the message says why and what to do (exit 2)."""


class Mismatch(Exception):
    """The privileges read back are not the intended ones; everything was rolled back (exit 1)."""


def statements(role: str, target: Target) -> list[str]:
    """The SQL that gives role exactly the app's privileges on target (idempotent)."""
    from psycopg import sql

    who = sql.Identifier(role)
    schema = sql.Identifier(target.schema)

    def privileges(names: tuple[str, ...]) -> sql.Composable:
        return sql.SQL(", ").join(sql.SQL(name) for name in names)

    def relations(names) -> sql.Composable:
        return sql.SQL(",\n    ").join(sql.Identifier(target.schema, name) for name in names)

    normal = [name for name in target.tables if name != target.audit_table]
    composed = [
        sql.SQL(
            "DO $dme$\nBEGIN\n"
            "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {name}) THEN\n"
            "    CREATE ROLE {role} LOGIN;\n"
            "  ELSIF NOT (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = {name})"
            " THEN\n"
            "    ALTER ROLE {role} LOGIN;\n"
            "  END IF;\nEND\n$dme$"
        ).format(name=sql.Literal(role), role=who),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(target.database), who),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who),
        # Start from nothing on every application table, so no earlier grant survives.
        sql.SQL("REVOKE ALL ON TABLE\n    {}\n  FROM {}").format(relations(target.tables), who),
        sql.SQL("GRANT {} ON TABLE\n    {}\n  TO {}").format(
            privileges(TABLE_PRIVILEGES), relations(normal), who
        ),
        sql.SQL("GRANT {} ON TABLE {} TO {}").format(
            privileges(AUDIT_PRIVILEGES), sql.Identifier(target.schema, target.audit_table), who
        ),
    ]
    if target.sequences:
        composed.append(
            sql.SQL("GRANT {} ON SEQUENCE\n    {}\n  TO {}").format(
                privileges(SEQUENCE_PRIVILEGES), relations(target.sequences), who
            )
        )
    owner = sql.Identifier(target.owner)
    composed += [
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}\n  GRANT {} ON TABLES TO {}"
        ).format(owner, schema, privileges(TABLE_PRIVILEGES), who),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}\n  GRANT {} ON SEQUENCES TO {}"
        ).format(owner, schema, privileges(SEQUENCE_PRIVILEGES), who),
    ]
    return [statement.as_string() for statement in composed]


def script(role: str, target: Target) -> str:
    """What --print shows: the statements, then how to set the password."""
    body = "".join(f"{statement};\n\n" for statement in statements(role, target))
    return (
        f"-- dme-service db app-role {role}: run as {target.owner} (the schema owner)\n"
        "BEGIN;\n\n" + body + "COMMIT;\n\n"
        f"-- Then give {role} a password in psql (it is not stored in any history):\n"
        f"--   \\password {role}\n"
    )


def password_statement(connection, role: str, password: str) -> str:
    """ALTER ROLE ... PASSWORD with a SCRAM-SHA-256 verifier: the password never leaves here."""
    from psycopg import sql

    pgconn = connection.connection.dbapi_connection.pgconn
    verifier = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return (
        sql.SQL("ALTER ROLE {} PASSWORD {}")
        .format(sql.Identifier(role), sql.Literal(verifier.decode("ascii")))
        .as_string()
    )


def inspect_target(connection, role: str, *, must_create: bool = True) -> Target:
    """Read the database, schema, owner and tables; refuse anything that would be unsafe."""
    from sqlalchemy import text

    from dme_service.models import AuditEvent, Base

    database, schema, me = connection.execute(
        text("SELECT current_database(), current_schema(), current_user")
    ).one()
    if schema is None:
        raise Refused("no schema on the search_path exists; run `dme-service db upgrade` first")
    wanted = sorted(Base.metadata.tables)
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_userbyid(c.relowner), "
            "pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND c.relname = ANY(:names)"
        ),
        {"schema": schema, "names": wanted},
    ).all()
    found = {name: (owner, mine) for name, owner, mine in rows}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise Refused(
            f"schema {schema!r} lacks the tables {', '.join(missing)}; "
            "run `dme-service db upgrade` first"
        )
    owners = sorted({owner for owner, _ in found.values()})
    if len(owners) != 1:
        raise Refused(f"the application tables have several owners ({', '.join(owners)})")
    if not all(mine for _, mine in found.values()):
        raise Refused(
            f"connected as {me!r}, which cannot act for the tables' owner {owners[0]!r}; "
            "run this as the role that ran `dme-service db upgrade`"
        )
    sequences = connection.scalars(
        text(
            "SELECT DISTINCT s.relname FROM pg_catalog.pg_depend d "
            "JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
            "WHERE d.classid = 'pg_catalog.pg_class'::regclass "
            "AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "AND n.nspname = :schema AND t.relname = ANY(:names) ORDER BY 1"
        ),
        {"schema": schema, "names": wanted},
    ).all()
    target = Target(
        database=database,
        schema=schema,
        owner=owners[0],
        tables=tuple(wanted),
        audit_table=AuditEvent.__tablename__,
        sequences=tuple(sequences),
    )
    check_role(connection, role, target, must_create=must_create)
    return target


def check_role(connection, role: str, target: Target, *, must_create: bool = True) -> None:
    """Refuse a ROLE that could get round the triggers, or (must_create) one we cannot create."""
    from sqlalchemy import text

    existing = connection.execute(
        text(
            "SELECT r.rolsuper, "
            "pg_has_role(r.oid, :owner, 'MEMBER'), "
            "pg_has_role(r.oid, (SELECT nspowner FROM pg_catalog.pg_namespace "
            "WHERE nspname = :schema), 'MEMBER') "
            "FROM pg_catalog.pg_roles r WHERE r.rolname = :role"
        ),
        {"role": role, "owner": target.owner, "schema": target.schema},
    ).one_or_none()
    if existing is None:
        if not must_create:
            return
        may_create = connection.scalar(
            text(
                "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles "
                "WHERE rolname = current_user"
            )
        )
        if not may_create:
            raise Refused(
                f"role {role!r} does not exist and this role may not create roles; have a "
                f"superuser run `CREATE ROLE {role} LOGIN;`, then run this again"
            )
        return
    superuser, owner_member, schema_member = existing
    if superuser:
        raise Refused(f"role {role!r} is a superuser; the app needs a role without privileges")
    if owner_member or schema_member:
        raise Refused(
            f"role {role!r} is (or is a member of) the owner of the tables or of schema "
            f"{target.schema!r}, so it could disable the audit triggers; choose another role"
        )


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from dme_service.config import database_url_from_env

    prefix = "dme-service db app-role"
    backend = make_url(database_url_from_env()).get_backend_name()
    if backend != "postgresql":
        print(
            f"{prefix}: this is for PostgreSQL only, and the database is {backend} "
            "(SQLite has no roles; point DME_DATABASE_URL at PostgreSQL as the schema owner)",
            file=sys.stderr,
        )
        return 2
    password = os.environ.get(CREDENTIAL_VARIABLE)
    if password is not None and not password.strip():
        print(f"{prefix}: {CREDENTIAL_VARIABLE} is set but empty", file=sys.stderr)
        return 2

    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    try:
        with engine.begin() as connection:
            # --print may be handed to a superuser, so it need not be able to create ROLE.
            target = inspect_target(connection, args.role, must_create=not args.print_only)
            if args.print_only:
                print(script(args.role, target), end="")
                return 0
            for statement in statements(args.role, target):
                connection.exec_driver_sql(statement)
            if password is not None:
                connection.exec_driver_sql(password_statement(connection, args.role, password))
            report = verify(connection, args.role, target)
    except Refused as refused:
        print(f"{prefix}: {refused}", file=sys.stderr)
        return 2
    except Mismatch as mismatch:
        print(f"{prefix}: {mismatch}; nothing was changed", file=sys.stderr)
        return 1
    except DBAPIError as error:
        # Only the server's primary message: the statement may hold the password verifier.
        diag = getattr(error.orig, "diag", None)
        message = getattr(diag, "message_primary", None) or type(error.orig).__name__
        print(f"{prefix}: the database refused: {message}; nothing was changed", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(report)
    if password is None:
        print(
            f"Password not changed. If {args.role} has none yet, run in psql as a superuser or "
            f"a CREATEROLE role:  \\password {args.role}\n"
            f"(or export {CREDENTIAL_VARIABLE} and run this again)."
        )
    else:
        print(f"Password set from {CREDENTIAL_VARIABLE} (sent as a SCRAM-SHA-256 verifier).")
    print(
        f"Then point the app at it: DME_DATABASE_URL=postgresql+psycopg://{args.role}@HOST/"
        f"{target.database}?sslmode=verify-full. Run this again after each `db upgrade`."
    )
    return 0


def verify(connection, role: str, target: Target) -> str:
    """Read the audit table's privileges back; a mismatch raises Mismatch (rolled back)."""
    from psycopg import sql
    from sqlalchemy import text

    audit = sql.Identifier(target.schema, target.audit_table).as_string()
    rows = connection.execute(
        text(
            "SELECT p, has_table_privilege(:role, :audit, p) FROM unnest(ARRAY["
            "'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p"
        ),
        {"role": role, "audit": audit},
    ).all()
    held = {privilege for privilege, granted in rows if granted}
    if held != set(AUDIT_PRIVILEGES):
        raise Mismatch(f"{role} would hold {sorted(held)} on {audit}, not SELECT and INSERT only")
    can_create = connection.scalar(
        text("SELECT has_schema_privilege(:role, :schema, 'CREATE')"),
        {"role": role, "schema": target.schema},
    )
    lines = [
        f"role {role}: LOGIN, CONNECT on {target.database}, USAGE on schema {target.schema}; "
        f"{', '.join(TABLE_PRIVILEGES)} on {len(target.tables) - 1} tables; "
        f"{' and '.join(AUDIT_PRIVILEGES)} only on {target.audit_table}; "
        f"{'/'.join(SEQUENCE_PRIVILEGES)} on {len(target.sequences)} sequences; "
        f"the same on tables {target.owner} creates later."
    ]
    if can_create:
        lines.append(
            f"Warning: {role} may CREATE in schema {target.schema} (PostgreSQL before 15 grants "
            f"it to PUBLIC); consider REVOKE CREATE ON SCHEMA {target.schema} FROM PUBLIC."
        )
    return "\n".join(lines)
