"""What changed in an order since its practitioner last looked at it, and who changed it.

"Last looked" is the practitioner's latest signature of the case (voided or superseded by an
amended order since, or it would still stand) or their latest "ask for changes" / "decline",
whichever came later. The case as it stood then is the last case document kept before that
moment (store.case_versions); each fact that differs now is attributed to the last save that
changed it. Orders signed or sent back before documents were kept say so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dme_service.models import Case
from dme_service.rules.changes import FieldChange, changes
from dme_service.store import case_versions, order_returns
from dme_service.store.signed_content import signatures


@dataclass(frozen=True)
class Change:
    """One changed fact: its words, the old and new values, and who changed it when (None
    when no kept save explains it, e.g. a change made outside the application)."""

    label: str
    old: str
    new: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class SinceLastLook:
    """What the practitioner did last ("signed", "changes" or "declined"), when, with the
    note of a return, and the changes since (None when that version was not kept)."""

    what: str
    at: datetime
    note: str | None
    changes: list[Change] | None


def since_last_look(session: Session, case: Case) -> SinceLastLook | None:
    """Changes since the practitioner's last signature or return; None when there was none,
    or when their signature still stands (nothing changed)."""
    last = _last_look(session, case)
    if last is None:
        return None
    what, at, note = last
    baseline = case_versions.as_of(session, case.id, at)
    if baseline is None:
        return SinceLastLook(what, at, note, None)
    now = case_versions.kept_document(case)  # with the history the letter states
    found = changes(baseline.document, now)
    who = case_versions.who_changed(session, baseline)
    listed = [_with_who(change, who) for change in found]
    return SinceLastLook(what, at, note, listed)


def _last_look(session: Session, case: Case):
    """(what, when, note) of the latest signature or return, or None."""
    looks = []
    signed = signatures(session, case.id)
    if signed and signed[0].voided_at is None and signed[0].superseded_at is None:
        return None  # it still stands: the case is signed, nothing to compare
    # Only the named practitioner's own looks: a newly named one has no "since you signed".
    practitioner_id = case.treating_practitioner_id
    theirs = [signature for signature in signed if signature.signer_id == practitioner_id]
    if theirs:
        looks.append(("signed", theirs[0].signed_at, None))
    returned = order_returns.latest(session, case.id)
    if returned is not None and returned.practitioner_id == practitioner_id:
        looks.append((returned.kind, returned.returned_at, returned.note))
    return max(looks, key=lambda look: look[1]) if looks else None


def _with_who(change: FieldChange, who: dict[str, tuple[str, datetime]]) -> Change:
    by, at = who.get(change.key, (None, None))
    return Change(change.label, change.old, change.new, by, at)
