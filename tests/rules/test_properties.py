"""Hypothesis: random valid cases never raise, always get one of the five statuses and the
same decision twice; random junk is always a CaseFormatError with field errors (and, through
the real command, exit 2 without a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dme_service.case.model import (
    ABSOLUTE_CONTRAINDICATIONS,
    ALSO_REQUESTED,
    AUTHOR_ONLY_CREDENTIALS,
    HOME_DEVICES,
    SCREENING_KEYS,
    SIGNING_CREDENTIALS,
    TRIAL_DEVICES,
)
from dme_service.case.parse import CaseFormatError, parse
from dme_service.coding.payers import payer_ids
from dme_service.rules.decision import STATUSES
from dme_service.rules.engine import evaluate

from .factories import TODAY, a_case

DIAGNOSES = ["M50.122", "M50.020", "M54.12", "M54.2", "M54.50", "M51.16", "G54.2", "M47.812",
             "M48.02", "S13.4XXA", "M26.609", "Z90.09", "M47.13"]  # fmt: skip
FREQUENCIES = ["15 minutes, twice daily", "PRN", "as needed", "3 times a day", "p.r.n.", ""]
BORN = date(1958, 3, 14)

dates = st.dates(min_value=BORN, max_value=TODAY).map(date.isoformat)
forces = st.floats(min_value=0.1, max_value=60, allow_nan=False).map(lambda f: round(f, 1))
answers = st.sampled_from([True, False, None])


@st.composite
def trials(draw):
    return {
        "date": draw(st.dates(min_value=date(2026, 7, 1), max_value=TODAY).map(date.isoformat)),
        "device": draw(st.sampled_from(TRIAL_DEVICES)),
        "position": draw(st.sampled_from(["seated", "supine", None])),
        "force_lb": draw(forces),
        "minutes": draw(st.integers(1, 30)),
        "pain_before": draw(st.integers(0, 10)),
        "pain_after": draw(st.integers(0, 10)),
        "peripheralization": draw(st.booleans()),
        "new_neuro_signs": draw(st.booleans()),
        "use_demonstrated": draw(answers),
        "tolerated": draw(answers),
    }


@st.composite
def valid_cases(draw):
    screening_weights = st.sampled_from([False] * 6 + [True, None])
    screening = {key: draw(screening_weights) for key in SCREENING_KEYS}
    for key in ABSOLUTE_CONTRAINDICATIONS:  # keep most cases past step 1
        if draw(st.integers(0, 9)):
            screening[key] = False
    doc = a_case(
        draw(st.sampled_from(payer_ids())),
        draw(st.sampled_from(HOME_DEVICES)),
        draw(st.one_of(st.none(), forces)),
        diagnoses=draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=3, unique=True)),
        trials=draw(st.lists(trials(), max_size=3)),
        screening=screening,
        credential=draw(st.sampled_from(SIGNING_CREDENTIALS * 3 + AUTHOR_ONLY_CREDENTIALS)),
        abn_on_file=draw(st.booleans()),
        also_requested=draw(st.lists(st.sampled_from(ALSO_REQUESTED), max_size=2)),
        prior_devices=draw(
            st.lists(
                st.fixed_dictionaries(
                    {"hcpcs": st.sampled_from(HOME_DEVICES + ("E0890",)), "date": dates}
                ),
                max_size=2,
            )
        ),
        frequency_text=draw(st.sampled_from(FREQUENCIES)),
    )
    doc["onset_date"] = "2026-06-01"
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_random_valid_cases_get_one_of_five_statuses_deterministically(doc):
    case = parse(doc, today=TODAY)
    first = evaluate(case).as_json()
    assert first["status"] in STATUSES
    assert first == evaluate(parse(doc, today=TODAY)).as_json()
    assert first["warnings"][0]["code"] == "INVERSION_TABLE_UNSUPERVISED"
    json.dumps(first)  # the decision is plain JSON


@settings(max_examples=300, deadline=None)
@given(valid_cases())
def test_decision_invariants(doc):
    decision = evaluate(parse(doc, today=TODAY)).as_json()
    status = decision["status"]
    if status == "eligible":
        assert decision["recommended_hcpcs"] == decision["requested_hcpcs"]
        assert all(r["met"] for r in decision["reasons"])
    if status in ("contraindicated", "incomplete"):
        assert decision["recommended_hcpcs"] is None
    if status == "not_eligible":
        assert any(not r["met"] for r in decision["reasons"])
    assert bool(decision["contraindications"]) == (status == "contraindicated")
    assert bool(decision["missing"]) == (status == "incomplete")
    if decision["modifiers"]:
        assert decision["requested_hcpcs"] in ("E0849", "E0855")
        assert status in ("eligible", "not_eligible")
    if decision["recommended_hcpcs"] not in (None, decision["requested_hcpcs"]):
        assert decision["recommended_hcpcs"] == "E0860"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_junk_is_a_case_format_error_with_field_errors(value):
    try:
        parse(value, today=TODAY)
    except CaseFormatError as exc:
        assert exc.errors
        assert all(e.field and e.message for e in exc.errors)
    else:
        raise AssertionError("junk parsed as a case")


def _leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaf_paths(child, (*prefix, key))
    elif isinstance(value, list) and value:
        for i, child in enumerate(value):
            yield from _leaf_paths(child, (*prefix, i))
    else:
        yield prefix


LEAVES = list(_leaf_paths(a_case(prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}])))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(LEAVES), json_values)
def test_a_junk_value_anywhere_is_accepted_or_named(path, junk):
    doc = a_case(prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}])
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = junk
    try:
        decision = evaluate(parse(doc, today=TODAY))
    except CaseFormatError as exc:
        assert exc.errors
        dotted = ".".join(str(p) for p in path)
        assert any(_same_place(e.field, dotted) for e in exc.errors), (exc.errors, dotted)
    else:
        assert decision.status in STATUSES


def _same_place(field: str, dotted: str) -> bool:
    normal = field.replace("[", ".").replace("]", "")
    return dotted.startswith(normal) or normal.startswith(dotted)


@settings(max_examples=6, deadline=None)
@given(json_values)
def test_junk_through_the_command_exits_2_without_a_traceback(value):
    result = subprocess.run(
        [sys.executable, "-m", "dme_service", "evaluate", "-"],
        input=json.dumps(value).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert result.stderr.strip()


def test_dates_are_bounded_by_the_injected_today():
    doc = a_case(trial={"date": (TODAY + timedelta(days=1)).isoformat()})
    try:
        parse(doc, today=TODAY)
    except CaseFormatError as exc:
        assert [e.field for e in exc.errors] == ["trials[0].date"]
    else:
        raise AssertionError("a trial after today parsed")
