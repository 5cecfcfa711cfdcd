"""Open red flags where people look first: the case's own, and those on the cases naming a
practitioner (only theirs, only open ones)."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.services.patient import home_log, red_flag_alerts
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import red_flags as review
from dme_service.services.patient.home_log import EntryInput
from services.patient_cases import a_stored_case

TODAY = date(2026, 11, 23)


@pytest.fixture
def team(make_user):
    return (
        make_user("clinician", credential="PT", name="Pat Kim"),
        make_user("practitioner", credential="MD", name="Dr One"),
        make_user("practitioner", credential="MD", name="Dr Two"),
    )


def _logged(db_session, clinic, author, practitioner, flags, name="Ann Flag"):
    case = a_stored_case(db_session, clinic, author, practitioner=practitioner, name=name)
    link, _ = patient_links.create_link(db_session, case, author)
    entry = home_log.add_entry(db_session, link, EntryInput(TODAY, 15, 12, 5, 6, flags), TODAY)
    return case, entry


def test_a_case_lists_its_open_red_flags_until_reviewed(db_session, clinic, team):
    author, doctor, _other = team
    case, entry = _logged(db_session, clinic, author, doctor, ("arm_symptoms_worse",))
    assert [e.id for e in red_flag_alerts.open_for_case(db_session, case)] == [entry.id]
    review.review_entry(db_session, author, case, entry.id, "Called, stopped traction.")
    assert red_flag_alerts.open_for_case(db_session, case) == []


def test_a_practitioner_sees_only_the_red_flags_of_orders_naming_them(db_session, clinic, team):
    author, doctor, other = team
    mine, entry = _logged(db_session, clinic, author, doctor, ("new_weakness_numbness",))
    _logged(db_session, clinic, author, other, ("neck_pain_worse",), name="Not Theirs")
    _logged(db_session, clinic, author, doctor, (), name="No Flag")
    alerts = red_flag_alerts.open_for_practitioner(db_session, doctor)
    assert [(a.case.id, a.entry.id) for a in alerts] == [(mine.id, entry.id)]
