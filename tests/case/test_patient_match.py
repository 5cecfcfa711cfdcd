"""Who is the same patient, which delivered units are prior devices, and duplicate units."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.case.patient_match import (
    DeliveredUnit,
    is_same_patient,
    member_key,
    prior_devices_from,
    similar_units,
    with_priors,
    without_priors,
)

BORN = date(1958, 3, 14)
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("1EG4TE5MK73", "1EG4TE5MK73"),
        ("1eg4te5mk73", "1EG4TE5MK73"),
        (" 1EG4 TE5 MK73 ", "1EG4TE5MK73"),
        ("1EG4-TE5-MK73", "1EG4TE5MK73"),
        ("1eg4\ttE5\u00a0mk73", "1EG4TE5MK73"),
        ("", ""),
        (None, ""),
    ],
)
def test_member_key_ignores_case_spaces_and_hyphens(typed, key):
    assert member_key(typed) == key


@pytest.mark.parametrize(
    ("member", "born", "other_member", "other_born", "same"),
    [
        ("1EG4TE5MK73", BORN, "1EG4TE5MK73", BORN, True),
        ("1EG4TE5MK73", BORN, "1eg4 te5 mk73", BORN, True),
        ("1EG4TE5MK73", BORN, "1EG4TE5MK73", date(1958, 3, 15), False),  # other date of birth
        ("1EG4TE5MK73", BORN, "1EG4TE5MK74", BORN, False),
        ("", BORN, "", BORN, False),  # no member id: never a match
        ("1EG4TE5MK73", None, "1EG4TE5MK73", None, False),
    ],
)
def test_same_patient_needs_member_id_and_date_of_birth(
    member, born, other_member, other_born, same
):
    assert is_same_patient(member, born, other_member, other_born) is same


@pytest.mark.parametrize(
    ("delivered", "carried"),
    [
        (date(2021, 12, 23), True),  # 4 years 11 months before
        (date(2026, 11, 20), True),
        (date(2026, 11, 25), True),  # after the day: the patient has one already
        (date(2021, 11, 24), True),  # 1825 days: less than 5 years
        (date(2021, 11, 23), False),  # 1826 days: 5 years (clarification 8: less than)
        (date(2021, 11, 22), False),  # 5 years and 1 day
    ],
)
def test_delivered_units_within_five_years_are_prior_devices(delivered, carried):
    unit = DeliveredUnit("E0860", delivered, 7)
    assert (prior_devices_from([unit], TODAY) == [unit]) is carried


def test_only_cervical_traction_units_are_prior_devices():
    unit = DeliveredUnit("E0941", date(2026, 1, 1), 7)
    assert prior_devices_from([unit], TODAY) == []


def test_carried_entries_are_added_once_and_taken_out_again():
    typed = [{"hcpcs": "E0849", "date": "2024-01-02"}]
    carried = [{"hcpcs": "E0860", "date": "2026-12-04"}]
    both = with_priors(typed + carried, carried)
    assert both == typed + carried
    assert without_priors(both, carried) == typed


@pytest.mark.parametrize(
    ("one", "other", "similar"),
    [
        ("E0860", "E0860", True),
        ("E0860", "E0849", True),
        ("E0941", "E0941", True),
        ("E0941", "E0860", False),
        ("E0860", None, False),
    ],
)
def test_similar_units_for_a_duplicate_claim(one, other, similar):
    assert similar_units(one, other) is similar
