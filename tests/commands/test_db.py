"""`dme-service db`: migrations create the schema the models describe, on both engines."""

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, update
from sqlalchemy.exc import DBAPIError

from dme_service.commands.db import current_revision, head_revision, upgrade
from dme_service.db import get_engine
from dme_service.models import AuditEvent, Base


@pytest.fixture
def migrated_engine(empty_app):
    engine = get_engine(empty_app)
    upgrade(engine)
    return engine


def test_models_and_migrations_agree(migrated_engine):
    """Fails when a model changes without a migration (or the other way round)."""
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_reaches_head_and_creates_every_table(migrated_engine):
    tables = set(inspect(migrated_engine).get_table_names())
    assert current_revision(migrated_engine) == head_revision()
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(migrated_engine):
    upgrade(migrated_engine)
    assert current_revision(migrated_engine) == head_revision()


def audit_row() -> dict:
    from dme_service.models import utcnow

    return {
        "ts_utc": utcnow(),
        "action": "read",
        "object_type": "case",
        "object_id": "1",
        "outcome": "ok",
        "prev_hash": "0" * 64,
        "row_hash": "a" * 64,
    }


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(outcome="edited"),
        AuditEvent.__table__.delete(),
    ],
    ids=["update", "delete"],
)
def test_migrated_audit_table_refuses_changes(migrated_engine, statement):
    with migrated_engine.begin() as connection:
        connection.execute(insert(AuditEvent).values(**audit_row()))
    with pytest.raises(DBAPIError, match="append-only"), migrated_engine.begin() as connection:
        connection.execute(statement)


def run_command(*args: str, database_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DME_")}
    env.update(DME_DATABASE_URL=database_url, DME_INSTANCE_PATH=str(tmp_path / "instance"))
    return subprocess.run(
        [sys.executable, "-m", "dme_service", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_db_upgrade_command_creates_the_schema_on_an_empty_database(database_url, tmp_path):
    result = run_command("db", "upgrade", database_url=database_url, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert head_revision() in result.stdout
    current = run_command("db", "current", database_url=database_url, tmp_path=tmp_path)
    assert current.stdout.strip() == head_revision()


def test_db_current_on_an_empty_database_says_what_to_do(database_url, tmp_path):
    result = run_command("db", "current", database_url=database_url, tmp_path=tmp_path)
    assert (result.returncode, "db upgrade" in result.stdout) == (0, True)


def test_db_upgrade_on_an_empty_sqlite_file_in_a_new_folder_leaves_it_in_wal_mode(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fresh.sqlite3").touch()  # zero bytes, as `touch` or a volume leaves it
    url = "sqlite:///" + str(tmp_path / "data" / "fresh.sqlite3")
    assert run_command("db", "upgrade", database_url=url, tmp_path=tmp_path).returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "fresh.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_db_upgrade_creates_the_folder_of_a_new_sqlite_file(tmp_path):
    url = "sqlite:///" + str(tmp_path / "new" / "folder" / "dme.sqlite3")
    assert run_command("db", "upgrade", database_url=url, tmp_path=tmp_path).returncode == 0
    assert (tmp_path / "new" / "folder" / "dme.sqlite3").stat().st_size > 0
