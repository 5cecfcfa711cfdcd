"""`dme-service restore IN`: load a backup into an EMPTY database, then check it (DB-5).

Refuses a target that already has tables, so a restore can never merge into or overwrite live
data. Afterwards it checks what an untested backup would hide: the schema is at the newest
migration, every document's SHA-256 matches its bytes and the audit chain verifies.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess  # pg_restore runs with an argument list, never through a shell
import sys
import tempfile
from pathlib import Path

from dme_service.commands.backup import document_digest_problems, libpq_target, postgres_tool


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="a file written by `dme-service backup`")


def target_has_tables(engine, schema: str | None = None) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names(schema=schema))


def restore_sqlite(engine, source: Path) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
        raw = engine.raw_connection()
        try:
            backup.backup(raw.driver_connection)
        finally:
            raw.close()
    backup.close()


def dump_schema(source: Path) -> str:
    """The one schema a `dme-service backup` dump holds."""
    listing = subprocess.run(  # noqa: S603 (fixed argument list)
        [postgres_tool("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[3:5] == ["SCHEMA", "-"]:
            return parts[5]
    raise SystemExit(f"{source} is not a dme-service PostgreSQL backup (no schema in it)")


def restore_postgres(engine, source: Path, schema: str) -> None:
    """pg_restore into schema (created if missing), skipping the dump's own CREATE SCHEMA."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    tool = postgres_tool("pg_restore")
    listing = subprocess.run(  # noqa: S603 (fixed argument list)
        [tool, "--list", str(source)], capture_output=True, text=True, check=True
    ).stdout
    keep = [line for line in listing.splitlines() if " SCHEMA - " not in line]
    uri, env = libpq_target(engine)
    with tempfile.NamedTemporaryFile("w", suffix=".list") as toc:
        toc.write("\n".join(keep) + "\n")
        toc.flush()
        command = [
            tool,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--use-list={toc.name}",
            f"--dbname={uri}",
            str(source),
        ]
        subprocess.run(command, env=env, check=True)  # noqa: S603 (fixed argument list)


def run(args: argparse.Namespace) -> int:
    from dme_service.db import engine_from_environment

    source: Path = args.source
    if not source.is_file():
        print(f"dme-service restore: {source} is not a file", file=sys.stderr)
        return 1
    engine = engine_from_environment()
    schema = None if engine.dialect.name == "sqlite" else dump_schema(source)
    if target_has_tables(engine, schema):
        print(
            "dme-service restore: the target database is not empty; restore only into an "
            "empty database (set DME_DATABASE_URL to a new one)",
            file=sys.stderr,
        )
        return 1
    if schema is None:
        restore_sqlite(engine, source)
    else:
        restore_postgres(engine, source, schema)
    try:
        return check_restored(engine)
    finally:
        engine.dispose()


def check_restored(engine) -> int:
    """Alembic at head, document digests, audit chain; then audit the restore itself."""
    from sqlalchemy.orm import Session

    from dme_service import audit, audit_verify
    from dme_service.commands.db import current_revision, head_revision

    revision = current_revision(engine)
    if revision != head_revision():
        print(
            f"dme-service restore: restored schema is at {revision}, not {head_revision()}; "
            "check DME_DATABASE_URL's schema, then run `dme-service db upgrade`",
            file=sys.stderr,
        )
        return 1
    with Session(engine) as session:
        bad_documents = document_digest_problems(session)
        chain = audit_verify.verify(session)
        if bad_documents or not chain.ok:
            print(
                f"dme-service restore: documents with wrong digests {bad_documents}; "
                f"audit chain ok={chain.ok} broken at {chain.broken_id}",
                file=sys.stderr,
            )
            return 1
        audit.record(
            session, user=None, action="backup.restore", object_type="database", object_id=None
        )
        session.commit()
    print(
        f"restored: schema at {revision}, document digests OK, audit chain OK ({chain.rows} rows)"
    )
    return 0
