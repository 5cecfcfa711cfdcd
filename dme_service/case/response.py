"""The trial's response and the deciding trial, as the contract defines them.

docs/case-format.md ("Case document", clarification 3): the latest trial by date decides,
ties going to the later one in the list; its response is worse (peripheralization, new
neurological signs or more pain), improved (pain down by at least 2 points or at least 30 %),
else unchanged. The engine, the letters, the case page and the home plan all call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

WORSE, IMPROVED, UNCHANGED = "worse", "improved", "unchanged"


def response(before: int, after: int, peripheralization: bool, new_neuro_signs: bool) -> str:
    """worse / improved / unchanged from the four facts of a trial that decide it."""
    if peripheralization or new_neuro_signs or after > before:
        return WORSE
    drop = before - after
    # drop / before >= 0.3 written without division: exact for whole-number scores.
    if drop >= 2 or (before > 0 and 10 * drop >= 3 * before):
        return IMPROVED
    return UNCHANGED


def trial_response(trial) -> str:
    """The response of a trial (a `case.model.Trial` or anything with the same four facts)."""
    return response(
        trial.pain_before, trial.pain_after, trial.peripheralization, trial.new_neuro_signs
    )


def worse_because(trial) -> str:
    """Why a trial counts as worse, as a phrase."""
    why = []
    if trial.peripheralization:
        why.append("peripheralization with traction")
    if trial.new_neuro_signs:
        why.append("new neurological signs")
    if trial.pain_after > trial.pain_before:
        why.append(f"pain rose from {trial.pain_before} to {trial.pain_after}")
    return ", ".join(why)


def deciding_index(dates: Sequence[date | str | None]) -> int | None:
    """Index of the deciding trial among trials dated `dates` (ISO strings compare alike):
    the latest by date, ties to the later in the list; trials without a date never decide."""
    best = None
    for i, day in enumerate(dates):
        if day is not None and day != "" and (best is None or day >= dates[best]):
            best = i
    return best
