"""Reads answered once per unit of work: a value worked out from the database (and the
objects the session holds) is kept on the session until anything could have changed it.

The case page asks four parts whether the case's signature still covers it (the signature
banner, the documents' freshness, the packet's checklist, the patient's plan); each answer
is a query, the signed files read back and an HMAC. Within one request's read nothing
changes, so the first answer serves them all. A kept value is dropped when the session
writes (flush), ends its transaction (commit or rollback) or runs an UPDATE, INSERT or
DELETE, and it is not used while the session holds changes not written yet: a read never
sees an answer older than the data it would read itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
_KEY = "dme_unit_memo"


def remembered(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """`read()`'s answer, worked out once while nothing in the session changes."""
    if session.new or session.dirty or session.deleted:
        return read()
    kept = session.info.setdefault(_KEY, {})
    if key in kept:
        return kept[key]
    value = read()
    # The read itself may have flushed (autoflush) and so emptied the memo: keep it afresh.
    session.info.setdefault(_KEY, {})[key] = value
    return value


def forget(session: Session, *_args) -> None:
    """Drop every kept answer of the session."""
    session.info.pop(_KEY, None)


def _on_execute(state) -> None:
    if not state.is_select:
        forget(state.session)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, forget)
event.listen(Session, "do_orm_execute", _on_execute)
