"""The home log: entries, red flags that flag the case, adherence and the pain trend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dme_service.models import AuditEvent, Case, HomeLogEntry
from dme_service.services.patient import home_log
from dme_service.services.patient import links as patient_links
from dme_service.services.patient.home_log import EntryInput, EntryInvalid
from services.patient_cases import a_stored_case, sign

TODAY = date(2026, 11, 23)


def entry(day: int, pain_before=5, pain_after=3, flags=(), entry_id=None) -> HomeLogEntry:
    """An unsaved entry on November `day`, 2026 (what adherence and trend read)."""
    return HomeLogEntry(
        id=entry_id,
        date=date(2026, 11, day),
        minutes=15,
        pain_before=pain_before,
        pain_after=pain_after,
        red_flags=list(flags),
    )


def days(*numbers: int) -> list[HomeLogEntry]:
    return [entry(n, entry_id=i) for i, n in enumerate(numbers, start=1)]


@pytest.mark.parametrize(
    ("entries", "per_day", "order_day", "expected"),
    [
        pytest.param(days(23, 23), 2, None, (date(2026, 11, 23), 1, 2, 2, 2, 0), id="one full day"),
        pytest.param(
            days(21, 21, 22, 23, 23),
            2,
            None,
            (date(2026, 11, 21), 3, 6, 5, 5, 0),
            id="three days from the first entry, one session missed",
        ),
        pytest.param(
            days(20, 22),
            2,
            date(2026, 11, 17),
            (date(2026, 11, 17), 7, 14, 2, 2, 0),
            id="counted from the signed order when it came first",
        ),
        pytest.param(
            days(16, 20),
            1,
            date(2026, 11, 18),
            (date(2026, 11, 16), 8, 8, 2, 2, 0),
            id="counted from the first entry when it came before the order",
        ),
        pytest.param(
            days(23, 23, 23, 23),
            2,
            None,
            (date(2026, 11, 23), 1, 2, 4, 2, 1),
            id="extra sessions do not make up missed ones and are counted as overuse",
        ),
        pytest.param(
            days(22, 24),
            2,
            None,
            (date(2026, 11, 22), 2, 4, 1, 1, 0),
            id="an entry dated after today is left out",
        ),
    ],
)
def test_adherence(entries, per_day, order_day, expected):
    result = home_log.adherence(entries, per_day, order_day, TODAY)
    start, span, prescribed, done, counted, over = expected
    assert (result.start, result.days, result.prescribed) == (start, span, prescribed)
    assert (result.done, result.counted, result.over_days) == (done, counted, over)


@pytest.mark.parametrize(
    ("entries", "per_day", "order_day"),
    [
        pytest.param([], 2, None, id="no entries and no order"),
        pytest.param(days(20), None, None, id="no sessions per day prescribed"),
        pytest.param([], 2, date(2026, 11, 30), id="order in the future"),
    ],
)
def test_adherence_is_not_computed_without_a_start_or_a_frequency(entries, per_day, order_day):
    assert home_log.adherence(entries, per_day, order_day, TODAY) is None


def test_adherence_percent_rounds_counted_over_prescribed():
    result = home_log.adherence(days(21, 21, 22, 23, 23), 2, None, TODAY)
    assert result.percent == 83  # 5 of 6


@pytest.mark.parametrize(
    ("pains", "direction", "first", "last"),
    [
        pytest.param([(7, 4), (6, 4), (5, 3), (4, 2), (3, 2), (2, 1)], "better", 6.0, 3.0,
                     id="pain before falls by 3 points: better"),
        pytest.param([(3, 3), (4, 4), (6, 6), (7, 7)], "worse", 3.5, 6.5,
                     id="pain before rises by 3 points: worse"),
        pytest.param([(5, 3), (5, 3), (4, 3), (5, 2)], "no_change", 5.0, 4.5,
                     id="a change under 2 points is no clear change"),
        pytest.param([(6, 3), (4, 2)], "better", 6.0, 4.0, id="two entries are enough"),
    ],
)  # fmt: skip
def test_pain_trend(pains, direction, first, last):
    entries = [entry(10 + i, before, after, entry_id=i) for i, (before, after) in enumerate(pains)]
    trend = home_log.pain_trend(entries)
    assert (trend.direction, trend.first, trend.last) == (direction, first, last)


def test_pain_trend_mean_relief_is_within_session():
    trend = home_log.pain_trend([entry(10, 6, 3, entry_id=1), entry(11, 5, 4, entry_id=2)])
    assert trend.mean_relief == 2.0


def test_pain_trend_needs_two_entries():
    assert home_log.pain_trend([entry(10)]) is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"date": TODAY + timedelta(days=2)}, "date", "future"),
        ({"date": TODAY - timedelta(days=32)}, "date", "too_old"),
        ({"minutes": 0}, "minutes", "range"),
        ({"minutes": 61}, "minutes", "range"),
        ({"force_lb": 51}, "force_lb", "range"),
        ({"pain_before": 11}, "pain_before", "range"),
        ({"pain_after": -1}, "pain_after", "range"),
        ({"red_flags": ("headache",)}, "red_flags", "unknown"),
    ],
    ids=lambda value: str(value),
)
def test_check_entry_names_the_bad_field(changes, field, code):
    values = {"date": TODAY, "minutes": 15, "force_lb": 12, "pain_before": 5, "pain_after": 3}
    values.update(changes)
    assert home_log.check_entry(EntryInput(**values), TODAY) == {field: code}


def test_tomorrow_is_allowed_for_patients_east_of_the_clinic():
    values = EntryInput(TODAY + timedelta(days=1), 15, 12, 5, 3)
    assert home_log.check_entry(values, TODAY) == {}


class TestStoredEntries:
    @pytest.fixture
    def link(self, db_session, clinic, make_user):
        clinician = make_user("clinician", credential="PT")
        case = a_stored_case(db_session, clinic, clinician)
        link, _ = patient_links.create_link(db_session, case, clinician)
        return link

    def test_entry_is_stored(self, db_session, link):
        values = EntryInput(TODAY, 15, 12.5, 6, 2)
        saved = home_log.add_entry(db_session, link, values, TODAY)
        stored = db_session.get(HomeLogEntry, saved.id)
        assert (stored.case_id, stored.link_id, stored.date) == (link.case_id, link.id, TODAY)
        assert (stored.minutes, stored.force_lb, stored.pain_before, stored.pain_after) == (
            15,
            12.5,
            6,
            2,
        )
        assert stored.red_flags == []

    def test_invalid_entry_writes_nothing(self, db_session, link):
        with pytest.raises(EntryInvalid) as raised:
            home_log.add_entry(db_session, link, EntryInput(TODAY, 15, 12, 11, 2), TODAY)
        assert raised.value.errors == {"pain_before": "range"}
        assert db_session.scalar(select(func.count()).select_from(HomeLogEntry)) == 0

    def test_red_flag_is_stored_and_flags_the_case(self, db_session, link):
        values = EntryInput(TODAY, 10, 12, 5, 8, ("new_weakness_numbness", "neck_pain_worse"))
        saved = home_log.add_entry(db_session, link, values, TODAY)
        # stored in the table's order, whatever order the form sent
        assert saved.red_flags == ["neck_pain_worse", "new_weakness_numbness"]
        actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["home_log.create", "case.red_flag"]
        case = db_session.get(Case, link.case_id)
        assert home_log.cases_with_red_flags(db_session, case.clinic_id) == {case.id}
        summary = home_log.summary(db_session, case, TODAY)
        assert [e.id for e in summary.red_flags] == [saved.id]

    def test_entry_without_red_flag_does_not_flag(self, db_session, link):
        home_log.add_entry(db_session, link, EntryInput(TODAY, 15, 12, 5, 3), TODAY)
        actions = db_session.scalars(select(AuditEvent.action)).all()
        assert "case.red_flag" not in actions


def test_summary_counts_from_the_signed_order(db_session, clinic, make_user):
    clinician = make_user("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician, sessions_per_day=2)
    sign(db_session, case, make_user("practitioner", credential="MD"),
         when=datetime(2026, 11, 20, 12, tzinfo=UTC))  # fmt: skip
    link, _ = patient_links.create_link(db_session, case, clinician)
    for day in (21, 22, 22):
        home_log.add_entry(db_session, link, EntryInput(date(2026, 11, day), 15, 12, 5, 3), TODAY)
    summary = home_log.summary(db_session, case, TODAY)
    assert summary.link_state == "live"
    assert (summary.adherence.start, summary.adherence.prescribed) == (date(2026, 11, 20), 8)
    assert (summary.adherence.counted, summary.adherence.percent) == (3, 38)


def test_a_change_waiting_for_signature_does_not_replace_the_plan_followed(
    db_session, clinic, make_user
):
    """The patient keeps the signed plan until the change is signed (services/followed_order):
    adherence counts against its sessions a day from the day it was signed, and the change
    is shown apart."""
    from services.patient_cases import change_after_signing

    clinician = make_user("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician, sessions_per_day=2)
    sign(db_session, case, make_user("practitioner", credential="MD"),
         when=datetime(2026, 11, 20, 12, tzinfo=UTC))  # fmt: skip
    change_after_signing(db_session, case, clinician, sessions_per_day=3, force_lb=14)
    link, _ = patient_links.create_link(db_session, case, clinician)
    for day in (21, 22, 22):
        home_log.add_entry(db_session, link, EntryInput(date(2026, 11, day), 15, 12, 5, 3), TODAY)
    summary = home_log.summary(db_session, case, TODAY)
    assert summary.sessions_per_day == 2
    assert (summary.adherence.start, summary.adherence.prescribed) == (date(2026, 11, 20), 8)
    assert summary.plan.signed_on == date(2026, 11, 20)
    assert summary.plan.dose["force_lb"] == 12 and summary.plan.waiting["force_lb"] == 14
    assert summary.plan.waiting_words == "force 12 lb → 14 lb; sessions per day 2 → 3"
    assert summary.over_plan == 0


def test_sessions_above_the_signed_weight_or_time_are_counted(db_session, clinic, make_user):
    clinician = make_user("clinician", credential="PT")
    case = a_stored_case(db_session, clinic, clinician, force_lb=12, minutes=15)
    sign(db_session, case, make_user("practitioner", credential="MD"))
    link, _ = patient_links.create_link(db_session, case, clinician)
    for minutes, force in ((15, 12), (20, 12), (15, 14), (10, None)):
        values = EntryInput(date(2026, 11, 22), minutes, force, 5, 3)
        home_log.add_entry(db_session, link, values, TODAY)
    summary = home_log.summary(db_session, case, TODAY)
    assert summary.over_plan == 2 and summary.plan.waiting is None
