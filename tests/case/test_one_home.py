"""Rules the contract states once, read by several layers: every reader gives the same answer.

The inversion high-risk groups (docs/case-format.md "warnings"), who may sign an order
(42 CFR 410.38(c)(2)) and the canonical-JSON SHA-256 that binds signatures, renders and
idempotency keys each have one home; each test asks every place that applies the rule.
"""

from __future__ import annotations

import pytest
from rules.factories import TODAY, a_case

from dme_service.case import model
from dme_service.case.parse import parse
from dme_service.cds_hooks.advice import HIGH_RISK_PREFIXES
from dme_service.documents.instructions_text import HIGH_RISK_LINES
from dme_service.models import User
from dme_service.models.accounts import CREDENTIALS
from dme_service.rules.engine import evaluate
from dme_service.services.cases.from_document import request_hash
from dme_service.store.signed_content import canonical_sha256
from dme_service.web.pages.cases.page import SCREENING_GROUPS


@pytest.mark.parametrize("key", model.INVERSION_HIGH_RISK)
def test_every_reader_of_the_inversion_high_risk_groups_knows_each_group(key):
    screening = dict.fromkeys(model.SCREENING_KEYS, False) | {key: True}
    decision = evaluate(
        parse(a_case(screening=screening, also_requested=["inversion_table"]), today=TODAY)
    )
    warned = [w for w in decision.warnings if w.code == "INVERSION_HIGH_RISK"]
    answers = {
        "the decision warns": len(warned) == 1,
        "the instructions have its line": key in HIGH_RISK_LINES,
        "the CDS Hooks advice reads its codes": key in HIGH_RISK_PREFIXES,
        "the case page groups it with the inversion risks": key in SCREENING_GROUPS[1][1],
    }
    assert answers == dict.fromkeys(answers, True)


def test_the_readers_list_the_groups_in_the_warnings_order():
    assert tuple(HIGH_RISK_LINES) == tuple(HIGH_RISK_PREFIXES) == model.INVERSION_HIGH_RISK
    assert SCREENING_GROUPS[1][1] == model.INVERSION_HIGH_RISK


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_the_account_and_the_order_agree_on_who_may_sign(credential):
    document = a_case()
    document["treating_practitioner"]["credential"] = credential
    practitioner = parse(document, today=TODAY).treating_practitioner
    account = User(credential=credential, npi="1234567893")
    expected = credential in ("MD", "DO", "DPM", "PA", "NP", "CNS")
    assert (account.may_sign, practitioner.may_sign) == (expected, expected)


VALUES = [
    {"b": 1, "a": [1, 2.5, None]},
    {"patient": {"name": "José Núñez"}, "payer": "medicare"},
    a_case(),
]


@pytest.mark.parametrize("value", VALUES, ids=["sorted keys", "non-ASCII", "a case document"])
def test_idempotency_keys_and_signed_content_hash_alike(value):
    assert request_hash(value) == canonical_sha256(value)
    assert canonical_sha256(value) == canonical_sha256(dict(reversed(list(value.items()))))
