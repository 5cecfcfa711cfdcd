"""Deadlines: Medicare timely filing (12 months from the date of service) and redetermination
(120 days from the remittance); none guessed for other payers."""

from __future__ import annotations

from datetime import date

from dme_service.claims import deadlines


def test_timely_filing_is_one_calendar_year_after_the_date_of_service():
    due = deadlines.timely_filing("medicare", date(2026, 11, 20))
    assert due.due == date(2027, 11, 20) and "42 CFR 424.44" in due.rule
    assert deadlines.timely_filing("medicare", date(2028, 2, 29)).due == date(2029, 2, 28)
    assert deadlines.timely_filing("aetna", date(2026, 11, 20)) is None


def test_redetermination_is_120_days_from_the_remittance():
    due = deadlines.redetermination("medicare", date(2026, 12, 20))
    assert due.due == date(2027, 4, 19) and due.days_left(date(2027, 4, 9)) == 10


def test_the_deadline_that_matters_follows_the_claim_state():
    served, remitted = date(2026, 11, 20), date(2026, 12, 20)
    assert deadlines.next_deadline("medicare", "ready_to_submit", served, None).what == (
        "Timely filing"
    )
    assert deadlines.next_deadline("medicare", "denied", served, remitted).what == "Redetermination"
    assert deadlines.next_deadline("medicare", "paid", served, remitted) is None


def test_today_in_the_clinics_zone_falls_back_on_an_unknown_zone():
    assert deadlines.local_today("Not/AZone") == deadlines.local_today(deadlines.DEFAULT_ZONE)
