"""The order's frequency sentence (rules/order_frequency.py): built from the numbers, and
refused when it says PRN or contradicts the minutes and sessions."""

from __future__ import annotations

import pytest

from dme_service.rules.order_frequency import problem, sentence


@pytest.mark.parametrize(
    ("minutes", "sessions", "words"),
    [
        (15, 2, "15 minutes, twice daily"),
        (20, 1, "20 minutes, once daily"),
        (12.5, 3, "12.5 minutes, three times daily"),
        (10, 5, "10 minutes, 5 times daily"),
        (None, 2, None),
        (15, None, None),
    ],
)
def test_the_sentence_is_built_from_the_numbers(minutes, sessions, words):
    assert sentence(minutes, sessions) == words


@pytest.mark.parametrize(
    "text",
    [
        "15 minutes, twice daily",
        "15 min BID",
        "Fifteen minutes two times a day, seated",
        "15 minutes, 2 times per day",
        "",
        None,
    ],
)
def test_a_sentence_that_agrees_is_accepted(text):
    assert problem(text, 15, 2) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("PRN as needed for neck pain", "PRN"),
        ("15 minutes as-needed", "PRN"),
        ("30 minutes, three times daily", "says 30 minutes but Minutes per session is 15"),
        ("15 minutes, three times daily", "says 3 times a day but Sessions per day is 2"),
        ("15 min TID", "says 3 times a day"),
    ],
)
def test_a_sentence_that_contradicts_the_order_is_refused(text, says):
    assert says in problem(text, 15, 2)
