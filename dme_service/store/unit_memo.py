"""Reads answered once per unit of work: a value worked out from the database (and the
objects the session holds) is kept on the session until anything could have changed it.

The case page asks four parts whether the case's signature still covers it (the signature
banner, the documents' freshness, the packet's checklist, the patient's plan); each answer
is a query, the signed files read back and an HMAC. Within one request's read nothing
changes, so the first answer serves them all. A kept value is dropped when the session
writes (flush), ends its transaction (commit or rollback), runs an UPDATE, INSERT or
DELETE, takes a row lock or reloads rows, or expires or refreshes an object, and it is not
used while the session holds changes not written yet: a read never sees an answer older
than the data it would read itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from dme_service.models.base import Base

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
    """A write, or a read that reloads rows (a lock taken with FOR UPDATE, populate_existing):
    what was kept may be older than what the session now holds."""
    reloads = state.execution_options.get("populate_existing") or (
        getattr(state.statement, "_for_update_arg", None) is not None
    )
    if not state.is_select or reloads:
        forget(state.session)


def _on_reload(target, *_args) -> None:
    """An object expired: its next read may differ from what was kept."""
    session = object_session(target) if target is not None else None
    if session is not None:
        forget(session)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, forget)
event.listen(Session, "do_orm_execute", _on_execute)
# A refresh reloads with populate_existing (seen by _on_execute); a row loaded into an object
# already held (a relationship read) changes nothing that was kept.
event.listen(Base, "expire", _on_reload, propagate=True)
