"""Medicare reopenings: what billing types when it records a request to the DME MAC, and when a
reopening cannot do it (a redetermination)."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.claims import reopening

TODAY = date(2026, 12, 10)
REMITTED = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("method", "requested_on", "reference", "field", "message"),
    [
        ("telephone", date(2026, 12, 8), "R-1", None, None),
        ("written", date(2026, 12, 8), "", None, None),  # no reference yet for a letter
        ("portal", date(2026, 12, 1), " 26340A77 ", None, None),
        (None, date(2026, 12, 8), "", "method", "Choose how the reopening was asked for."),
        ("fax", date(2026, 12, 8), "", "method", "Choose one of the ways listed."),
        ("portal", None, "", "requested_on", "Give the day the request was made"),
        ("portal", date(2026, 12, 11), "", "requested_on", "in the future"),
        ("portal", date(2026, 11, 30), "", "requested_on", "remittance is dated 2026-12-01"),
        ("portal", date(2026, 12, 8), "12*34~ST", "reference", "letters, digits or dashes"),
        ("portal", date(2026, 12, 8), "1" * 51, "reference", "up to 50"),
    ],
)
def test_a_request_is_checked_field_by_field(method, requested_on, reference, field, message):
    problems = reopening.request_problems(
        method, requested_on, reference, today=TODAY, remitted_on=REMITTED
    )
    if field is None:
        assert problems == {}
    else:
        assert list(problems) == [field] and message in problems[field]


@pytest.mark.parametrize(
    ("outcome", "decided_on", "field", "message"),
    [
        ("adjusted", date(2026, 12, 9), None, None),
        ("declined", date(2026, 12, 8), None, None),
        ("pending", date(2026, 12, 9), "outcome", "Choose what the DME MAC answered."),
        (None, date(2026, 12, 9), "outcome", "Choose what the DME MAC answered."),
        ("adjusted", None, "decided_on", "Give the day of the DME MAC's answer"),
        ("adjusted", date(2026, 12, 11), "decided_on", "in the future"),
        ("adjusted", date(2026, 12, 7), "decided_on", "cannot be earlier"),
    ],
)
def test_an_outcome_is_checked_field_by_field(outcome, decided_on, field, message):
    problems = reopening.outcome_problems(
        outcome, decided_on, today=TODAY, requested_on=date(2026, 12, 8)
    )
    if field is None:
        assert problems == {}
    else:
        assert list(problems) == [field] and message in problems[field]


@pytest.mark.parametrize(
    ("adjustments", "modifiers", "suggested"),
    [
        ((), (), None),
        (({"group": "CO", "reason": "16", "amount": "150.00"},), (), None),
        (({"group": "CO", "reason": "50", "amount": "150.00"},), (), "redetermination"),
        ((), ("KX",), "redetermination"),
        ((), ("GA", "RR"), "redetermination"),
        ((), ("RT",), None),
    ],
)
def test_a_redetermination_is_suggested_where_a_reopening_cannot_do_it(
    adjustments, modifiers, suggested
):
    assert reopening.suggested_method(adjustments, modifiers) == suggested


def test_the_last_day_to_ask_is_a_year_from_the_remittance():
    assert reopening.deadline(date(2026, 12, 1)) == date(2027, 12, 1)
    assert reopening.deadline(None) is None
