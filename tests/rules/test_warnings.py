"""Every warning code of case-format.md, when it fires and when it does not (clarifications
5, 8, 9); warnings never change the status."""

from __future__ import annotations

import pytest

from .factories import a_case, decide, warning_codes


def _warning(decision: dict, code: str) -> dict:
    found = [w for w in decision["warnings"] if w["code"] == code]
    assert len(found) == 1, warning_codes(decision)
    return found[0]


@pytest.mark.parametrize(
    "doc",
    [a_case(), a_case("cigna"), a_case(screening={"myelopathy": True}), a_case(trials=[])],
    ids=["eligible", "not_covered", "contraindicated", "incomplete"],
)
def test_every_decision_warns_against_unsupervised_inversion_first(doc):
    decision = decide(doc)
    assert warning_codes(decision)[0] == "INVERSION_TABLE_UNSUPERVISED"


def test_a_plain_case_has_only_the_inversion_warning():
    assert warning_codes(decide(a_case())) == ["INVERSION_TABLE_UNSUPERVISED"]


HIGH_RISK = [
    ("uncontrolled_hypertension", "uncontrolled high blood pressure"),
    ("glaucoma", "glaucoma"),
    ("retinal_detachment", "retinal detachment"),
    ("heart_disease", "heart disease"),
    ("anticoagulant_use", "blood thinners"),
    ("hernia", "hernia"),
    ("pregnancy", "pregnancy"),
]


@pytest.mark.parametrize(("key", "named"), HIGH_RISK, ids=[k for k, _ in HIGH_RISK])
def test_inversion_high_risk_names_the_patients_condition(key, named):
    decision = decide(a_case(screening={key: True}))
    assert named in _warning(decision, "INVERSION_HIGH_RISK")["text"]
    assert decision["status"] == "eligible"


def test_inversion_high_risk_names_every_condition_once():
    decision = decide(a_case(screening={"glaucoma": True, "hernia": True}))
    text = _warning(decision, "INVERSION_HIGH_RISK")["text"]
    assert "glaucoma and a hernia" in text


@pytest.mark.parametrize("key", ["tmj_dysfunction", "over_door_unsafe", "jaw_or_neck_distortion"])
def test_other_keys_are_not_inversion_high_risk(key):
    assert "INVERSION_HIGH_RISK" not in warning_codes(decide(a_case(screening={key: True})))


@pytest.mark.parametrize(
    ("doc", "fires"),
    [
        (a_case(also_requested=["inversion_table"]), True),
        (a_case("medicare", "E0941"), True),
        (a_case(also_requested=["home_lumbar_traction"]), False),
    ],
    ids=["inversion_table-asked", "E0941-requested", "lumbar-only"],
)
def test_inversion_table_requested(doc, fires):
    assert ("INVERSION_TABLE_REQUESTED" in warning_codes(decide(doc))) is fires


def test_home_lumbar_traction():
    decision = decide(a_case(also_requested=["home_lumbar_traction"]))
    assert "HOME_LUMBAR_TRACTION" in warning_codes(decision)
    assert decision["status"] == "eligible"


@pytest.mark.parametrize(
    ("answers", "device", "fires"),
    [
        ({"pregnancy": True}, "E0860", True),
        ({"uncontrolled_hypertension": True}, "E0849", True),
        ({"tmj_dysfunction": True, "tmj_treated": False}, "E0860", True),
        ({"tmj_dysfunction": True, "tmj_treated": True}, "E0849", False),
        ({"tmj_dysfunction": True, "tmj_treated": True}, "E0855", False),
        ({"glaucoma": True}, "E0860", False),
    ],
    ids=["pregnancy", "hypertension", "tmj-over-door", "tmj-E0849", "tmj-E0855", "glaucoma"],
)
def test_precaution(answers, device, fires):
    decision = decide(a_case("medicare", device, 25, screening=answers))
    assert ("PRECAUTION" in warning_codes(decision)) is fires


