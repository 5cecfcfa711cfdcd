"""`dme-service db`: migrations create the schema the models describe, on both engines."""

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text, update
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


# `dme-service db app-role`: the restricted PostgreSQL role the app runs as (LOG-2).


def small_target():
    from dme_service.commands.app_role import Target

    return Target(
        database="dme",
        schema="public",
        owner="dme",
        tables=("audit_events", "cases", "clinics"),
        audit_table="audit_events",
        sequences=("audit_events_id_seq", "cases_id_seq", "clinics_id_seq"),
    )


def test_app_role_sql_grants_read_write_but_only_select_and_insert_on_the_audit_table():
    from dme_service.commands.app_role import script

    assert script("dme_app", small_target()) == (
        "-- dme-service db app-role dme_app: run as dme (the schema owner)\n"
        "BEGIN;\n"
        "\n"
        "DO $dme$\n"
        "BEGIN\n"
        "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'dme_app') THEN\n"
        '    CREATE ROLE "dme_app" LOGIN;\n'
        "  ELSIF NOT (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = 'dme_app')"
        " THEN\n"
        '    ALTER ROLE "dme_app" LOGIN;\n'
        "  END IF;\n"
        "END\n"
        "$dme$;\n"
        "\n"
        'GRANT CONNECT ON DATABASE "dme" TO "dme_app";\n'
        "\n"
        'GRANT USAGE ON SCHEMA "public" TO "dme_app";\n'
        "\n"
        "REVOKE ALL ON TABLE\n"
        '    "public"."audit_events",\n'
        '    "public"."cases",\n'
        '    "public"."clinics"\n'
        '  FROM "dme_app";\n'
        "\n"
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE\n"
        '    "public"."cases",\n'
        '    "public"."clinics"\n'
        '  TO "dme_app";\n'
        "\n"
        'GRANT SELECT, INSERT ON TABLE "public"."audit_events" TO "dme_app";\n'
        "\n"
        "GRANT USAGE, SELECT ON SEQUENCE\n"
        '    "public"."audit_events_id_seq",\n'
        '    "public"."cases_id_seq",\n'
        '    "public"."clinics_id_seq"\n'
        '  TO "dme_app";\n'
        "\n"
        'ALTER DEFAULT PRIVILEGES FOR ROLE "dme" IN SCHEMA "public"\n'
        '  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "dme_app";\n'
        "\n"
        'ALTER DEFAULT PRIVILEGES FOR ROLE "dme" IN SCHEMA "public"\n'
        '  GRANT USAGE, SELECT ON SEQUENCES TO "dme_app";\n'
        "\n"
        "COMMIT;\n"
        "\n"
        "-- Then give dme_app a password in psql (it is not stored in any history):\n"
        "--   \\password dme_app\n"
    )


def test_app_role_sql_quotes_schema_owner_and_database_names():
    from dataclasses import replace

    from dme_service.commands.app_role import statements

    odd = replace(small_target(), database='my "db"', schema="Clinic Data", owner="Owner-1")
    sql = "\n".join(statements("dme_app", odd))
    assert 'GRANT CONNECT ON DATABASE "my ""db""" TO "dme_app"' in sql
    assert '"Clinic Data"."audit_events"' in sql
    assert 'FOR ROLE "Owner-1" IN SCHEMA "Clinic Data"' in sql


def test_app_role_sql_grants_the_audit_table_nothing_but_select_and_insert():
    from dme_service.commands.app_role import statements

    for statement in statements("dme_app", small_target()):
        if '"audit_events"' in statement and statement.startswith("GRANT"):
            assert statement.startswith(("GRANT SELECT, INSERT ON TABLE", "GRANT USAGE, SELECT"))


@pytest.mark.parametrize("extra", [[], ["--print"]], ids=["run", "print"])
def test_app_role_on_sqlite_says_it_is_for_postgresql_only(tmp_path, monkeypatch, capsys, extra):
    from dme_service.cli import main

    monkeypatch.setenv("DME_DATABASE_URL", "sqlite:///" + str(tmp_path / "dme.sqlite3"))
    assert main(["db", "app-role", "dme_app", *extra]) == 2
    captured = capsys.readouterr()
    assert "PostgreSQL only" in captured.err
    assert captured.out == ""
    assert not (tmp_path / "dme.sqlite3").exists()


