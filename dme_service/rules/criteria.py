"""The criterion tests a policy pack may name, and the trial response they build on.

Each test judges the facts it reads and returns (met, fact): whether the clause is met and
the fact of this case it was judged on, phrased for billing staff ("25 lb ordered").
The pack supplies the thresholds and operators; nothing here knows a payer.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from dme_service.case.model import Case, Trial
from dme_service.case.response import IMPROVED, trial_response
from dme_service.coding import codes
from dme_service.rules.policy import Criterion, load_code_list
from dme_service.rules.wording import SCREENING_LABELS, pounds

OPERATORS: dict[str, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge}


# Each test is split in two: `inputs` picks the few facts of the case the clause reads
# (a hashable tuple), `judge` turns them into (met, fact). The engine caches reasons by
# inputs, so cases that share facts (same diagnoses, same force) share the work.


def diagnosis_inputs(criterion: Criterion, case: Case, trial: Trial | None) -> tuple:
    return (case.diagnoses,)


def diagnosis_in_list(criterion: Criterion, diagnoses: tuple[str, ...]):
    code_list = load_code_list(criterion.code_list)
    for dotted in diagnoses:
        if code_list.matches(dotted.replace(".", "")):
            found = codes.lookup(dotted)
            return True, f"{dotted} ({found.descriptor})" if found else dotted
    return False, f"no cervical-region diagnosis among {', '.join(diagnoses)}"


def trial_inputs(criterion: Criterion, case: Case, trial: Trial | None) -> tuple:
    return (trial,)  # Trial is a frozen dataclass: hashable


def home_trial_inputs(criterion: Criterion, case: Case, trial: Trial | None) -> tuple:
    # Clarification 13: criterion 2 reads the latest home-unit trial, not the latest trial.
    return (case.latest_home_trial,)


def trial_demonstrated_and_tolerated(criterion: Criterion, trial: Trial | None):
    if trial is None:
        return False, "no home unit has been demonstrated in a supervised trial"
    on = f"on the {trial.date.isoformat()} {trial.device} trial"
    if trial.use_demonstrated and trial.tolerated:
        return True, f"use demonstrated and device tolerated {on}"
    problems = []
    if not trial.use_demonstrated:
        problems.append("use not demonstrated")
    if not trial.tolerated:
        problems.append("device not tolerated")
    return False, f"{' and '.join(problems)} {on}"


def trial_improved(criterion: Criterion, trial: Trial | None):
    if trial is None:
        return False, "no trial recorded"
    response = trial_response(trial)
    fact = (
        f"pain {trial.pain_before} to {trial.pain_after} on the "
        f"{trial.date.isoformat()} trial ({response})"
    )
    return response == IMPROVED, fact


def screening_inputs(criterion: Criterion, case: Case, trial: Trial | None) -> tuple:
    screening = case.screening
    return tuple(screening.get(key) for key in criterion.keys)


def screening_all_true(criterion: Criterion, *answers: bool | None):
    met = all(value is True for value in answers)
    fact = "; ".join(
        f"{SCREENING_LABELS[key]}: {'yes' if value else 'no'}"
        for key, value in zip(criterion.keys, answers, strict=True)
    )
    return met, fact


def force_inputs(criterion: Criterion, case: Case, trial: Trial | None) -> tuple:
    return (case.request.force_lb,)


def request_force(criterion: Criterion, force: float | None):
    if force is None:
        return False, "no force in the order (request.force_lb)"
    met = OPERATORS[criterion.operator](force, criterion.threshold_lb)
    return met, f"{pounds(force)} ordered"


# test name (as payer files spell it) -> (inputs, judge)
CRITERION_TESTS: dict[str, tuple[Callable, Callable]] = {
    "diagnosis_in_list": (diagnosis_inputs, diagnosis_in_list),
    "trial_demonstrated_and_tolerated": (home_trial_inputs, trial_demonstrated_and_tolerated),
    "trial_improved": (trial_inputs, trial_improved),
    "screening_all_true": (screening_inputs, screening_all_true),
    "request_force": (force_inputs, request_force),
}