@pytest.mark.parametrize(
    ("device", "force", "fires"),
    [("E0860", 20.1, True), ("E0860", 25, True), ("E0860", 20, False), ("E0849", 25, False)],
    ids=lambda v: str(v),
)
def test_over_door_force(device, force, fires):
    decision = decide(a_case("medicare", device, force))
    assert ("OVER_DOOR_FORCE" in warning_codes(decision)) is fires
    if fires:
        assert decision["status"] == "eligible"  # clarification 5: warnings only warn


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("PRN", True),
        ("prn neck pain", True),
        ("15 minutes p.r.n.", True),
        ("P.R.N.", True),
        ("twice daily as needed", True),
        ("As-Needed", True),
        ("15 minutes, twice daily", False),
        ("sprint twice daily", False),
        ("prnx", False),
    ],
    ids=lambda v: str(v),
)
def test_order_frequency_prn(text, fires):
    decision = decide(a_case(frequency_text=text))
    assert ("ORDER_FREQUENCY_PRN" in warning_codes(decision)) is fires
    assert decision["status"] == "eligible"


@pytest.mark.parametrize(
    ("prior", "fires"),
    [
        ({"hcpcs": "E0860", "date": "2023-05-01"}, True),
        ({"hcpcs": "E0849", "date": "2021-10-03"}, True),  # 1825 days before 2026-10-02
        ({"hcpcs": "E0855", "date": "2021-10-02"}, False),  # 1826 days: not less than 5 years
        ({"hcpcs": "E0941", "date": "2025-01-01"}, False),  # not a cervical traction code
        ({"hcpcs": "E0890", "date": "2025-01-01"}, False),  # lumbar
    ],
    ids=["E0860-3y", "1825-days", "1826-days", "E0941", "lumbar"],
)
def test_same_or_similar(prior, fires):
    decision = decide(a_case(prior_devices=[prior]))
    assert ("SAME_OR_SIMILAR" in warning_codes(decision)) is fires
    assert decision["status"] == "eligible"


@pytest.mark.parametrize(
    ("diagnoses", "fires"),
    [
        (["M54.12", "M50.122"], True),  # the note sits on M54.1
        (["M50.122", "M54.12"], True),
        (["M54.2", "M50.122"], True),  # M54.2 excludes1 M50.-
        (["G54.2", "M47.812"], True),  # G54 excludes1 M47.-
        (["M50.122", "M47.812"], False),
        (["M50.122"], False),
    ],
    ids=lambda v: "+".join(v) if isinstance(v, list) else str(v),
)
def test_diagnosis_excludes1(diagnoses, fires):
    decision = decide(a_case(diagnoses=diagnoses))
    assert ("DIAGNOSIS_EXCLUDES1" in warning_codes(decision)) is fires
    assert decision["status"] == "eligible"


def test_excludes1_text_names_the_pair_and_the_note():
    text = _warning(decide(a_case(diagnoses=["M54.12", "M50.122"])), "DIAGNOSIS_EXCLUDES1")["text"]
    assert "M54.12 with M50.122" in text
    assert "M54.1 Excludes1" in text


def test_warnings_follow_the_contracts_order():
    doc = a_case(
        "medicare", "E0860", 25,
        screening={"pregnancy": True},
        also_requested=["inversion_table", "home_lumbar_traction"],
        frequency_text="as needed",
        prior_devices=[{"hcpcs": "E0860", "date": "2024-01-01"}],
        diagnoses=["M54.12", "M50.122"],
    )  # fmt: skip
    assert warning_codes(decide(doc)) == [
        "INVERSION_TABLE_UNSUPERVISED",
        "INVERSION_HIGH_RISK",
        "INVERSION_TABLE_REQUESTED",
        "HOME_LUMBAR_TRACTION",
        "PRECAUTION",
        "OVER_DOOR_FORCE",
        "ORDER_FREQUENCY_PRN",
        "SAME_OR_SIMILAR",
        "DIAGNOSIS_EXCLUDES1",
    ]
