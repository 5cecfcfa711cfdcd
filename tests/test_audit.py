"""The audit trail: keyed rows, seals, append-only triggers, tampering, concurrent appends."""

import threading
import time

import pytest
from flask import g
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dme_service import audit, audit_seal, audit_verify, integrity_keys
from dme_service.cli import main
from dme_service.db import get_engine
from dme_service.models import AuditEvent, AuditSeal, utcnow


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


def seal_now(session) -> None:
    """Seal every row. On PostgreSQL the sealers' lock is the database's (an advisory lock), and
    the other test worker, in its own schema of the same database, may hold it for a moment while
    it seals: then nothing is sealed, so try again until no row is left unsealed."""
    for _ in range(200):
        audit_seal.seal_all(session, grace_seconds=0)
        newest = audit_seal.newest_seal(session)
        after = newest.last_event_id if newest is not None else 0
        unsealed = session.scalar(select(AuditEvent.id).where(AuditEvent.id > after).limit(1))
        session.commit()  # end the read: SQLite's writers wait for it
        if unsealed is None:
            return
        time.sleep(0.02)
    raise AssertionError("the rows could not be sealed")


def test_each_row_carries_its_key_id_and_a_keyed_mac(db_session, admin):
    first, second = record_reads(db_session, admin, 2)
    assert first.key_id == second.key_id == integrity_keys.keyring().current_id
    assert audit.row_mac_matches(first) and audit.row_mac_matches(second)
    assert first.row_hash != audit.row_hash(first.prev_hash, first)  # not the unkeyed hash


def test_an_intact_sealed_trail_verifies_with_the_seal_as_its_head(db_session, admin):
    record_reads(db_session, admin, 5)
    seal_now(db_session)
    result = audit_verify.verify(db_session)
    newest = audit_seal.newest_seal(db_session)
    assert (result.ok, result.rows, result.seals, result.unsealed) == (True, 5, 1, 0)
    assert result.head == newest.seal_mac


def test_sealing_leaves_rows_younger_than_the_grace_period(db_session, admin):
    record_reads(db_session, admin, 3)
    assert audit_seal.seal(db_session, grace_seconds=3600) is None
    result = audit_verify.verify(db_session)
    assert (result.ok, result.seals, result.unsealed) == (True, 0, 3)


def test_seals_chain_batch_after_batch(db_session, admin):
    record_reads(db_session, admin, 2)
    seal_now(db_session)
    record_reads(db_session, admin, 3)
    seal_now(db_session)
    first, second = db_session.scalars(select(AuditSeal).order_by(AuditSeal.id)).all()
    assert (first.row_count, second.row_count) == (2, 3)
    assert (first.prev_mac, second.prev_mac) == (audit_seal.GENESIS_MAC, first.seal_mac)
    assert audit_verify.verify(db_session).ok


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
        for table in ("audit_events", "audit_seals"):
            session.execute(text(f"DROP TRIGGER {table}_no_update"))
            session.execute(text(f"DROP TRIGGER {table}_no_delete"))
    else:
        for table in ("audit_events", "audit_seals"):
            session.execute(text(f"DROP TRIGGER {table}_no_change ON {table}"))
    session.commit()


def test_verify_names_an_edited_row(db_session, admin):
    events = record_reads(db_session, admin, 4)
    drop_append_only_triggers(db_session)
    db_session.execute(
        update(AuditEvent).where(AuditEvent.id == events[2].id).values(object_id="999")
    )
    db_session.commit()
    result = audit_verify.verify(db_session)
    assert (result.ok, result.broken_id) == (False, events[2].id)
    assert "row HMAC does not match" in result.problem


def test_verify_finds_a_row_deleted_from_a_sealed_range(db_session, admin):
    events = record_reads(db_session, admin, 4)
    seal_now(db_session)
    drop_append_only_triggers(db_session)
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    db_session.commit()
    result = audit_verify.verify(db_session)
    assert (result.ok, result.broken_id) == (False, events[-1].id)
    assert "3 rows now, 4 sealed" in result.problem


def test_verify_finds_a_row_inserted_into_a_sealed_range(db_session, admin):
    events = record_reads(db_session, admin, 3)
    seal_now(db_session)
    drop_append_only_triggers(db_session)
    copy = {c.name: getattr(events[1], c.name) for c in AuditEvent.__table__.columns}
    copy.update(id=events[1].id + 1000, row_hash="f" * 64)
    db_session.execute(AuditEvent.__table__.insert().values(**copy))
    db_session.commit()
    assert not audit_verify.verify(db_session).ok


def forge_with_the_code_but_not_the_key(session, monkeypatch, event_ids, **changes):
    """M4: someone with database access and the code, but not the key, edits rows and
    recomputes every row's MAC and every seal with the project's own functions. The rows name
    their key id, so the forger writes the real one; only the secret is not theirs (an unkeyed
    hash, or a MAC that ignored its key, would pass)."""
    real_key_id = integrity_keys.keyring().current_id
    monkeypatch.setenv(integrity_keys.ENV_NAME, f"{real_key_id}:" + integrity_keys.new_secret())
    drop_append_only_triggers(session)
    session.execute(update(AuditEvent).where(AuditEvent.id.in_(event_ids)).values(**changes))
    session.execute(delete(AuditSeal))
    session.commit()
    session.expire_all()
    for event in session.scalars(select(AuditEvent)):
        event.key_id, event.row_hash = integrity_keys.sign(
            audit.ROW_PURPOSE, audit.row_message(event)
        )
    session.commit()
    seal_now(session)
    monkeypatch.delenv(integrity_keys.ENV_NAME)
    session.expire_all()


