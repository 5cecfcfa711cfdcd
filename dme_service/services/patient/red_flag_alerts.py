"""Red flags from home that no clinician has reviewed yet, where people look first: at the top
of the case page beside the decision, and on the treating practitioner's home page.

Clinical information: for the clinical roles' pages only, never billing's (docs/security.md
AC-3). An outside practitioner's list holds only the cases naming them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import Case, HomeLogEntry, User
from dme_service.services.patient import home_log

PRACTITIONER_LIMIT = 50


@dataclass(frozen=True)
class RedFlagAlert:
    """One open red-flag entry and its case."""

    case: Case
    entry: HomeLogEntry


def _open(query):
    return query.where(HomeLogEntry.reviewed_at.is_(None)).order_by(
        HomeLogEntry.date.desc(), HomeLogEntry.id.desc()
    )


def open_for_case(session: Session, case: Case) -> list[HomeLogEntry]:
    """The case's red-flag entries not reviewed yet, newest first (from the case's log, which
    the page's adherence card reads too)."""
    entries = home_log.red_flag_entries(home_log.entries_for(session, case.id))
    return [entry for entry in entries if entry.reviewed_at is None]


def open_for_practitioner(session: Session, user: User) -> list[RedFlagAlert]:
    """Open red flags on the cases naming `user` as treating practitioner, newest first."""
    query = _open(
        select(HomeLogEntry, Case)
        .join(Case, Case.id == HomeLogEntry.case_id)
        .where(Case.clinic_id == user.clinic_id, Case.treating_practitioner_id == user.id)
    ).limit(PRACTITIONER_LIMIT * 4)
    alerts = [
        RedFlagAlert(case, entry) for entry, case in session.execute(query) if entry.red_flags
    ]
    return alerts[:PRACTITIONER_LIMIT]
