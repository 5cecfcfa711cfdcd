"""What changed in a case since a user opened its page: the 409 page's comparison.

A save made on an older version is refused (services.cases.edit.StaleCase). The user needs to
know what the other save changed relative to the page they loaded, not only how the case reads
now: a field that now differs from their entries may be one they changed themselves. The case
as the page was loaded is the case document kept by the last save at or before that version
(store.case_versions; billing and signing moves advance the version without changing the
document); each fact that differs now is attributed to the last save that changed it, and
flagged when the user's own entries change it too, to another value (theirs or yours must win).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import CaseVersion
from dme_service.rules.changes import changes
from dme_service.services.cases import sections as case_sections
from dme_service.store import case_versions


@dataclass(frozen=True)
class ChangeSinceOpened:
    """One fact changed by someone else since the page was opened, in clinician words."""

    label: str
    when_opened: str
    now: str
    by: str | None
    at: datetime | None
    also_yours: bool  # the user's unsaved entries change this fact too


def since_opened(
    session: Session, case_id: int, opened_version: int, now: dict[str, Any], yours
) -> list[ChangeSinceOpened] | None:
    """The facts of `now` (the stored document) that differ from the document at
    `opened_version`; `yours` are the user's (section, part) edits. None when the document at
    that version was not kept (a case older than the kept versions)."""
    opened = _kept_at(session, case_id, opened_version)
    if opened is None:
        return None
    typed = opened.document
    for section, part in yours:
        typed = case_sections.merged(typed, section, part)
    # The user's own change to a fact counts when it also differs from what is saved now
    # (both typed the same new value: nothing to choose between).
    differs = {change.key for change in changes(now, typed)}
    mine = {change.key for change in changes(opened.document, typed)} & differs
    who = case_versions.who_changed(session, opened)
    found = []
    for change in changes(opened.document, now):
        by, at = who.get(change.key, (None, None))
        found.append(
            ChangeSinceOpened(change.label, change.old, change.new, by, at, change.key in mine)
        )
    return found


def _kept_at(session: Session, case_id: int, version: int) -> CaseVersion | None:
    """The document the case had at `version`: the last one kept at or before it."""
    query = select(CaseVersion).where(
        CaseVersion.case_id == case_id, CaseVersion.case_version <= version
    )
    return session.scalars(query.order_by(CaseVersion.id.desc()).limit(1)).first()
