"""What `dme-service db app-role` reads from the database before granting anything.

inspect_target reads, as the schema owner's connection sees them, the database, schema, owner,
application tables and their sequences, and refuses (Refused, exit 2) anything that would be
unsafe: a schema without the tables, tables of several owners, a connection that cannot act
for the owner, or a ROLE that could get round the audit triggers. SQLAlchemy and the models are
imported only when it runs (the command line imports this module with the standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """Where the app's tables live, as the schema owner's connection sees them."""

    database: str
    schema: str
    owner: str  # owns the tables; runs later migrations (default privileges are for it)
    tables: tuple[str, ...]  # application tables, the audit table included
    audit_table: str
    sequences: tuple[str, ...]  # owned by those tables (serial / identity columns)
    # Tables besides the audit table that the app may only read and append to (the audit seals).
    more_append_only: tuple[str, ...] = ()

    @property
    def append_only(self) -> tuple[str, ...]:
        """The audit table and the other append-only tables that exist."""
        return (self.audit_table, *self.more_append_only)


class Refused(Exception):
    """The command cannot safely go on; the message says why and what to do (exit 2)."""


def inspect_target(connection, role: str, *, must_create: bool = True) -> Target:
    """Read the database, schema, owner and tables; refuse anything that would be unsafe."""
    from dme_service.models import AuditEvent, AuditSeal, Base

    database, schema, me = _where_connected(connection)
    wanted = sorted(Base.metadata.tables)
    owner = _single_owner(_table_owners(connection, schema, wanted), schema, wanted, me)
    target = Target(
        database=database,
        schema=schema,
        owner=owner,
        tables=tuple(wanted),
        audit_table=AuditEvent.__tablename__,
        sequences=_owned_sequences(connection, schema, wanted),
        more_append_only=(AuditSeal.__tablename__,),
    )
    check_role(connection, role, target, must_create=must_create)
    return target


def check_role(connection, role: str, target: Target, *, must_create: bool = True) -> None:
    """Refuse a ROLE that could get round the triggers, or (must_create) one we cannot create."""
    existing = _role_facts(connection, role, target)
    if existing is None:
        if must_create and not _may_create_roles(connection):
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


def _where_connected(connection) -> tuple[str, str, str]:
    """The current database, schema and user; refuse if no schema on the search_path exists."""
    from sqlalchemy import text

    database, schema, me = connection.execute(
        text("SELECT current_database(), current_schema(), current_user")
    ).one()
    if schema is None:
        raise Refused("no schema on the search_path exists; run `dme-service db upgrade` first")
    return database, schema, me


def _table_owners(connection, schema: str, wanted: list[str]) -> dict[str, tuple[str, bool]]:
    """For each wanted table found in schema: its owner, and whether we may act for it."""
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_userbyid(c.relowner), "
            "pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND c.relname = ANY(:names)"
        ),
        {"schema": schema, "names": wanted},
    ).all()
    return {name: (owner, mine) for name, owner, mine in rows}


def _single_owner(found: dict[str, tuple[str, bool]], schema: str, wanted, me: str) -> str:
    """The one owner of all wanted tables, for whom this connection may act; else refuse."""
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
    return owners[0]


def _owned_sequences(connection, schema: str, wanted: list[str]) -> tuple[str, ...]:
    """The sequences owned by the wanted tables (serial / identity columns), by name."""
    from sqlalchemy import text

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
    return tuple(sequences)


def _role_facts(connection, role: str, target: Target):
    """(superuser, member of the tables' owner, member of the schema's owner), or None."""
    from sqlalchemy import text

    return connection.execute(
        text(
            "SELECT r.rolsuper, "
            "pg_has_role(r.oid, :owner, 'MEMBER'), "
            "pg_has_role(r.oid, (SELECT nspowner FROM pg_catalog.pg_namespace "
            "WHERE nspname = :schema), 'MEMBER') "
            "FROM pg_catalog.pg_roles r WHERE r.rolname = :role"
        ),
        {"role": role, "owner": target.owner, "schema": target.schema},
    ).one_or_none()


def _may_create_roles(connection) -> bool:
    """Whether the connected role is a superuser or has CREATEROLE."""
    from sqlalchemy import text

    return connection.scalar(
        text(
            "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user"
        )
    )
