"""One line of a claim's readiness checklist, and which unmet lines stop a move.

Separate from `services.readiness`, which assembles the checklist, so that the modules that
build lines (`order_checks`, `record_checks`, readiness itself) and those that read them
(billing, the billing queue) share the type without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadinessItem:
    """One checklist line; `needed_for` is "submission" or "payment"."""

    key: str
    label: str
    met: bool
    detail: str
    needed_for: str = "submission"
    follows: str | None = None  # unmet only because this other item is: not listed twice


def missing(items: list[ReadinessItem], needed_for: str = "submission") -> list[ReadinessItem]:
    """The unmet items a move needs: submission items, or every item for "payment"."""
    wanted = ("submission",) if needed_for == "submission" else ("submission", "payment")
    unmet = [item for item in items if not item.met and item.needed_for in wanted]
    keys = {item.key for item in unmet}
    return [item for item in unmet if item.follows not in keys]
