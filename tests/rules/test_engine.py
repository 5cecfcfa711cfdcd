"""Status precedence, trial response, recommended code and modifiers: case-format.md's
status list and clarifications 1-3, 6, 7 (one row per rule)."""

from __future__ import annotations

import pytest

from dme_service.case.model import (
    ABSOLUTE_CONTRAINDICATIONS,
    AUTHOR_ONLY_CREDENTIALS,
    SCREENING_KEYS,
)

from .factories import a_case, a_trial, decide, reason, warning_codes


@pytest.mark.parametrize("key", ABSOLUTE_CONTRAINDICATIONS)
def test_each_absolute_contraindication_makes_the_case_contraindicated(key):
    decision = decide(a_case(screening={key: True}))
    assert decision["status"] == "contraindicated"
    assert decision["contraindications"] == [key]
    assert decision["recommended_hcpcs"] is None
    assert decision["missing"] == []
    assert reason(decision, f"CONTRAINDICATION.{key}")["met"] is False


def test_contraindications_are_listed_in_the_contracts_order():
    decision = decide(a_case(screening={"myelopathy": True, "spinal_malignancy": True}))
    assert decision["contraindications"] == ["spinal_malignancy", "myelopathy"]


def test_contraindicated_wins_over_incomplete_and_not_covered():
    doc = a_case("cigna", "E0941", screening={"myelopathy": True, "glaucoma": None}, trials=[])
    assert decide(doc)["status"] == "contraindicated"


@pytest.mark.parametrize("key", [k for k in SCREENING_KEYS if k not in ABSOLUTE_CONTRAINDICATIONS])
def test_other_screening_keys_never_contraindicate(key):
    assert decide(a_case(screening={key: True}))["status"] != "contraindicated"


@pytest.mark.parametrize("key", SCREENING_KEYS)
@pytest.mark.parametrize("how", ["null", "absent"])
def test_an_unanswered_screening_key_is_incomplete(key, how):
    doc = a_case(screening={"tmj_dysfunction": True, "tmj_treated": True})
    if how == "null":
        doc["screening"][key] = None
    else:
        del doc["screening"][key]
    decision = decide(doc)
    assert decision["status"] == "incomplete"
    assert decision["missing"] == [f"screening.{key}"]
    assert decision["recommended_hcpcs"] is None
    assert reason(decision, f"MISSING.screening.{key}")["met"] is False


def test_no_screening_object_lists_every_key_in_order():
    doc = a_case()
    del doc["screening"]
    assert decide(doc)["missing"] == [f"screening.{k}" for k in SCREENING_KEYS]


@pytest.mark.parametrize("tmj_treated", [None, "absent"])
def test_tmj_treated_may_be_unanswered_when_there_is_no_tmj_dysfunction(tmj_treated):
    doc = a_case()
    if tmj_treated == "absent":
        del doc["screening"]["tmj_treated"]
    else:
        doc["screening"]["tmj_treated"] = None
    assert decide(doc)["status"] == "eligible"


def test_tmj_treated_is_needed_when_tmj_dysfunction_is_true():
    doc = a_case(screening={"tmj_dysfunction": True, "tmj_treated": None})
    assert decide(doc)["missing"] == ["screening.tmj_treated"]


@pytest.mark.parametrize("trials", [[], "absent", None], ids=["empty", "absent", "null"])
def test_no_trial_is_incomplete_with_trials_missing(trials):
    doc = a_case()
    if trials == "absent":
        del doc["trials"]
    else:
        doc["trials"] = trials
    decision = decide(doc)
    assert decision["status"] == "incomplete"
    assert decision["missing"] == ["trials"]
    assert decision["trial_response"] is None


@pytest.mark.parametrize("field", ["tolerated", "use_demonstrated"])
@pytest.mark.parametrize("how", ["null", "absent"])
def test_latest_trial_without_a_criterion_2_fact_is_incomplete_at_its_index(field, how):
    latest = a_trial(date="2026-10-05")
    if how == "null":
        latest[field] = None
    else:
        del latest[field]
    doc = a_case(trials=[latest, a_trial(date="2026-09-01")])
    decision = decide(doc)
    assert decision["status"] == "incomplete"
    assert decision["missing"] == [f"trials[0].{field}"]


def test_both_trial_facts_missing_are_listed_tolerated_first():
    doc = a_case(trial={"tolerated": None, "use_demonstrated": None})
    assert decide(doc)["missing"] == ["trials[0].tolerated", "trials[0].use_demonstrated"]


def test_an_earlier_trial_without_criterion_2_facts_does_not_matter():
    doc = a_case(trials=[a_trial(date="2026-09-01", tolerated=None), a_trial(date="2026-10-02")])
    assert decide(doc)["status"] == "eligible"


