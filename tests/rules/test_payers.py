"""One row per payer, device and clause: the payer table of case-format.md, from the packs."""

from __future__ import annotations

import pytest

from .factories import a_case, decide, reason

DEVICES = ("E0860", "E0849", "E0855", "E0840", "E0850", "E0856", "E0941")
PAYERS = (
    "medicare", "ibx_ma", "aetna", "anthem", "premera", "connectcare",
    "uhc_commercial", "cigna", "ibx_commercial", "self_pay",
)  # fmt: skip
COVERED = {
    "medicare": ("E0860", "E0849", "E0855"),
    "ibx_ma": ("E0860", "E0849", "E0855"),
    "aetna": ("E0860", "E0849", "E0855"),
    "anthem": ("E0860",),
    "premera": ("E0860", "E0849", "E0855"),
    "connectcare": ("E0860", "E0849", "E0855"),
    "uhc_commercial": (),
    "cigna": (),
    "ibx_commercial": (),
    "self_pay": ("E0860", "E0849", "E0855", "E0840", "E0850", "E0856"),
}
KX_PAYERS = ("medicare", "ibx_ma")


def _coverage_rows():
    for payer in PAYERS:
        for device in DEVICES:
            covered = device in COVERED[payer]
            status = "eligible" if covered else "not_covered"
            yield pytest.param(payer, device, status, id=f"{payer}-{device}-is-{status}")


@pytest.mark.parametrize(("payer", "device", "status"), list(_coverage_rows()))
def test_a_qualifying_patient_gets_the_payers_coverage(payer, device, status):
    # 25 lb meets every payer's force alternative (> 20, >= 20, >= 12).
    decision = decide(a_case(payer, device, 25))
    assert decision["status"] == status
    expected_modifiers = ["KX"] if payer in KX_PAYERS and device in ("E0849", "E0855") else []
    assert decision["modifiers"] == expected_modifiers
    if status == "eligible":
        assert decision["recommended_hcpcs"] == device
        assert all(r["met"] for r in decision["reasons"])


def _threshold_rows():
    table = {
        "medicare": {19.9: False, 20: False, 20.1: True, 25: True},
        "ibx_ma": {19.9: False, 20: False, 20.1: True, 25: True},
        "premera": {19.9: False, 20: False, 20.1: True, 25: True},
        "aetna": {19.9: False, 20: True, 20.1: True, 25: True},
        "connectcare": {11.9: False, 12: True, 19.9: True, 20: True, 20.1: True, 25: True},
    }
    for payer, edges in table.items():
        for device in ("E0849", "E0855"):
            for force, met in edges.items():
                status = "eligible" if met else "not_eligible"
                yield pytest.param(
                    payer, device, force, status, id=f"{payer}-{device}-{force}lb-{status}"
                )


@pytest.mark.parametrize(("payer", "device", "force", "status"), list(_threshold_rows()))
def test_force_threshold_edges(payer, device, force, status):
    assert decide(a_case(payer, device, force))["status"] == status


FORCE_CLAUSES = {
    "medicare-cites-criterion-C": (
        "medicare", "L33823.criterionC", "LCD L33823 criterion C: more than 20 lb"
    ),
    "ibx_ma-cites-criterion-C": (
        "ibx_ma", "MA05.009a.criterionC", "IBX MA05.009a criterion C: more than 20 lb"
    ),
    "aetna-cites-20-or-more": ("aetna", "CPB0453.force", "Aetna CPB 0453 (force): 20 lb or more"),
    "connectcare-cites-12-or-more": (
        "connectcare", "ConnectCare.force", "ConnectCare (force): 12 lb or more"
    ),
}  # fmt: skip


@pytest.mark.parametrize(("payer", "code", "clause"), FORCE_CLAUSES.values(), ids=FORCE_CLAUSES)
def test_force_reason_cites_the_clause_and_the_fact(payer, code, clause):
    text = f"{clause} ordered for home use: 25 lb ordered"
    assert reason(decide(a_case(payer, "E0849", 25)), code)["text"] == text


def test_unmet_force_reason_says_not_met_with_the_ordered_force():
    decision = decide(a_case("medicare", "E0849", 20))
    found = reason(decision, "L33823.criterionC")
    assert found["met"] is False
    assert found["text"] == (
        "LCD L33823 criterion C not met: more than 20 lb ordered for home use: 20 lb ordered"
    )
    assert found["source"] == "LCD L33823"


# One row per "one of" clause: (payer, screening answers, met?) at a force that meets none.
ALTERNATIVES = [
    ("medicare", {"tmj_dysfunction": True, "tmj_treated": True}, True, "L33823.criterionA"),
    ("medicare", {"tmj_dysfunction": True, "tmj_treated": False}, False, "L33823.criterionA"),
    ("medicare", {"jaw_or_neck_distortion": True}, True, "L33823.criterionB"),
    ("medicare", {"over_door_unsafe": True}, False, "L33823.criterionB"),
    ("ibx_ma", {"tmj_dysfunction": True, "tmj_treated": True}, True, "MA05.009a.criterionA"),
    ("ibx_ma", {"jaw_or_neck_distortion": True}, True, "MA05.009a.criterionB"),
    ("aetna", {"tmj_dysfunction": True, "tmj_treated": True}, True, "CPB0453.tmj"),
    ("aetna", {"tmj_dysfunction": True, "tmj_treated": False}, False, "CPB0453.tmj"),
    ("aetna", {"jaw_or_neck_distortion": True}, True, "CPB0453.distortion"),
    ("premera", {"tmj_dysfunction": True, "tmj_treated": True}, True, "1.01.517.criterionA"),
    ("premera", {"jaw_or_neck_distortion": True}, True, "1.01.517.criterionB"),
    ("connectcare", {"jaw_or_neck_distortion": True}, True, "ConnectCare.distortion"),
    ("connectcare", {"over_door_unsafe": True}, True, "ConnectCare.over_door_unsafe"),
    ("connectcare", {"tmj_dysfunction": True, "tmj_treated": True}, False, "ConnectCare.force"),
]