def test_rows_edited_and_rehashed_without_the_key_fail_verification(db_session, admin, monkeypatch):
    events = record_reads(db_session, admin, 4)
    seal_now(db_session)
    forge_with_the_code_but_not_the_key(
        db_session, monkeypatch, [events[2].id], user_id=admin.id + 1, role="practitioner"
    )
    result = audit_verify.verify(db_session)
    assert (result.ok, result.broken_id) == (False, events[0].id)
    assert "without the key" in result.problem


def test_a_key_rotation_keeps_old_rows_verifiable(db_session, admin):
    old = record_reads(db_session, admin, 2)
    seal_now(db_session)
    new_id = integrity_keys.rotate()
    new = record_reads(db_session, admin, 2)
    seal_now(db_session)
    assert old[0].key_id != new_id and new[0].key_id == new_id
    assert audit_verify.verify(db_session).ok


def test_a_row_keyed_with_an_unknown_key_fails(db_session, admin, monkeypatch):
    record_reads(db_session, admin, 1)
    monkeypatch.setenv(integrity_keys.ENV_NAME, "other:" + integrity_keys.new_secret())
    assert not audit_verify.verify(db_session).ok


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
    result = audit_verify.verify(db_session)
    seal_now(db_session)
    result = audit_verify.verify(db_session)
    assert (errors, result.ok, result.rows, result.unsealed) == ([], True, 200, 0)


def test_audit_verify_command_exits_1_naming_the_broken_row(
    app, db_session, admin, database_url, monkeypatch, capsys
):
    events = record_reads(db_session, admin, 3)
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    assert main(["audit", "seal", "--grace-seconds", "0"]) == 0
    assert main(["audit", "verify"]) == 0
    head = audit_seal.newest_seal(db_session)
    assert f"head {head.id}:{head.seal_mac}" in capsys.readouterr().out
    drop_append_only_triggers(db_session)
    db_session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(ip="1.1.1.1"))
    db_session.commit()
    assert main(["audit", "verify"]) == 1
    assert f"audit_events.id={events[1].id}" in capsys.readouterr().err


def test_empty_trail_verifies(db_session):
    result = audit_verify.verify(db_session)
    assert (result.ok, result.rows, result.head) == (True, 0, audit.GENESIS_HASH)
    assert audit_seal.seal(db_session, grace_seconds=0) is None
    assert db_session.scalar(select(AuditEvent.id)) is None


def write_legacy_chain(session, user, count: int) -> list[int]:
    """Rows as written before the keys existed: unkeyed SHA-256 chain, key_id NULL."""
    prev, ids = audit.GENESIS_HASH, []
    for index in range(count):
        event = AuditEvent(
            ts_utc=utcnow(),
            user_id=user.id,
            role=user.role,
            action="case.read",
            object_type="case",
            object_id=str(index),
            outcome="ok",
            prev_hash=prev,
        )
        event.row_hash = prev = audit.row_hash(prev, event)
        session.add(event)
        session.flush()
        ids.append(event.id)
    session.commit()
    return ids


def test_legacy_rows_verify_by_their_chain_and_keyed_rows_follow(db_session, admin):
    write_legacy_chain(db_session, admin, 3)
    record_reads(db_session, admin, 2)
    assert audit_verify.verify(db_session).ok
    seal_now(db_session)
    assert audit_verify.verify(db_session).ok


def test_legacy_rows_deleted_and_rechained_after_sealing_fail(db_session, admin):
    """The M4 reproduction: delete a row, recompute the unkeyed chain; the seal catches it."""
    ids = write_legacy_chain(db_session, admin, 4)
    seal_now(db_session)
    drop_append_only_triggers(db_session)
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    db_session.commit()
    db_session.expire_all()
    prev = audit.GENESIS_HASH
    for event in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash, event.row_hash = prev, audit.row_hash(prev, event)
        prev = event.row_hash
    db_session.commit()
    result = audit_verify.verify(db_session)
    assert (result.ok, result.broken_id) == (False, ids[-1])


def test_verify_expect_head_catches_a_deleted_tail_of_rows_and_seals(
    db_session, admin, database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    record_reads(db_session, admin, 2)
    seal_now(db_session)
    head = audit_seal.newest_seal(db_session)
    expected = f"{head.id}:{head.seal_mac}"
    record_reads(db_session, admin, 2)
    seal_now(db_session)
    assert main(["audit", "verify", "--expect-head", expected]) == 0
    drop_append_only_triggers(db_session)
    db_session.execute(delete(AuditSeal))
    db_session.execute(delete(AuditEvent))
    db_session.commit()
    capsys.readouterr()
    assert main(["audit", "verify", "--expect-head", expected]) == 1
    assert "expected head" in capsys.readouterr().err
    assert main(["audit", "verify", "--expect-head", "nonsense"]) == 2


def test_threads_creating_the_key_file_together_all_read_the_same_key(tmp_path, monkeypatch):
    monkeypatch.setenv("DME_INSTANCE_PATH", str(tmp_path / "fresh"))
    found, errors = [], []

    def read() -> None:
        try:
            found.append(integrity_keys.keyring().secrets)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and all(secrets == found[0] for secrets in found)
    assert (integrity_keys.key_file().stat().st_mode & 0o777) == 0o600
