"""The audit trail: hash chain, append-only triggers, tamper detection, concurrent appends."""

import threading

import pytest
from flask import g
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.cli import main
from dme_service.db import get_engine
from dme_service.models import AuditEvent


def record_reads(session, user, count: int) -> list[AuditEvent]:
    events = [
        audit.record(
            session,
            user=user,
            action="case.read",
            object_type="case",
            object_id=index,
            patient_id=index + 100,
        )
        for index in range(count)
    ]
    session.commit()
    return events


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def test_each_row_chains_onto_the_previous_hash(db_session, admin):
    first, second, third = record_reads(db_session, admin, 3)
    assert first.prev_hash == audit.GENESIS_HASH
    assert (second.prev_hash, third.prev_hash) == (first.row_hash, second.row_hash)


def test_an_intact_chain_verifies_with_its_head(db_session, admin):
    events = record_reads(db_session, admin, 5)
    result = audit.verify(db_session)
    assert (result.ok, result.rows, result.head) == (True, 5, events[-1].row_hash)


def test_row_holds_user_role_and_surrogate_ids_only(db_session, admin):
    (event,) = record_reads(db_session, admin, 1)
    assert (event.user_id, event.role, event.object_id, event.patient_id) == (
        admin.id,
        "admin",
        "0",
        100,
    )


@pytest.mark.parametrize("action", ["Viewed Jane Doe", "case read", "", "x" * 41])
def test_free_text_actions_are_refused(db_session, admin, action):
    with pytest.raises(ValueError, match="code identifier"):
        audit.record(db_session, user=admin, action=action, object_type="case", object_id=1)


def test_request_id_and_client_address_come_from_the_request(app, db_session, admin):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        g.request_id = "req-42"
        event = audit.record(
            db_session, user=admin, action="case.read", object_type="case", object_id=7
        )
    assert (event.request_id, event.ip) == ("req-42", "10.1.2.3")


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(outcome="denied"), delete(AuditEvent)],
    ids=["update is refused", "delete is refused"],
)
def test_audit_rows_are_append_only(db_session, admin, statement):
    record_reads(db_session, admin, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        db_session.execute(statement)
        db_session.flush()
    db_session.rollback()


def test_orm_edit_of_an_audit_row_is_refused(db_session, admin):
    (event,) = record_reads(db_session, admin, 1)
    event.outcome = "denied"
    with pytest.raises(DBAPIError, match="append-only"):
        db_session.commit()
    db_session.rollback()


def drop_append_only_triggers(session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        session.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
    session.commit()


def test_verify_names_an_edited_row(db_session, admin):
    events = record_reads(db_session, admin, 4)
    drop_append_only_triggers(db_session)
    db_session.execute(
        update(AuditEvent).where(AuditEvent.id == events[2].id).values(object_id="999")
    )
    db_session.commit()
    result = audit.verify(db_session)
    assert (result.ok, result.broken_id, result.problem) == (
        False,
        events[2].id,
        "row_hash does not match",
    )


def test_verify_names_the_row_after_a_deleted_one(db_session, admin):
    events = record_reads(db_session, admin, 4)
    drop_append_only_triggers(db_session)
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    db_session.commit()
    result = audit.verify(db_session)
    assert (result.broken_id, result.problem) == (events[2].id, "prev_hash does not link")


def test_two_hundred_appends_from_eight_threads_verify(app, db_session, admin):
    engine, errors = get_engine(app), []

    def append_25() -> None:
        for index in range(25):
            try:
                with Session(engine) as session:
                    audit.record(
                        session, user=admin, action="case.read", object_type="case", object_id=index
                    )
                    session.commit()
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=append_25) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = audit.verify(db_session)
    assert (errors, result.ok, result.rows) == ([], True, 200)


def test_audit_verify_command_exits_1_naming_the_broken_row(
    app, db_session, admin, database_url, monkeypatch, capsys
):
    events = record_reads(db_session, admin, 3)
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    assert main(["audit", "verify"]) == 0
    assert events[-1].row_hash in capsys.readouterr().out
    drop_append_only_triggers(db_session)
    db_session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(ip="1.1.1.1"))
    db_session.commit()
    assert main(["audit", "verify"]) == 1
    assert f"audit_events.id={events[1].id}" in capsys.readouterr().err


def test_empty_trail_verifies(db_session):
    result = audit.verify(db_session)
    assert (result.ok, result.rows, result.head) == (True, 0, audit.GENESIS_HASH)
    assert db_session.scalar(select(AuditEvent.id)) is None