@pytest.mark.parametrize("credential", AUTHOR_ONLY_CREDENTIALS)
@pytest.mark.parametrize("payer", ["medicare", "aetna", "self_pay", "uhc_commercial"])
def test_a_practitioner_who_may_not_sign_is_incomplete_for_every_payer(credential, payer):
    decision = decide(a_case(payer, credential=credential))
    assert decision["status"] == "incomplete"
    assert decision["missing"] == ["treating_practitioner.credential"]
    assert reason(decision, "MISSING.treating_practitioner.credential")["source"] == (
        "42 CFR 410.38(c)(2)"
    )


@pytest.mark.parametrize("credential", ["MD", "DO", "DPM", "PA", "NP", "CNS"])
def test_signing_credentials_may_sign(credential):
    assert decide(a_case(credential=credential))["status"] == "eligible"


def test_missing_facts_are_listed_in_the_contracts_order():
    doc = a_case(credential="PT", screening={"glaucoma": None, "hernia": None}, trials=[])
    assert decide(doc)["missing"] == [
        "screening.glaucoma",
        "screening.hernia",
        "trials",
        "treating_practitioner.credential",
    ]


def test_incomplete_wins_over_not_covered():
    assert decide(a_case("cigna", credential="PT"))["status"] == "incomplete"


# Clarification 1: not_covered is decided before the trial response.
@pytest.mark.parametrize("payer", ["uhc_commercial", "cigna", "ibx_commercial"])
def test_a_payer_that_never_covers_gives_not_covered_even_after_a_worse_trial(payer):
    decision = decide(a_case(payer, trial={"peripheralization": True}))
    assert decision["status"] == "not_covered"
    assert decision["trial_response"] == "worse"
    assert decision["recommended_hcpcs"] is None


WORSE_TRIALS = {
    "peripheralization": {"peripheralization": True},
    "new-neuro-signs": {"new_neuro_signs": True},
    "more-pain": {"pain_before": 4, "pain_after": 5},
}


@pytest.mark.parametrize("trial", WORSE_TRIALS.values(), ids=WORSE_TRIALS.keys())
@pytest.mark.parametrize(
    ("payer", "device"),
    [("medicare", "E0860"), ("medicare", "E0849"), ("aetna", "E0855"), ("anthem", "E0860"),
     ("premera", "E0860"), ("connectcare", "E0849"), ("ibx_ma", "E0860"), ("self_pay", "E0856")],
)  # fmt: skip
def test_a_worse_trial_is_not_eligible_with_trial_worsened(trial, payer, device):
    decision = decide(a_case(payer, device, 25, trial=trial))
    assert decision["trial_response"] == "worse"
    assert decision["status"] == "not_eligible"
    assert reason(decision, "TRIAL_WORSENED")["met"] is False
    assert decision["recommended_hcpcs"] is None


@pytest.mark.parametrize(
    ("before", "after", "response"),
    [
        (7, 3, "improved"),
        (7, 5, "improved"),  # 2 points
        (7, 6, "unchanged"),  # 1 point, 14 %
        (3, 2, "improved"),  # 1 point but 33 %
        (10, 8, "improved"),
        (10, 9, "unchanged"),
        (4, 3, "unchanged"),  # 25 %
        (0, 0, "unchanged"),
        (5, 5, "unchanged"),
        (5, 6, "worse"),
        (1, 0, "improved"),  # 100 %
    ],
    ids=lambda v: str(v),
)
def test_trial_response_thresholds(before, after, response):
    decision = decide(a_case(trial={"pain_before": before, "pain_after": after}))
    assert decision["trial_response"] == response


def test_the_latest_trial_by_date_decides_not_the_last_in_the_list():
    doc = a_case(trials=[a_trial(date="2026-10-09"), a_trial(date="2026-10-01", tolerated=False)])
    assert decide(doc)["status"] == "eligible"


def test_a_tie_on_date_goes_to_the_later_trial_in_the_list():
    doc = a_case(trials=[a_trial(), a_trial(pain_before=5, pain_after=5)])
    assert decide(doc)["trial_response"] == "unchanged"


def test_the_demonstrated_home_unit_need_not_be_the_requested_device():
    # Clarification 3 (revision 2): eligible, with DEMONSTRATED_DEVICE_DIFFERS.
    doc = a_case("medicare", "E0849", 25, trial={"device": "E0860"})
    decision = decide(doc)
    assert decision["status"] == "eligible"
    assert "DEMONSTRATED_DEVICE_DIFFERS" in warning_codes(decision)


def test_a_clinic_trial_alone_does_not_demonstrate_a_home_unit():
    # Clarification 13 (revision 2); before it, a mechanical trial met criterion 2.
    doc = a_case("medicare", "E0849", 25, trial={"device": "mechanical"})
    assert decide(doc)["status"] == "not_eligible"