@pytest.mark.parametrize(
    "name",
    ["Dme_App", "dme-app", 'dme"app', "dme app", "1dme", "", "x" * 64, "pg_app", "public", "none"],
)
def test_app_role_refuses_a_bad_role_name_naming_the_argument(name, monkeypatch, capsys):
    from dme_service.cli import main

    monkeypatch.setenv("DME_DATABASE_URL", "postgresql+psycopg://dme@127.0.0.1:1/dme")
    with pytest.raises(SystemExit) as exited:
        main(["db", "app-role", name, "--print"])
    assert exited.value.code == 2
    assert "argument ROLE:" in capsys.readouterr().err


def test_app_role_accepts_a_plain_name():
    from dme_service.commands.app_role import role_name

    assert role_name("dme_app") == "dme_app"
    assert role_name("_a" + "b" * 61) == "_a" + "b" * 61


needs_postgres = pytest.mark.skipif(
    not os.environ.get("DME_TEST_DATABASE_URL"),
    reason="needs the throwaway PostgreSQL (DME_TEST_DATABASE_URL, .ci/with-postgres.sh)",
)


def _drop_role(role: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(os.environ["DME_TEST_DATABASE_URL"])
    with admin.begin() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


@pytest.fixture
def app_role(migrated_engine, database_url, monkeypatch):
    """A role name of this worker's own (roles are server-wide), dropped before and after."""
    role = f"dme_app_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _drop_role(role)
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    yield role
    _drop_role(role)


def _role_exists(engine, role: str) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        )


@needs_postgres
def test_app_role_print_shows_the_sql_and_changes_nothing(app_role, migrated_engine, capsys):
    from dme_service.cli import main

    assert main(["db", "app-role", app_role, "--print"]) == 0
    printed = capsys.readouterr().out
    with migrated_engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
    assert f'GRANT SELECT, INSERT ON TABLE "{schema}"."audit_events" TO "{app_role}";' in printed
    assert f"\\password {app_role}" in printed
    assert not _role_exists(migrated_engine, app_role)


@needs_postgres
def test_app_role_can_write_and_append_to_the_audit_trail_but_not_rewrite_or_drop(
    app_role, migrated_engine, database_url, capsys
):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ProgrammingError

    from dme_service.cli import main
    from dme_service.models import Clinic

    assert main(["db", "app-role", app_role]) == 0
    assert main(["db", "app-role", app_role]) == 0, "running it twice is harmless"
    assert "\\password" in capsys.readouterr().out

    as_app = create_engine(make_url(database_url).set(username=app_role))
    try:
        with as_app.begin() as connection:
            connection.execute(insert(Clinic).values(name="Role Test Clinic"))
            connection.execute(insert(AuditEvent).values(**audit_row()))
        refused = [
            update(AuditEvent).values(outcome="edited"),
            AuditEvent.__table__.delete(),
            text("TRUNCATE audit_events"),
            text("ALTER TABLE audit_events DISABLE TRIGGER USER"),
            text("DROP TABLE audit_events"),
            text("DROP TABLE clinics"),
            text("UPDATE audit_seals SET row_count = 0"),  # the seals are append-only too
            text("DELETE FROM audit_seals"),
            text("TRUNCATE audit_seals"),
        ]
        for statement in refused:
            with pytest.raises(ProgrammingError) as error, as_app.begin() as connection:
                connection.execute(statement)
            assert error.value.orig.sqlstate == "42501", statement  # insufficient_privilege
    finally:
        as_app.dispose()
    with migrated_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 1


@needs_postgres
def test_app_role_password_comes_from_the_environment_as_a_scram_verifier(
    app_role, migrated_engine, monkeypatch
):
    from dme_service.cli import main

    monkeypatch.setenv("DME_APP_ROLE_PASSWORD", "correct horse battery staple")
    assert main(["db", "app-role", app_role]) == 0
    with migrated_engine.connect() as connection:
        stored = connection.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": app_role}
        ).scalar()
    assert stored.startswith("SCRAM-SHA-256$")
    assert "horse" not in stored


@needs_postgres
def test_app_role_refuses_the_owner_itself(migrated_engine, database_url, monkeypatch, capsys):
    from sqlalchemy.engine import make_url

    from dme_service.cli import main

    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    owner = make_url(database_url).username
    assert main(["db", "app-role", owner]) == 2
    assert owner in capsys.readouterr().err
