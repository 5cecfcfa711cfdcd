"""The date filter reads the days the app keeps as ISO text in JSON facts (a recorded
delivery), so a page prints them like every other date."""

from __future__ import annotations

from datetime import date

from dme_service.web.time_filters import human_date


def test_an_iso_day_kept_as_text_reads_in_the_one_human_format():
    assert human_date("2026-11-20") == "Nov 20, 2026"
    assert human_date(date(2026, 12, 6)) == "Dec 6, 2026"


def test_nothing_or_text_that_is_not_a_day_is_printed_as_kept():
    assert human_date(None) == "" and human_date("") == ""
    assert human_date("soon") == "soon"
