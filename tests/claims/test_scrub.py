"""The scrubber refuses, in words naming the claim and the field, what a payer would reject."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from dme_service.claims import scrub, x837
from dme_service.claims.facts import Address, ServiceLine

from .pyx12_check import accepted, validate
from .samples import CLINIC, DOCTOR, ENVELOPE, e0849, e0860_nu

TODAY = date(2026, 12, 6)


def problems(claim):
    return [(p.field, p.message) for p in scrub.claim_problems(claim, TODAY)]


def fields(claim):
    return [field for field, _ in problems(claim)]


def test_good_claims_pass():
    for claim in (e0860_nu(), e0849("C13", "KX"), e0849("C14", "GA")):
        assert problems(claim) == []
    assert scrub.provider_problems(CLINIC) == []


def test_missing_ordering_npi():
    claim = e0860_nu(ordering=replace(DOCTOR, npi=""))
    assert ("ordering NPI", "The ordering practitioner has no NPI.") in problems(claim)


def test_bad_npi_check_digit():
    claim = e0860_nu(ordering=replace(DOCTOR, npi="1245319598"))
    assert problems(claim) == [
        ("ordering NPI", "1245319598 is not an NPI (its check digit fails).")
    ]


def test_no_subscriber_address():
    claim = e0860_nu(subscriber=replace(e0860_nu().subscriber, address=None))
    assert fields(claim) == ["patient address"]


def test_charge_missing():
    line = replace(e0860_nu().lines[0], charge=None)
    assert problems(e0860_nu(lines=(line,))) == [
        ("line 1 (E0860) charge", "No charge: add the HCPCS to the clinic's fee table.")
    ]


def test_no_date_of_service_names_only_the_date_not_the_fee_table():
    # The charge is looked up on the date of service: without the date, the fee table is
    # not what the biller must fix.
    line = replace(e0860_nu().lines[0], charge=None, service_date=None)
    assert problems(e0860_nu(lines=(line,))) == [
        ("line 1 (E0860) date of service", "Give the date of service (the delivery date).")
    ]


def test_problems_are_grouped_one_entry_per_claim():
    line = replace(e0860_nu().lines[0], service_date=None)
    claim = e0860_nu(lines=(line,), ordering=replace(DOCTOR, npi=""))
    _, found = scrub.scrub(CLINIC, [claim], TODAY)
    assert scrub.by_claim(found) == {
        "Case 12, Walter Brandt": [
            "ordering NPI: The ordering practitioner has no NPI.",
            "line 1 (E0860) date of service: Give the date of service (the delivery date).",
        ]
    }


def test_kx_ga_gz_missing_for_e0849():
    line = replace(e0849("C13", "KX").lines[0], modifiers=("NU",))
    assert problems(e0860_nu(lines=(line,))) == [
        ("line 1 (E0849) modifiers", "E0849 needs KX, GA or GZ (policy article A52476).")
    ]


def test_purchase_or_rental_modifier_missing():
    line = replace(e0860_nu().lines[0], modifiers=())
    assert fields(e0860_nu(lines=(line,))) == ["line 1 (E0860) purchase or rental modifier"]


def test_pointers_that_do_not_resolve():
    line = replace(e0860_nu().lines[0], pointers=(1, 3))
    assert problems(e0860_nu(lines=(line,))) == [
        ("line 1 (E0860) diagnosis pointers", "Pointer 3 names no diagnosis on the claim.")
    ]


def test_future_date_of_service_and_bad_mbi():
    line = replace(e0860_nu().lines[0], service_date=date(2026, 12, 7))
    sub = replace(e0860_nu().subscriber, member_id="123456789A")
    assert fields(e0860_nu(lines=(line,), subscriber=sub)) == [
        "member id",
        "line 1 (E0860) date of service",
    ]


def test_clinic_gaps_refuse_every_claim():
    clinic = replace(CLINIC, npi="", address=replace(CLINIC.address, zip="19103"))
    ready, found = scrub.scrub(clinic, [e0860_nu()], TODAY)
    assert ready == []
    assert [str(p) for p in found] == [
        "The clinic: billing NPI: Give the clinic's 10-digit NPI (its check digit fails); it is "
        "the organization NPI of the clinic profile.",
        "The clinic: billing address: Give the ZIP+4 (nine digits).",
    ]


def test_a_broken_claim_stays_out_and_the_rest_validate():
    broken = e0860_nu(
        "C99",
        ordering=replace(DOCTOR, npi="1245319598"),
        subscriber=replace(e0860_nu().subscriber, address=Address("", "", "PA", "1")),
    )
    ready, found = scrub.scrub(CLINIC, [e0860_nu("C1"), broken, e0849("C2", "KX")], TODAY)
    assert [c.control_number for c in ready] == ["C1", "C2"]
    assert {p.claim for p in found} == {"Case 99, Walter Brandt"}
    ok, ack = validate(x837.build(ENVELOPE, CLINIC, ready))
    assert ok and accepted(ack)


def test_two_lines_each_named():
    lines = (
        ServiceLine("E0860", ("NU",), Decimal("150.00"), TODAY),
        ServiceLine("E0849", ("NU",), Decimal("0.00"), TODAY),
    )
    assert fields(e0860_nu(lines=lines)) == [
        "line 2 (E0849) charge",
        "line 2 (E0849) modifiers",
    ]
