"""Every place that shows or applies a contract rule gives the same answer on the same input.

One row per input; each test asks every user of the rule: the decision (rules.evaluate), the
SWO (documents.swo), the readiness checklist (rules.readiness, which the packet cover, the
billing queue and the claim page all print: tests/services/billing/test_one_checklist.py),
the case page (web.pages.cases) and the home plan. A second copy of a rule that drifts from
the first fails here.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from rules.factories import TODAY, a_case, a_trial

from dme_service.case import response
from dme_service.case.parse import parse
from dme_service.documents import checklist
from dme_service.documents.swo import check_order
from dme_service.documents.types import DocumentRefused, RenderOptions
from dme_service.rules.engine import evaluate
from dme_service.services.patient.home_plan import _taught_supine
from dme_service.web.pages.cases.inputs import trial_response_of
from dme_service.web.pages.cases.page import latest_home_trial


def decided(**changes):
    case = parse(a_case(**changes), today=TODAY)
    return case, evaluate(case)


def checklist_status(case, decision, key: str) -> str:
    """The status of one item of the readiness checklist, as the packet cover prints it."""
    items = checklist.readiness(case, decision, RenderOptions(now=datetime.now(UTC)))
    return next(item.status for item in items if item.key == key)


def warns(decision, code: str) -> bool:
    return any(warning.code == code for warning in decision.warnings)


# --- PRN (clarification 5) ----------------------------------------------------------------

PRN_ROWS = {
    "PRN": True,
    "15 min prn": True,
    "p.r.n.": True,
    "as needed": True,
    "As-Needed": True,
    "_prn": True,
    "2prn": False,
    "prn2": False,
    "prn_": False,
    "as-needed1": False,
    "1as needed": False,
    "15 minutes, twice daily": False,
    "apprentice schedule": False,
}


def swo_refuses(case) -> bool:
    try:
        check_order(case)
    except DocumentRefused as refused:
        return refused.field == "request.frequency_text"
    return False


@pytest.mark.parametrize(("frequency", "prn"), PRN_ROWS.items(), ids=list(PRN_ROWS))
def test_the_decision_the_order_and_the_checklist_agree_on_prn(frequency, prn):
    case, decision = decided(frequency_text=frequency)
    answers = {
        "decision warns": warns(decision, "ORDER_FREQUENCY_PRN"),
        "SWO refuses": swo_refuses(case),
        "readiness checklist flags": checklist_status(case, decision, "frequency") == "missing",
    }
    assert answers == dict.fromkeys(answers, prn)


# --- same or similar (clarification 8) ----------------------------------------------------

TRIAL_DAY = "2026-10-02"
SAME_OR_SIMILAR_ROWS = {
    "E0860 four years before the trial": ("E0860", "2022-10-02", True),
    "E0849 1825 days before": ("E0849", "2021-10-03", True),
    "E0860 exactly 1826 days before": ("E0860", "2021-10-02", False),
    "E0860 six years before": ("E0860", "2020-09-01", False),
    "E0860 on the trial day": ("E0860", TRIAL_DAY, True),
    "E0860 dated after the latest trial": ("E0860", "2026-11-01", True),
    "E0941 (not cervical traction) a year before": ("E0941", "2025-10-02", False),
}


@pytest.mark.parametrize(
    ("hcpcs", "day", "within"), SAME_OR_SIMILAR_ROWS.values(), ids=list(SAME_OR_SIMILAR_ROWS)
)
def test_the_decision_and_the_checklist_agree_on_same_or_similar(hcpcs, day, within):
    case, decision = decided(
        trial={"date": TRIAL_DAY}, prior_devices=[{"hcpcs": hcpcs, "date": day}]
    )
    answers = {
        "decision warns": warns(decision, "SAME_OR_SIMILAR"),
        "readiness checklist asks for review": checklist_status(case, decision, "same_or_similar")
        == "review",
    }
    assert answers == dict.fromkeys(answers, within)


# --- trial response ------------------------------------------------------------------------

SCORES = range(0, 11)
SIGNS = [(False, False), (True, False), (False, True)]


@pytest.mark.parametrize(("peripheralization", "new_neuro_signs"), SIGNS)
def test_the_decision_and_the_case_page_give_the_same_trial_response(
    peripheralization, new_neuro_signs
):
    for before, after in itertools.product(SCORES, SCORES):
        case, decision = decided(
            trial={
                "pain_before": before,
                "pain_after": after,
                "peripheralization": peripheralization,
                "new_neuro_signs": new_neuro_signs,
            }
        )
        page = trial_response_of(
            {
                "pain_before": str(before),
                "pain_after": str(after),
                "peripheralization": "yes" if peripheralization else "no",
                "new_neuro_signs": "yes" if new_neuro_signs else "no",
            }
        )
        assert decision.trial_response == page == response.trial_response(case.trials[0]), (
            before,
            after,
        )


# --- the deciding trial (clarification 3) -------------------------------------------------

DECIDING_ROWS = {
    "one trial": (["2026-10-02"], 0),
    "the later date wins": (["2026-10-05", "2026-10-02"], 0),
    "listed in date order": (["2026-10-01", "2026-10-02"], 1),
    "a tie goes to the later in the list": (["2026-10-02", "2026-10-02"], 1),
    "a tie after a later-listed earlier trial": (["2026-10-02", "2026-09-01", "2026-10-02"], 2),
}


@pytest.mark.parametrize(("dates", "deciding"), DECIDING_ROWS.values(), ids=list(DECIDING_ROWS))
def test_the_engine_the_case_page_and_the_home_plan_pick_the_same_trial(dates, deciding):
    positions = ["seated"] * len(dates)
    positions[deciding] = "supine"
    document = a_case(
        trials=[a_trial(date=day, position=p) for day, p in zip(dates, positions, strict=True)]
    )
    case = parse(document, today=TODAY)
    rows = [
        SimpleNamespace(
            date=trial.date, position=i, body_position=trial.position, device=trial.device
        )
        for i, trial in enumerate(case.trials)
    ]
    assert case.latest_trial_index == deciding
    assert latest_home_trial(document) is document["trials"][deciding]
    assert _taught_supine(SimpleNamespace(trials=list(reversed(rows))))
