"""A case's billing moves as the case page reads them: one read of the few columns that the
order's reason, the proof of delivery and the first submission come from.

The page asks three questions of the same rows (the reason printed on the order, the delivery
and the submission day on the packet's checklist); a case has a handful of moves, so they are
read once per unit of work (store/unit_memo.py) and each question is answered from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service.models import BillingEvent
from dme_service.store import unit_memo


@dataclass(frozen=True)
class Move:
    """One billing move of the case: where it went, when, its note and proof of delivery."""

    id: int
    to_state: str
    at: datetime
    note: str | None
    delivery: dict[str, Any] | None


def moves_of(session: Session, case_id: int) -> tuple[Move, ...]:
    """Every billing move of the case, oldest first."""
    read = lambda: _read(session, case_id)  # noqa: E731
    return unit_memo.remembered(session, ("billing_moves", case_id), read)


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_MOVES = (
    select(
        BillingEvent.id,
        BillingEvent.to_state,
        BillingEvent.at,
        BillingEvent.note,
        BillingEvent.delivery,
    )
    .where(BillingEvent.case_id == bindparam("case_id"))
    .order_by(BillingEvent.id)
)


def _read(session: Session, case_id: int) -> tuple[Move, ...]:
    return tuple(Move(*row) for row in session.execute(_MOVES, {"case_id": case_id}))


def latest_note_to(session: Session, case_id: int, to_state: str) -> str | None:
    """The note of the case's latest move to `to_state` (None when there is none)."""
    moves = reversed(moves_of(session, case_id))
    return next((move.note for move in moves if move.to_state == to_state), None)


def first_move_to(session: Session, case_id: int, to_state: str) -> datetime | None:
    """When the case first moved to `to_state` (None when it never did)."""
    return next((m.at for m in moves_of(session, case_id) if m.to_state == to_state), None)


def latest_delivery(session: Session, case_id: int) -> dict[str, Any] | None:
    """The newest proof of delivery recorded with any move of the case."""
    return next((m.delivery for m in reversed(moves_of(session, case_id)) if m.delivery), None)
