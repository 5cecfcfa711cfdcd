"""Length of need 99 is Medicare's lifetime: never printed as "99 months"."""

from __future__ import annotations

from dme_service.case.length_of_need import in_months, is_lifetime
from dme_service.case.model import HomeRequest
from dme_service.case.signed_facts import changes
from dme_service.documents.wording import dose_sentence


def test_99_is_lifetime_for_the_practitioner():
    assert in_months(99) == "99 (lifetime)"
    assert in_months(3) == "3 months" and in_months(1) == "1 month"
    assert is_lifetime(99) and not is_lifetime(98) and not is_lifetime(None)


def test_the_letter_and_order_sentence_never_says_99_months():
    sentence = dose_sentence(
        HomeRequest(force_lb=12, minutes=15, sessions_per_day=2, length_of_need_months=99)
    )
    assert "99 months" not in sentence and "99 (lifetime)" in sentence
    assert "for 3 months" in dose_sentence(HomeRequest(force_lb=12, length_of_need_months=3))


def test_a_change_to_lifetime_reads_in_words():
    found = changes(
        {"request": {"length_of_need_months": 3}}, {"request": {"length_of_need_months": 99}}
    )
    assert found[0].words() == "length of need 3 months → 99 (lifetime)"
