"""`dme-service backup OUT`: a consistent copy of the database, PDFs included (docs/security.md
DB-5).

SQLite goes through the online backup API (copying a WAL database's file can miss committed
pages); PostgreSQL through `pg_dump -Fc` of the app's schema. Rendered PDFs live in the
`documents` table, so the copy holds them too. The backup is audited as an export.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess  # pg_dump/pg_restore run with argument lists, never through a shell
import sys
from glob import glob
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, help="file to write (refuses to overwrite one)")


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest Debian PostgreSQL's bin folder."""
    found = shutil.which(name) or sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    if not found:
        raise SystemExit(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found if isinstance(found, str) else found[0]


def libpq_target(engine) -> tuple[str, dict[str, str]]:
    """A libpq URI for engine (no password on the command line) and the env carrying it."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def current_schema(engine) -> str:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar_one()


def backup_sqlite(engine, out: Path) -> None:
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(out) as target:
            raw.driver_connection.backup(target)
        target.close()
    finally:
        raw.close()


def backup_postgres(engine, out: Path) -> None:
    uri, env = libpq_target(engine)
    command = [
        postgres_tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-acl",
        f"--schema={current_schema(engine)}",
        f"--file={out}",
        uri,
    ]
    subprocess.run(command, env=env, check=True)  # noqa: S603 (fixed argument list)


def document_digest_problems(session) -> list[int]:
    """Ids of documents whose stored SHA-256 does not match their bytes."""
    from sqlalchemy import select

    from dme_service.models import Document

    rows = session.execute(select(Document.id, Document.content, Document.sha256))
    return [row.id for row in rows if hashlib.sha256(row.content).hexdigest() != row.sha256]


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from dme_service import audit
    from dme_service.db import engine_from_environment

    out: Path = args.out
    if out.exists():
        print(f"dme-service backup: {out} exists; choose a new file name", file=sys.stderr)
        return 1
    engine = engine_from_environment()
    with Session(engine) as session:
        audit.record(
            session, user=None, action="backup.create", object_type="database", object_id=None
        )
        session.commit()
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        backup_sqlite(engine, out)
    else:
        backup_postgres(engine, out)
    os.chmod(out, 0o600)  # the copy holds PHI
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"backup written: {out} ({out.stat().st_size} bytes, sha256 {digest})")
    engine.dispose()
    return 0
