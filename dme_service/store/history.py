"""A case's clinical history row to and from case/history.ClinicalHistory.

The row's columns are the JSON form's keys (case/history.FIELDS). A history with nothing
recorded keeps no row, so a case without history reads exactly as before it existed (its
signed facts and its documents' sources are unchanged).
"""

from __future__ import annotations

from typing import Any

from dme_service import models
from dme_service.case.history import FIELDS, ClinicalHistory, from_values


def history_of(case: models.Case) -> ClinicalHistory | None:
    """The case's recorded history, or None when nothing is recorded."""
    row = case.history
    if row is None:
        return None
    history = from_values({key: getattr(row, key) for key in FIELDS})
    return history if history.recorded else None


def history_document(case: models.Case) -> dict[str, Any] | None:
    """The JSON form of the recorded history (only recorded keys), or None."""
    history = history_of(case)
    return history.as_document() if history is not None else None


def apply_history(case: models.Case, history: ClinicalHistory) -> None:
    """Write the history onto the case's row (in the caller's transaction); nothing recorded
    removes the row."""
    if not history.recorded:
        case.history = None
        return
    row = case.history or models.CaseHistory()
    for key in FIELDS:
        setattr(row, key, getattr(history, key))
    case.history = row
