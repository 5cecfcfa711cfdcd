"""The policy packs as data: every payer has a complete file, thresholds and operators are
data, and no payer name appears in a Python `if`."""

from __future__ import annotations

import ast
import pathlib

import pytest

from dme_service.case.model import HOME_DEVICES
from dme_service.coding import payers
from dme_service.rules import policy

from .factories import a_case, decide

PAYERS = (
    "aetna", "anthem", "cigna", "connectcare", "ibx_commercial", "ibx_ma", "medicare",
    "premera", "self_pay", "uhc_commercial",
)  # fmt: skip
PACKAGE = pathlib.Path(policy.__file__).resolve().parents[1]


def test_the_ten_payers_of_the_contract_have_packs():
    assert payers.payer_ids() == PAYERS


@pytest.mark.parametrize("payer", PAYERS)
def test_each_pack_is_complete(payer):
    pack = policy.load_pack(payer)
    assert set(pack.devices) == set(HOME_DEVICES)
    assert pack.policy_id and pack.title and pack.source and pack.code_prefix
    assert pack.effective is None or pack.effective == "unconfirmed" or len(pack.effective) == 10
    for rule in pack.devices.values():
        assert rule.covered or rule.wording, f"{payer} {rule.hcpcs} needs the policy's wording"
    for criterion in pack.criteria.values():
        assert criterion.clause and criterion.summary and criterion.wording


@pytest.mark.parametrize("payer", PAYERS)
def test_e0941_is_never_covered(payer):
    assert policy.load_pack(payer).devices["E0941"].covered is False


@pytest.mark.parametrize(
    ("payer", "criterion", "operator", "threshold"),
    [
        ("medicare", "criterionC", ">", 20),
        ("ibx_ma", "criterionC", ">", 20),
        ("premera", "criterionC", ">", 20),
        ("aetna", "force", ">=", 20),
        ("connectcare", "force", ">=", 12),
    ],
)
def test_thresholds_and_operators_are_data(payer, criterion, operator, threshold):
    found = policy.load_pack(payer).criteria[criterion]
    assert (found.operator, found.threshold_lb) == (operator, threshold)


def test_aetna_quotes_20_pounds_or_more():
    assert "20 pounds or more" in policy.load_pack("aetna").criteria["force"].wording


def test_the_criterion_1_list_is_data():
    code_list = policy.load_code_list("cervical_impairment")
    assert code_list.prefixes == ("M50",)
    assert "M5412" in code_list.codes and "G542" in code_list.codes
    assert code_list.matches("M50122") and not code_list.matches("M5450")


def _python_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if {"rules", "case", "coding"} & set(p.parts))


def test_no_payer_name_appears_in_a_python_if():
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.If | ast.IfExp | ast.comprehension | ast.Match):
                tests = [node.test] if hasattr(node, "test") else getattr(node, "ifs", [])
                for test in tests:
                    for const in ast.walk(test):
                        if isinstance(const, ast.Constant) and const.value in PAYERS:
                            offenders.append(f"{path.name}:{const.lineno}")
    assert offenders == []


def test_a_new_payer_is_a_new_file(tmp_path, monkeypatch):
    source = pathlib.Path(payers.PAYERS_DIR) / "aetna.toml"
    for name in PAYERS:
        (tmp_path / f"{name}.toml").write_text(
            (pathlib.Path(payers.PAYERS_DIR) / f"{name}.toml").read_text()
        )
    (tmp_path / "acme.toml").write_text(
        source.read_text().replace('payer = "aetna"', 'payer = "acme"')
    )
    monkeypatch.setattr(payers, "PAYERS_DIR", str(tmp_path))
    payers.payer_ids.cache_clear()
    policy.load_pack.cache_clear()
    try:
        from .factories import a_case, decide

        assert "acme" in payers.payer_ids()
        decision = decide(a_case("acme", "E0849", 20))
        assert decision["status"] == "eligible"
        assert decision["policy"]["payer"] == "acme"
    finally:
        payers.payer_ids.cache_clear()
        policy.load_pack.cache_clear()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('test = "request_force"', 'test = "guess"'), "unknown test"),
        (('operator = ">="', 'operator = "<"'), "operator must be one of"),
        (("[devices.E0941]", "[devices.E0999]"), "devices must be exactly"),
    ],
)
def test_a_broken_pack_is_refused_with_the_reason(tmp_path, monkeypatch, edit, message):
    text = (pathlib.Path(payers.PAYERS_DIR) / "aetna.toml").read_text().replace(*edit)
    (tmp_path / "aetna.toml").write_text(text)
    monkeypatch.setattr(payers, "PAYERS_DIR", str(tmp_path))
    payers.payer_ids.cache_clear()
    policy.load_pack.cache_clear()
    try:
        with pytest.raises(policy.PolicyPackError, match=message):
            policy.load_pack("aetna")
    finally:
        payers.payer_ids.cache_clear()
        policy.load_pack.cache_clear()


@pytest.mark.parametrize(
    ("payer", "effective"),
    [("medicare", "2020-01-01"), ("anthem", "2024-05-09"), ("aetna", None), ("self_pay", None)],
    ids=lambda value: str(value),
)
def test_decision_policy_effective_is_an_iso_date_or_null(payer, effective):
    assert decide(a_case(payer=payer))["policy"]["effective"] == effective
