"""Contract revision 2 (docs/case-format.md clarification 13 and DEMONSTRATED_DEVICE_DIFFERS):
home-unit trials and clinic trials. One row per bullet (and per case of the warning), checked
through the rules and through the real `dme-service evaluate --batch`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rules.factories import a_case, a_trial, decide, reason, warning_codes

MONDAY_HOME = a_trial(date="2026-10-05", pain_before=6, pain_after=4)
WEDNESDAY_CLINIC = a_trial(
    date="2026-10-07",
    device="mechanical",
    position="supine",
    force_lb=15,
    pain_before=6,
    pain_after=2,
    use_demonstrated=None,
    tolerated=None,
)


def clinic(**overrides) -> dict:
    return {**WEDNESDAY_CLINIC, **overrides}


def home(**overrides) -> dict:
    return {**MONDAY_HOME, **overrides}


# (row id, case document, expected facts of the decision)
ROWS = [
    # Bullet 1: the response (and TRIAL_WORSENED) comes from the latest trial of any device.
    (
        "1-later-clinic-trial-worse-stops-the-home-unit",
        a_case(trials=[home(), clinic(peripheralization=True)]),
        {"status": "not_eligible", "trial_response": "worse", "reason": "TRIAL_WORSENED"},
    ),
    (
        "1-response-of-the-later-clinic-trial",
        a_case("premera", trials=[home(pain_before=6, pain_after=5), clinic()]),
        {"status": "eligible", "trial_response": "improved"},
    ),
    # Bullet 2: criterion 2 reads only the latest home-unit trial.
    (
        "2-monday-demonstration-wednesday-clinic-is-eligible",
        a_case(trials=[home(), clinic()]),
        {"status": "eligible", "trial_response": "improved", "missing": []},
    ),
    (
        "2-the-latest-home-unit-trial-decides",
        a_case(
            trials=[
                home(date="2026-10-01"),
                home(date="2026-10-05", tolerated=False),
                clinic(),
            ]
        ),
        {"status": "not_eligible", "unmet": "device not tolerated on the 2026-10-05"},
    ),
    (
        "2-its-missing-answer-is-incomplete-at-its-index",
        a_case(trials=[clinic(date="2026-10-09"), home(tolerated=None)]),
        {"status": "incomplete", "missing": ["trials[1].tolerated"]},
    ),
    # Bullet 3: on clinic trials the two answers are optional and ignored.
    (
        "3-clinic-answers-are-ignored",
        a_case(trials=[home(), clinic(use_demonstrated=False, tolerated=False)]),
        {"status": "eligible", "missing": []},
    ),
    (
        "3-clinic-answers-are-never-missing",
        a_case(trials=[home(), clinic(device="manual")]),
        {"status": "eligible", "missing": []},
    ),
    # Bullet 4: trials but no home-unit trial: criterion 2 unmet, no recommendation.
    (
        "4-no-home-unit-trial-is-not-eligible",
        a_case(trials=[clinic()]),
        {
            "status": "not_eligible",
            "recommended_hcpcs": None,
            "unmet": "no home unit has been demonstrated in a supervised trial",
        },
    ),
    (
        "4-no-home-unit-trial-recommends-nothing-instead",
        a_case(hcpcs="E0849", force_lb=25, trials=[clinic(device="manual")]),
        {"status": "not_eligible", "recommended_hcpcs": None},
    ),
    # Bullet 5: clarification 2's alternative uses the same latest home-unit trial.
    (
        "5-the-alternative-reads-the-home-unit-trial",
        a_case(hcpcs="E0941", force_lb=None, trials=[home(), clinic()]),
        {"status": "not_covered", "recommended_hcpcs": "E0860"},
    ),
    # DEMONSTRATED_DEVICE_DIFFERS.
    (
        "warning-when-the-ordered-unit-was-not-the-demonstrated-one",
        a_case(hcpcs="E0849", force_lb=25, trials=[home(), clinic()]),
        {"status": "eligible", "warning": True},
    ),
    (
        "no-warning-for-the-demonstrated-unit",
        a_case(trials=[home(), clinic()]),
        {"warning": False},
    ),
    (
        "no-warning-for-e0941",
        a_case(hcpcs="E0941", force_lb=None, trials=[home()]),
        {"warning": False},
    ),
    (
        "no-warning-without-a-home-unit-trial",
        a_case(hcpcs="E0849", force_lb=25, trials=[clinic()]),
        {"warning": False},
    ),
]


def check(decision: dict, expected: dict) -> None:
    for key in ("status", "trial_response", "missing", "recommended_hcpcs"):
        if key in expected:
            assert decision[key] == expected[key], (key, decision)
    if "reason" in expected:
        assert reason(decision, expected["reason"])["met"] is False
    if "unmet" in expected:
        texts = [r["text"] for r in decision["reasons"] if not r["met"]]
        assert any(expected["unmet"] in text for text in texts), texts
    if "warning" in expected:
        present = "DEMONSTRATED_DEVICE_DIFFERS" in warning_codes(decision)
        assert present is expected["warning"], warning_codes(decision)


@pytest.mark.parametrize(("doc", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_revision_2_through_the_rules(doc, expected):
    check(decide(doc), expected)


def test_revision_2_through_dme_service_evaluate(tmp_path):
    for name, doc, _ in ROWS:
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    result = subprocess.run(
        [sys.executable, "-m", "dme_service", "evaluate", "--batch", str(tmp_path)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode()[-2000:]
    lines = {
        line["file"]: line["decision"]
        for line in map(json.loads, result.stdout.decode().splitlines())
    }
    for name, _, expected in ROWS:
        check(lines[f"{name}.json"], expected)


def test_the_warning_names_both_units():
    decision = decide(a_case(hcpcs="E0849", force_lb=25, trials=[home(), clinic()]))
    text = next(
        w["text"] for w in decision["warnings"] if w["code"] == "DEMONSTRATED_DEVICE_DIFFERS"
    )
    assert "E0860" in text and "E0849" in text and "2026-10-05" in text
