"""A clinician's review of a red flag the patient logged at home: who, when, and what was done.

A red-flag entry flags its case (home_log.cases_with_red_flags, the case page's alert) until a
clinician or practitioner reviews it with a short note of the action taken. A review belongs to
one entry, so a red flag logged after it is a new, open entry and flags the case again.

The note is clinical free text: it stays on the entry, which billing never sees (docs/security.md
AC-3), and never reaches the audit row, which carries surrogate ids only (LOG-1).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import printable, unit_of_work
from dme_service.models import Case, HomeLogEntry, utcnow

NOTE_MAX = 500  # a phone call and a plan, not a chart note
REVIEWERS = frozenset(
    {"clinician", "practitioner"}
)  # web/security/access.py CLINICAL, checked again


class ReviewInvalid(ValueError):
    """The note cannot be stored; `errors` maps the field name to a message code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotReviewable(LookupError):
    """No red-flag entry with this id in this case (or the case is not the user's clinic's)."""


class NotPermitted(PermissionError):
    """The user's role does not review red flags (billing sees no clinical text)."""


class AlreadyReviewed(Exception):
    """Someone reviewed the entry first; their review stands and the new note was not saved."""

    def __init__(self, entry: HomeLogEntry) -> None:
        super().__init__(f"home log entry {entry.id} was already reviewed")
        self.entry = entry


def check_note(note: str | None) -> dict[str, str]:
    """Field name -> message code when the note cannot be stored (empty when it can)."""
    text = (note or "").strip()
    if not text:
        return {"note": "required"}
    if len(text) > NOTE_MAX:
        return {"note": "too_long"}
    if not printable(text):
        return {"note": "control"}
    return {}


def review_entry(
    session: Session, user, case: Case, entry_id: int, note: str | None
) -> HomeLogEntry:
    """Mark the case's red-flag entry reviewed by `user` with `note`; audited. Commits.

    The entry row is locked first, so of two clinicians reviewing at once the second gets
    AlreadyReviewed instead of overwriting the first one's note.
    """
    if getattr(user, "role", None) not in REVIEWERS:
        raise NotPermitted("Only clinicians and practitioners review red flags.")
    if case.clinic_id != getattr(user, "clinic_id", None):
        raise NotReviewable(entry_id)
    errors = check_note(note)
    if errors:
        raise ReviewInvalid(errors)
    with unit_of_work(session):
        entry = _locked_entry(session, case, entry_id)
        entry.reviewed_at = utcnow()
        entry.reviewed_by_id = user.id
        entry.review_note = note.strip()
        session.flush()
        audit.record(
            session,
            user=user,
            action="case.red_flag_reviewed",
            object_type="home_log_entry",
            object_id=entry.id,
            patient_id=case.patient_id,
        )
    return entry


def _locked_entry(session: Session, case: Case, entry_id: int) -> HomeLogEntry:
    """The case's open red-flag entry, locked for update; raises when there is none."""
    entry = session.scalar(
        select(HomeLogEntry)
        .where(HomeLogEntry.id == entry_id, HomeLogEntry.case_id == case.id)
        .with_for_update()
    )
    if entry is None or not entry.red_flags:
        raise NotReviewable(entry_id)
    if entry.reviewed_at is not None:
        raise AlreadyReviewed(entry)
    return entry
