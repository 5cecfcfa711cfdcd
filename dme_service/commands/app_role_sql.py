"""The SQL of `dme-service db app-role`: what the restricted role is granted, as text.

Pure functions of a role name and a Target (commands/app_role_target.py): no connection is
needed except to compute the password's SCRAM verifier. Every statement is idempotent; names
are quoted by psycopg's `sql` module, which is imported only when a statement is built (the
command line imports this module with the standard library only).
"""

from __future__ import annotations

from dme_service.commands.app_role_target import Target

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
AUDIT_PRIVILEGES = ("SELECT", "INSERT")  # append-only: no UPDATE, DELETE or TRUNCATE
SEQUENCE_PRIVILEGES = ("USAGE", "SELECT")


def statements(role: str, target: Target) -> list[str]:
    """The SQL that gives role exactly the app's privileges on target (idempotent)."""
    from psycopg import sql

    who = sql.Identifier(role)
    composed = [
        _ensure_login_role(role),
        *_database_and_schema_access(target, who),
        *_table_and_sequence_grants(target, who),
        *_default_privileges(target, who),
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


def _privileges(names: tuple[str, ...]):
    """A comma-separated privilege list, e.g. SELECT, INSERT."""
    from psycopg import sql

    return sql.SQL(", ").join(sql.SQL(name) for name in names)


def _relations(schema: str, names):
    """Schema-qualified relation names, one per indented line."""
    from psycopg import sql

    return sql.SQL(",\n    ").join(sql.Identifier(schema, name) for name in names)


def _ensure_login_role(role: str):
    """A DO block that creates role with LOGIN, or gives an existing role LOGIN."""
    from psycopg import sql

    return sql.SQL(
        "DO $dme$\nBEGIN\n"
        "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {name}) THEN\n"
        "    CREATE ROLE {role} LOGIN;\n"
        "  ELSIF NOT (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = {name})"
        " THEN\n"
        "    ALTER ROLE {role} LOGIN;\n"
        "  END IF;\nEND\n$dme$"
    ).format(name=sql.Literal(role), role=sql.Identifier(role))


def _database_and_schema_access(target: Target, who) -> list:
    """CONNECT on the database and USAGE on the schema."""
    from psycopg import sql

    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(target.database), who),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(target.schema), who),
    ]


def _table_and_sequence_grants(target: Target, who) -> list:
    """From nothing: read/write on the tables, append-only on the audit tables, sequences."""
    from psycopg import sql

    normal = [name for name in target.tables if name not in target.append_only]
    grants = [
        # Start from nothing on every application table, so no earlier grant survives.
        sql.SQL("REVOKE ALL ON TABLE\n    {}\n  FROM {}").format(
            _relations(target.schema, target.tables), who
        ),
        sql.SQL("GRANT {} ON TABLE\n    {}\n  TO {}").format(
            _privileges(TABLE_PRIVILEGES), _relations(target.schema, normal), who
        ),
    ]
    grants += [
        sql.SQL("GRANT {} ON TABLE {} TO {}").format(
            _privileges(AUDIT_PRIVILEGES), sql.Identifier(target.schema, table), who
        )
        for table in target.append_only
    ]
    if target.sequences:
        grants.append(
            sql.SQL("GRANT {} ON SEQUENCE\n    {}\n  TO {}").format(
                _privileges(SEQUENCE_PRIVILEGES), _relations(target.schema, target.sequences), who
            )
        )
    return grants


def _default_privileges(target: Target, who) -> list:
    """The same grants on tables and sequences the owner creates in later migrations."""
    from psycopg import sql

    owner = sql.Identifier(target.owner)
    schema = sql.Identifier(target.schema)
    return [
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}\n  GRANT {} ON TABLES TO {}"
        ).format(owner, schema, _privileges(TABLE_PRIVILEGES), who),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}\n  GRANT {} ON SEQUENCES TO {}"
        ).format(owner, schema, _privileges(SEQUENCE_PRIVILEGES), who),
    ]
