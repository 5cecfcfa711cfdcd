"""The checks behind `clinic create`, `user add` and the admin forms: one problem per field."""

import pytest
from stdnum import luhn

from dme_service.services.clinic.checks import (
    ClinicDetails,
    UserDetails,
    clinic_problems,
    user_problems,
)

GOOD_NPI = "104583726" + luhn.calc_check_digit("80840104583726")


def fields(problems):
    return {problem.field for problem in problems}


def test_a_good_clinic_has_no_problems():
    assert clinic_problems(ClinicDetails("Lakeside PT", "America/Chicago")) == []


def test_an_unknown_time_zone_is_named():
    (problem,) = clinic_problems(ClinicDetails("Lakeside PT", "America/Chicag"))
    assert problem.field == "timezone" and "America/Chicag" in problem.message


@pytest.mark.parametrize("email", ["", "pt", "pt@clinic", "p t@clinic.org", "pt@@clinic.org"])
def test_malformed_emails_are_refused(email):
    assert "email" in fields(user_problems(UserDetails(email, "Ann", "clinician")))


def test_a_bad_npi_check_digit_is_refused_with_the_reason():
    bad = GOOD_NPI[:-1] + str((int(GOOD_NPI[-1]) + 1) % 10)
    problems = user_problems(UserDetails("md@x.org", "Dr A", "practitioner", "MD", bad))
    assert [p.field for p in problems] == ["npi"]
    assert "check digit" in problems[0].message


def test_a_practitioner_needs_an_npi_and_a_signing_credential():
    problems = user_problems(UserDetails("pt@x.org", "Ann", "practitioner", "PT", None))
    assert fields(problems) == {"credential", "npi"}
    assert "PT may not" in next(p.message for p in problems if p.field == "credential")


def test_every_problem_is_reported_at_once():
    problems = user_problems(UserDetails("nope", "", "boss", "XX", "123"))
    assert fields(problems) == {"email", "name", "role", "credential", "npi"}


def test_only_a_practitioner_can_be_from_outside():
    problems = user_problems(UserDetails("b@x.org", "Bo", "billing", outside=True))
    assert fields(problems) == {"outside"}


def test_an_outside_practitioner_is_fine():
    details = UserDetails("md@x.org", "Dr A", "practitioner", "MD", GOOD_NPI, outside=True)
    assert user_problems(details) == []
