"""Reads answered once per unit of work (store/unit_memo.py): kept while nothing changes,
worked out afresh after anything that could change the answer."""

from __future__ import annotations

from sqlalchemy import select, text

from dme_service.models import Clinic
from dme_service.store import unit_memo


class Reads:
    """A read of the database that counts how often it really ran."""

    def __init__(self, session):
        self.session = session
        self.count = 0

    def __call__(self):
        self.session.scalars(select(Clinic.id)).all()
        self.count += 1
        return self.count


def test_a_read_is_answered_once_while_nothing_changes(db_session):
    read = Reads(db_session)
    assert unit_memo.remembered(db_session, "k", read) == 1
    assert unit_memo.remembered(db_session, "k", read) == 1
    assert unit_memo.remembered(db_session, "other", read) == 2


def test_commit_rollback_and_writes_forget_what_was_kept(db_session, clinic):
    read = Reads(db_session)
    steps = [
        db_session.commit,
        db_session.rollback,
        lambda: db_session.execute(text("UPDATE clinics SET name = name")),
        lambda: db_session.expire(clinic),
        lambda: db_session.refresh(clinic),
        lambda: db_session.scalars(select(Clinic).with_for_update()).all(),
        lambda: db_session.scalars(select(Clinic).execution_options(populate_existing=True)).all(),
    ]
    expected = 1
    assert unit_memo.remembered(db_session, "k", read) == expected
    for step in steps:
        step()
        expected += 1
        assert unit_memo.remembered(db_session, "k", read) == expected, step


def test_a_flush_forgets_and_pending_changes_are_never_answered_from_memory(db_session, clinic):
    read = Reads(db_session)
    unit_memo.remembered(db_session, "k", read)
    clinic.name = "Changed, not written yet"
    assert unit_memo.remembered(db_session, "k", read) == 2  # the session held a change
    assert unit_memo.remembered(db_session, "k", read) == 3  # the read wrote it (autoflush)
    assert unit_memo.remembered(db_session, "k", read) == 3
    clinic.name = "Changed again"
    db_session.flush()
    assert unit_memo.remembered(db_session, "k", read) == 4