@pytest.mark.parametrize(
    ("payer", "answers", "met", "code"),
    ALTERNATIVES,
    ids=[f"{p}-{'+'.join(a)}-{'meets' if m else 'fails'}-{c}" for p, a, m, c in ALTERNATIVES],
)
@pytest.mark.parametrize("device", ["E0849", "E0855"])
def test_each_higher_force_alternative(payer, answers, met, code, device):
    decision = decide(a_case(payer, device, 10, screening=answers))
    assert decision["status"] == ("eligible" if met else "not_eligible")
    assert reason(decision, code)["met"] is met


@pytest.mark.parametrize("payer", [p for p in PAYERS if "E0860" in COVERED[p]])
def test_a_low_back_code_alone_fails_criterion_1(payer):
    decision = decide(a_case(payer, diagnoses=["M54.50", "M51.16"]))
    assert decision["status"] == "not_eligible"
    failed = [r for r in decision["reasons"] if not r["met"]]
    assert [r["code"].rsplit(".", 1)[1] for r in failed] == ["criterion1"]
    assert "M54.50, M51.16" in failed[0]["text"]


CRITERION_1_CODES = [
    "M50.00", "M50.122", "M50.93", "M47.12", "M47.22", "M47.812", "M47.892",
    "M48.02", "M54.12", "M54.13", "M54.2", "G54.2",
]  # fmt: skip


@pytest.mark.parametrize("code", CRITERION_1_CODES)
def test_each_listed_cervical_code_meets_criterion_1(code):
    decision = decide(a_case("medicare", diagnoses=[code]))
    assert reason(decision, "L33823.criterion1")["met"] is True


@pytest.mark.parametrize("code", ["M47.13", "M48.03", "M54.50", "M43.6"])
def test_codes_off_the_list_do_not_meet_criterion_1(code):
    decision = decide(a_case("medicare", diagnoses=[code]))
    assert reason(decision, "L33823.criterion1")["met"] is False


@pytest.mark.parametrize("payer", [p for p in PAYERS if "E0860" in COVERED[p]])
@pytest.mark.parametrize(
    "trial",
    [{"tolerated": False}, {"use_demonstrated": False}],
    ids=["not-tolerated", "not-demonstrated"],
)
def test_criterion_2_needs_demonstrated_and_tolerated(payer, trial):
    decision = decide(a_case(payer, trial=trial))
    assert decision["status"] == "not_eligible"
    failed = [r["code"].rsplit(".", 1)[1] for r in decision["reasons"] if not r["met"]]
    assert failed == ["criterion2"]


@pytest.mark.parametrize(
    ("payer", "device", "status"),
    [
        ("premera", "E0860", "not_eligible"),
        ("premera", "E0849", "not_eligible"),
        ("medicare", "E0860", "eligible"),
        ("aetna", "E0860", "eligible"),
        ("connectcare", "E0860", "eligible"),
        ("self_pay", "E0860", "eligible"),
    ],
    ids=lambda v: str(v),
)
def test_only_premera_requires_an_improved_trial(payer, device, status):
    decision = decide(a_case(payer, device, 25, trial={"pain_before": 5, "pain_after": 4}))
    assert decision["trial_response"] == "unchanged"
    assert decision["status"] == status


def test_premera_cites_a_beneficial_trial():
    decision = decide(a_case("premera", trial={"pain_before": 5, "pain_after": 5}))
    found = reason(decision, "1.01.517.trial_beneficial")
    assert found["met"] is False
    assert found["text"].startswith(
        "Premera 1.01.517 (trial) not met: a trial of traction was beneficial"
    )


@pytest.mark.parametrize(
    ("payer", "device", "source"),
    [
        ("medicare", "E0840", "Policy Article A52476"),
        ("medicare", "E0856", "Policy Article A52476"),
        ("anthem", "E0849", "Anthem CG-DME-05"),
        ("uhc_commercial", "E0860", "UHC Home Traction Therapy 2025T0545U"),
        ("cigna", "E0860", "Cigna CPG265"),
        ("ibx_commercial", "E0860", "IBX commercial policy"),
        ("ibx_ma", "E0856", "IBX MA05.009a"),
        ("self_pay", "E0941", "Clinical appropriateness (self-pay)"),
    ],
    ids=lambda v: str(v),
)
def test_not_covered_reason_quotes_the_policy(payer, device, source):
    decision = decide(a_case(payer, device))
    first = decision["reasons"][0]
    assert first["met"] is False
    assert first["source"] == source
    assert first["code"].endswith(f".device.{device}")


def test_ibx_ma_e0856_cites_non_ambulatory_wording():
    text = decide(a_case("ibx_ma", "E0856"))["reasons"][0]["text"]
    assert "non-ambulatory during the period of use" in text


def test_anthem_cites_other_designs_not_medically_necessary():
    text = decide(a_case("anthem", "E0855"))["reasons"][0]["text"]
    assert "pneumatic devices, frames attached to headboards" in text


@pytest.mark.parametrize("payer", PAYERS)
def test_policy_block_names_the_pack(payer):
    policy = decide(a_case(payer))["policy"]
    assert policy["payer"] == payer
    assert policy["id"]


def test_medicare_policy_block_matches_the_contract_example():
    assert decide(a_case())["policy"] == {
        "payer": "medicare",
        "id": "L33823 / A52476",
        "effective": "2020-01-01",
    }
