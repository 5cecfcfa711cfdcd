"""Which document exists for which decision (documents/availability.py): one table, status by
document kind, each refusal one readable sentence naming its field (issue 16)."""

from __future__ import annotations

import pytest

from dme_service.documents.availability import KINDS, refusal
from documents.samples import case_and_decision

REASON = "The patient has signed an ABN and chooses the unit."
OK = None
# situation -> (case changes, reason given, {kind: field refused, or OK})
SITUATIONS = {
    "eligible": (
        {},
        None,
        dict(lmn=OK, swo=OK, instructions=OK, packet=OK, summary=OK, trial_note=OK),
    ),
    "contraindicated": (
        {"screening": {"myelopathy": True, "severe_osteoporosis": True}},
        REASON,
        dict(
            lmn="screening",
            swo="screening",
            instructions="screening",
            packet="screening",
            summary=OK,
            trial_note=OK,
        ),
    ),
    "incomplete screening": (
        {"screening": {"vertebrobasilar_insufficiency": None}},
        REASON,
        dict.fromkeys(
            ("lmn", "swo", "instructions", "packet"), "screening.vertebrobasilar_insufficiency"
        )
        | dict(summary=OK, trial_note=OK),
    ),
    "PT named as signer": (
        {"credential": "PT"},
        REASON,
        dict.fromkeys(("lmn", "swo", "instructions", "packet"), "treating_practitioner.credential")
        | dict(summary=OK, trial_note=OK),
    ),
    "worse trial": (
        {"trial": {"pain_before": 4, "pain_after": 6}},
        REASON,
        dict.fromkeys(("lmn", "swo", "instructions", "packet"), "trials[0]")
        | dict(summary=OK, trial_note=OK),
    ),
    "worse trial, payer never covers": (
        {"payer": "uhc_commercial", "trial": {"peripheralization": True}},
        REASON,
        dict.fromkeys(("lmn", "swo", "instructions", "packet"), "trials[0]")
        | dict(summary=OK, trial_note=OK),
    ),
    "inversion device": (
        {"hcpcs": "E0941"},
        REASON,
        dict.fromkeys(("lmn", "swo", "instructions", "packet"), "request.hcpcs")
        | dict(summary=OK, trial_note=OK),
    ),
    "not eligible, no reason": (
        {"hcpcs": "E0849", "force_lb": 20},
        None,
        dict(
            lmn="decision.status",
            swo="reason",
            instructions="reason",
            packet="reason",
            summary=OK,
            trial_note=OK,
        ),
    ),
    "not eligible, with a reason": (
        {"hcpcs": "E0849", "force_lb": 20},
        REASON,
        dict(lmn="decision.status", swo=OK, instructions=OK, packet=OK, summary=OK, trial_note=OK),
    ),
    "not covered, no reason": (
        {"payer": "uhc_commercial"},
        "   ",
        dict(
            lmn="decision.status",
            swo="reason",
            instructions="reason",
            packet="reason",
            summary=OK,
            trial_note=OK,
        ),
    ),
    "not covered, with a reason": (
        {"payer": "uhc_commercial"},
        REASON,
        dict(lmn="decision.status", swo=OK, instructions=OK, packet=OK, summary=OK, trial_note=OK),
    ),
}
# The submission packet follows the billing packet; the ABN only for GA / GZ (Medicare, IBX MA).
ABN = {
    "eligible": "decision.modifiers",
    "not eligible, no reason": OK,
    "not eligible, with a reason": OK,
    "not covered, no reason": "decision.modifiers",
    "not covered, with a reason": "decision.modifiers",
}
for _name, (_, _, _expected) in SITUATIONS.items():
    _expected["submission"] = _expected["packet"]
    _expected["abn"] = ABN.get(_name, _expected["packet"])

CASES = [
    pytest.param(changes, reason, kind, expected[kind], id=f"{name}-{kind}")
    for name, (changes, reason, expected) in SITUATIONS.items()
    for kind in KINDS
]


@pytest.mark.parametrize(("changes", "reason", "kind", "field"), CASES)
def test_each_kind_for_each_situation(changes, reason, kind, field):
    changes = dict(changes)
    payer = changes.pop("payer", "medicare")
    case, decision = case_and_decision(payer, **changes)
    found = refusal(kind, case, decision, reason=reason)
    if field is OK:
        assert found is None
        return
    assert found is not None and found.field == field
    # one readable sentence: no newline, no field path dump, says what is not printed
    assert "\n" not in found.message and found.message[0].islower()
    assert "printed" in found.message


def test_a_refusal_says_why_and_what_to_do():
    case, decision = case_and_decision(screening={"myelopathy": True, "severe_osteoporosis": True})
    assert refusal("swo", case, decision).message == (
        "traction is contraindicated for this patient (severe osteoporosis, myelopathy), so no "
        "written order is printed; do not dispense a home traction unit"
    )
    case, decision = case_and_decision(hcpcs="E0941")
    assert refusal("instructions", case, decision).message == (
        "no patient instructions are printed for a gravity or inversion device (E0941); E0860 "
        "meets this patient's criteria, so order the over-door unit instead"
    )
    case, decision = case_and_decision(credential="PT")
    assert refusal("swo", case, decision).message == (
        "a PT may not sign an order, so no written order is printed; name the treating MD, DO, "
        "DPM, PA, NP or CNS"
    )


def test_the_statuses_the_table_covers():
    statuses = set()
    for changes, _, _ in SITUATIONS.values():
        changes = dict(changes)
        payer = changes.pop("payer", "medicare")
        statuses.add(case_and_decision(payer, **changes)[1].status)
    assert statuses == {"eligible", "not_eligible", "not_covered", "contraindicated", "incomplete"}


def test_the_abn_is_for_medicare_and_ibx_ma_claims_billed_with_ga_or_gz():
    for payer, expected in (("medicare", None), ("ibx_ma", None), ("aetna", "decision.modifiers")):
        case, decision = case_and_decision(payer, hcpcs="E0849", force_lb=12)
        found = refusal("abn", case, decision)
        assert (found.field if found else None) == expected, payer
