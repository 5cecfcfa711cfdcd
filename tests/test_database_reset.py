"""The per-test database (tests/database_reset.py): every test starts as on a new database.

The tables are built once per worker, so what one test leaves behind (rows, ids handed out,
an extra table, a dropped trigger) must be gone before the next one starts.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
from database_reset import PostgresTables, SqliteTables
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dme_service.db import make_engine
from dme_service.models import AuditEvent, Base, Clinic


def _add_clinic(engine) -> int:
    with Session(engine) as session:
        clinic = Clinic(name="Leftover Clinic", phone="555-0100", address="1 Main St")
        session.add(clinic)
        session.commit()
        return clinic.id


def _clinic_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Clinic))


def test_a_sqlite_copy_has_every_table_and_no_rows(tmp_path):
    tables = SqliteTables(tmp_path / "tables.sqlite3")
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    tables.copy_to(first)
    engine = make_engine(f"sqlite:///{first}")
    assert _add_clinic(engine) == 1
    engine.dispose()
    tables.copy_to(second)
    engine = make_engine(f"sqlite:///{second}")
    with engine.connect() as connection:
        names = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type='table'")))
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
    assert set(Base.metadata.tables) <= names
    assert _clinic_count(engine) == 0
    assert _add_clinic(engine) == 1
    engine.dispose()


@pytest.fixture
def postgres_tables(database_url):
    """A tables schema of this test's own on the throwaway PostgreSQL."""
    server = os.environ.get("DME_TEST_DATABASE_URL")
    if not server:
        pytest.skip("needs the throwaway PostgreSQL (DME_TEST_DATABASE_URL, .ci/with-postgres.sh)")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    tables = PostgresTables(server, f"dme_reset_test_{worker}")
    engine = make_engine(f"{server}?options={quote(f'-csearch_path={tables.schema}')}")
    yield tables, engine
    engine.dispose()
    tables.dispose()


def test_postgres_rows_go_and_ids_start_again_at_one(postgres_tables):
    tables, engine = postgres_tables
    _add_clinic(engine)
    assert _add_clinic(engine) == 2
    with engine.begin() as connection:  # append-only rows go too (LOG-2 triggers skipped)
        connection.execute(
            AuditEvent.__table__.insert().values(
                action="test.leftover", object_type="test", prev_hash="0" * 64, row_hash="1" * 64
            )
        )
    tables.fresh()
    assert _clinic_count(engine) == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert _add_clinic(engine) == 1


def test_postgres_schema_changes_are_undone(postgres_tables):
    tables, engine = postgres_tables
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE leftover (id integer)"))
        connection.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
    tables.fresh()
    with engine.connect() as connection:
        names = set(
            connection.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": tables.schema},
            )
        )
        triggers = set(connection.scalars(text("SELECT tgname FROM pg_trigger")))
    assert "leftover" not in names
    assert set(Base.metadata.tables) <= names
    assert "audit_events_no_change" in triggers
