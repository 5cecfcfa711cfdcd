"""The case document as each save left it: written after every save that changed it, read to
say what changed since the practitioner last saw the order and who changed it.

Only the case document (docs/case-format.md) is kept, with the clinical history the letter
states (case/history.py, under "history", once any is recorded), never the free-text notes; a
save that changed nothing in them (a billing move, a note) adds no row. Only the sign page
reads them (AC-3: never billing).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import Case, CaseVersion, User, utcnow
from dme_service.rules.changes import changes
from dme_service.store.cases import to_document
from dme_service.store.history import history_document


def latest(session: Session, case_id: int) -> CaseVersion | None:
    query = select(CaseVersion).where(CaseVersion.case_id == case_id)
    return session.scalars(query.order_by(CaseVersion.id.desc()).limit(1)).first()


def kept_document(case: Case) -> dict:
    """What a version keeps of the case now: its document, and the recorded history."""
    document = to_document(case)
    history = history_document(case)
    if history:
        document["history"] = history
    return document


def record(session: Session, case: Case, user: User) -> CaseVersion | None:
    """Keep the case document as saved now, when it differs from the last one kept; the
    caller has flushed the save and commits."""
    document = kept_document(case)
    last = latest(session, case.id)
    if last is not None and last.document == document:
        return None
    row = CaseVersion(
        case_id=case.id,
        case_version=case.version,
        document=document,
        saved_by_id=user.id,
        saved_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def as_of(session: Session, case_id: int, moment: datetime) -> CaseVersion | None:
    """The document as it stood at `moment`: the last one kept at or before it. By time, not
    by version number: a save that changed only a trial row leaves the case row's version."""
    query = select(CaseVersion).where(
        CaseVersion.case_id == case_id, CaseVersion.saved_at <= moment
    )
    return session.scalars(query.order_by(CaseVersion.id.desc()).limit(1)).first()


def after(session: Session, case_id: int, row_id: int | None) -> list[CaseVersion]:
    """The documents kept after the row `row_id` (all of them for None), oldest first."""
    query = select(CaseVersion).where(CaseVersion.case_id == case_id)
    if row_id is not None:
        query = query.where(CaseVersion.id > row_id)
    return list(session.scalars(query.order_by(CaseVersion.id)))


def who_changed(session: Session, since: CaseVersion) -> dict[str, tuple[str, datetime]]:
    """For each fact changed after the kept document `since` (by its rules.changes key): who
    saved the last change to it, and when."""
    who: dict[str, tuple[str, datetime]] = {}
    previous = since
    for row in after(session, since.case_id, since.id):
        for change in changes(previous.document, row.document):
            who[change.key] = (row.saved_by.name, row.saved_at)
        previous = row
    return who
