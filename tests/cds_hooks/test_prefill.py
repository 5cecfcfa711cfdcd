"""The app link's sealed payload, and summaries short enough for every payer and code."""

from __future__ import annotations

import time

import pytest

from dme_service.case.model import HOME_DEVICES
from dme_service.cds_hooks import advice, cards, prefill
from dme_service.coding.payers import payer_ids

KEY = "k" * 40
PART = {"payer": "aetna", "patient": {"name": "Ann Lee"}, "trials": ["never sealed"]}


def test_sealed_is_unreadable_and_opens_with_the_same_key():
    token = prefill.seal(PART, KEY)
    assert "Ann" not in token and "aetna" not in token
    assert prefill.unseal(token, KEY) == {"payer": "aetna", "patient": {"name": "Ann Lee"}}


def test_another_key_an_altered_token_or_an_old_one_opens_nothing():
    token = prefill.seal(PART, KEY)
    assert prefill.unseal(token, "x" * 40) is None
    assert prefill.unseal(token[:-4] + "AAAA", KEY) is None
    later = int(time.time()) + prefill.MAX_AGE_SECONDS + 60
    assert prefill.unseal(token, KEY, now=later) is None


@pytest.mark.parametrize("payer", [*payer_ids(), None])
@pytest.mark.parametrize("hcpcs", HOME_DEVICES)
def test_every_summary_is_under_140_characters(payer, hcpcs):
    for diagnoses, force in (([], None), (["M50.122"], 25), (["M54.50"], 5)):
        found = advice.advise(hcpcs, payer, diagnoses, force)
        assert len(cards.summary(found)) < 140
        assert cards.indicator(found) in ("info", "warning", "critical")