# Clarification 2: recommended_hcpcs.
@pytest.mark.parametrize(
    ("payer", "device", "force", "trial", "recommended"),
    [
        ("medicare", "E0941", 12, {}, "E0860"),
        ("medicare", "E0840", 12, {}, "E0860"),
        ("medicare", "E0849", 15, {}, "E0860"),  # not_eligible for E0849, E0860 fits
        ("medicare", "E0849", 15, {"tolerated": False}, None),
        ("medicare", "E0941", 12, {"new_neuro_signs": True}, None),
        ("anthem", "E0849", 25, {}, "E0860"),
        ("premera", "E0941", 12, {"pain_before": 5, "pain_after": 4}, None),
        ("premera", "E0941", 12, {}, "E0860"),
        ("self_pay", "E0941", 12, {}, "E0860"),
        ("uhc_commercial", "E0849", 25, {}, None),
        ("cigna", "E0941", 12, {}, None),
        ("medicare", "E0860", 12, {"tolerated": False}, None),
    ],
    ids=lambda v: str(v),
)
def test_recommended_hcpcs(payer, device, force, trial, recommended):
    decision = decide(a_case(payer, device, force, trial=trial))
    assert decision["status"] in ("not_covered", "not_eligible")
    assert decision["recommended_hcpcs"] == recommended


def test_the_recommended_alternative_has_a_reason():
    decision = decide(a_case("medicare", "E0941"))
    assert reason(decision, "L33823.alternative.E0860")["met"] is True


def test_a_low_back_only_case_gets_no_alternative():
    decision = decide(a_case("medicare", "E0856", diagnoses=["M54.50"]))
    assert decision["recommended_hcpcs"] is None
    assert reason(decision, "L33823.alternative.E0860")["met"] is False


# Clarification 6: modifiers.
@pytest.mark.parametrize(
    ("payer", "device", "force", "abn", "modifiers"),
    [
        ("medicare", "E0849", 25, False, ["KX"]),
        ("medicare", "E0855", 25, True, ["KX"]),
        ("medicare", "E0849", 20, True, ["GA"]),
        ("medicare", "E0855", 20, False, ["GZ"]),
        ("ibx_ma", "E0849", 25, False, ["KX"]),
        ("ibx_ma", "E0855", 10, True, ["GA"]),
        ("ibx_ma", "E0849", 10, False, ["GZ"]),
        ("medicare", "E0860", 12, True, []),
        ("medicare", "E0840", 25, True, []),
        ("aetna", "E0849", 25, False, []),
        ("aetna", "E0849", 10, True, []),
        ("premera", "E0849", 10, False, []),
        ("self_pay", "E0849", 10, False, []),
    ],
    ids=lambda v: str(v),
)
def test_modifiers(payer, device, force, abn, modifiers):
    assert decide(a_case(payer, device, force, abn_on_file=abn))["modifiers"] == modifiers


def test_a_worse_trial_under_medicare_e0849_gets_ga_or_gz():
    decision = decide(
        a_case("medicare", "E0849", 25, abn_on_file=True, trial={"new_neuro_signs": True})
    )
    assert decision["modifiers"] == ["GA"]


@pytest.mark.parametrize("status_case", ["contraindicated", "incomplete"])
def test_no_modifiers_before_the_coverage_steps(status_case):
    answers = {"myelopathy": True} if status_case == "contraindicated" else {"hernia": None}
    decision = decide(a_case("medicare", "E0849", 25, screening=answers))
    assert decision["status"] == status_case
    assert decision["modifiers"] == []


def test_request_without_hcpcs_defaults_to_e0860():
    doc = a_case()
    del doc["request"]["hcpcs"]
    assert decide(doc)["requested_hcpcs"] == "E0860"


def test_decision_json_has_the_contracts_keys_in_order():
    assert list(decide(a_case())) == [
        "format", "status", "requested_hcpcs", "recommended_hcpcs", "modifiers",
        "trial_response", "contraindications", "missing", "warnings", "reasons", "policy",
    ]  # fmt: skip


def test_eligible_reasons_are_one_per_criterion_all_met():
    decision = decide(a_case("medicare", "E0849", 25))
    assert [(r["code"], r["met"]) for r in decision["reasons"]] == [
        ("L33823.criterion1", True),
        ("L33823.criterion2", True),
        ("L33823.criterionC", True),
    ]


def test_unmet_alternatives_are_all_listed_when_none_is_met():
    decision = decide(a_case("medicare", "E0849", 15))
    codes = [(r["code"], r["met"]) for r in decision["reasons"]]
    assert codes[:5] == [
        ("L33823.criterion1", True),
        ("L33823.criterion2", True),
        ("L33823.criterionA", False),
        ("L33823.criterionB", False),
        ("L33823.criterionC", False),
    ]


def test_evaluate_is_deterministic():
    doc = a_case("medicare", "E0849", 15, screening={"glaucoma": True})
    assert decide(doc) == decide(doc)
