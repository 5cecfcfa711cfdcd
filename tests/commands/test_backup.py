"""`dme-service backup` and `restore`: a seeded database comes back whole (security.md DB-5)."""

import hashlib
import os
import sqlite3
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dme_service import audit_verify
from dme_service.cli import main
from dme_service.commands.db import current_revision, head_revision, upgrade
from dme_service.commands.demo import seed
from dme_service.db import get_engine, make_engine
from dme_service.models import Base, Case, Document, User


@pytest.fixture
def source_url(empty_app, database_url, monkeypatch):
    """A migrated, seeded database with one stored PDF; DME_DATABASE_URL points at it."""
    upgrade(get_engine(empty_app))
    with empty_app.app_context():
        from dme_service.db import get_session

        session = get_session()
        seed(session, today=date(2026, 11, 23))
        session.flush()
        # A case without documents yet (the demo's ready claim has its signed ones).
        case = session.scalars(select(Case).where(Case.id.not_in(select(Document.case_id)))).first()
        author = session.scalars(select(User)).first()
        pdf = b"%PDF-1.7 demo letter"
        session.add(
            Document(
                case_id=case.id,
                kind="lmn",
                lang="en",
                version=1,
                content=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
                created_by_id=author.id,
            )
        )
        session.commit()
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def target_url(tmp_path, database_url):
    """An empty database on the same engine: a new SQLite file or a new PostgreSQL database."""
    server = os.environ.get("DME_TEST_DATABASE_URL")
    if not server:
        yield "sqlite:///" + str(tmp_path / "restored.sqlite3")
        return
    name = f"dme_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }
    engine.dispose()
    return counts


def back_up(tmp_path, capsys) -> str:
    out = tmp_path / "backups" / "dme.backup"
    assert main(["backup", str(out)]) == 0
    assert "backup written" in capsys.readouterr().out
    return str(out)


def test_backup_then_restore_into_an_empty_database_keeps_everything(
    source_url, target_url, tmp_path, monkeypatch, capsys
):
    backup_file = back_up(tmp_path, capsys)
    before = row_counts(source_url)
    monkeypatch.setenv("DME_DATABASE_URL", target_url)
    assert main(["restore", backup_file]) == 0, capsys.readouterr().err
    after = row_counts(target_url)
    # The restore appends one audit row of its own; everything else is equal.
    assert after["audit_events"] == before["audit_events"] + 1
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }
    engine = make_engine(target_url)
    assert current_revision(engine) == head_revision()
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        documents = session.scalars(select(Document)).all()  # the demo's signed ones too
        assert documents and all(
            hashlib.sha256(d.content).hexdigest() == d.sha256 for d in documents
        )
        assert audit_verify.verify(session).ok
    engine.dispose()


def test_backup_is_audited_as_an_export(source_url, tmp_path, capsys):
    back_up(tmp_path, capsys)
    engine = make_engine(source_url)
    with engine.connect() as connection:
        actions = connection.execute(text("SELECT action FROM audit_events")).scalars().all()
    engine.dispose()
    assert actions[-1] == "backup.create"


def test_backup_file_is_private(source_url, tmp_path, capsys):
    assert oct(os.stat(back_up(tmp_path, capsys)).st_mode & 0o777) == "0o600"


def test_backup_refuses_to_overwrite(source_url, tmp_path, capsys):
    existing = tmp_path / "exists.backup"
    existing.write_text("keep me")
    assert main(["backup", str(existing)]) == 1
    assert existing.read_text() == "keep me"


def test_restore_refuses_a_non_empty_target(source_url, tmp_path, capsys):
    backup_file = back_up(tmp_path, capsys)
    assert main(["restore", backup_file]) == 1  # DME_DATABASE_URL is still the seeded source
    assert "not empty" in capsys.readouterr().err


def test_restore_reports_a_tampered_document(source_url, target_url, tmp_path, monkeypatch, capsys):
    if not source_url.startswith("sqlite"):
        pytest.skip("edits the SQLite backup file directly")
    backup_file = back_up(tmp_path, capsys)
    with sqlite3.connect(backup_file) as connection:
        connection.execute("UPDATE documents SET content = X'00'")
    monkeypatch.setenv("DME_DATABASE_URL", target_url)
    assert main(["restore", backup_file]) == 1
    assert "wrong digests" in capsys.readouterr().err
