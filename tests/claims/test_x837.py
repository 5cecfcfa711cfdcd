"""The 837P: every file the builder makes validates with pyx12 (999 accepted)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from dme_service.claims import x837
from dme_service.claims.facts import ServiceLine, money

from .pyx12_check import accepted, validate
from .samples import CLINIC, ENVELOPE, e0849, e0860_nu


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


@pytest.mark.parametrize(
    "claim",
    [e0860_nu(), e0849("C13", "KX"), e0849("C14", "GA")],
    ids=["E0860-NU", "E0849-KX", "E0849-GA"],
)
def test_each_claim_validates_with_pyx12(claim):
    text = x837.build(ENVELOPE, CLINIC, [claim])
    ok, ack = validate(text)
    assert ok and accepted(ack), ack


def test_a_batch_of_several_claims_validates():
    claims = [e0860_nu(f"C{n}") for n in range(20, 26)] + [e0849("C30", "KX"), e0849("C31", "GZ")]
    text = x837.build(ENVELOPE, CLINIC, claims)
    ok, ack = validate(text)
    assert ok and accepted(ack), ack
    assert sum(s.startswith("CLM*") for s in segments(text)) == 8


def test_dme_line_and_claim_segments():
    text = x837.build(ENVELOPE, CLINIC, [e0860_nu(), e0849("C13", "KX")])
    found = segments(text)
    assert "SV1*HC:E0860:NU*150*UN*1***1:2" in found
    assert "SV1*HC:E0849:NU:KX*1295.5*UN*1***1" in found
    assert "HI*ABK:M50122*ABF:M5412" in found  # ICD-10 qualifiers, no dots
    assert "NM1*DK*1*OKAFOR*ADA****XX*1245319599" in found  # ordering practitioner, 2420E
    assert "DTP*472*D8*20261201" in found
    assert "SBR*P*18*******MB" in found
    assert "N4*PHILADELPHIA*PA*19104" in found  # subscriber's state picks the DME MAC
    assert not [s for s in found if s.startswith(("CR3", "PWK", "LQ", "FRM"))]  # no CMN


def test_claim_total_is_the_sum_of_its_lines():
    lines = (
        ServiceLine("E0860", ("NU",), Decimal("150.10"), e0860_nu().lines[0].service_date),
        ServiceLine("E0860", ("RR",), Decimal("20.05"), e0860_nu().lines[0].service_date),
    )
    claim = replace(e0860_nu(), lines=lines)
    clm = next(s for s in segments(x837.build(ENVELOPE, CLINIC, [claim])) if s.startswith("CLM"))
    assert clm.split("*")[2] == "170.15"


def test_typed_text_cannot_break_the_file():
    sub = replace(e0860_nu().subscriber, last_name="O'Brien~ST*837", first_name="Ann*Marie:^")
    text = x837.build(ENVELOPE, CLINIC, [e0860_nu(subscriber=sub)])
    assert "NM1*IL*1*O'BRIEN ST 837*ANN MARIE****MI*1EG4TE5MK73" in segments(text)
    ok, ack = validate(text)
    assert ok and accepted(ack), ack


def test_prior_authorization_number_goes_in_the_claim():
    text = x837.build(ENVELOPE, CLINIC, [e0849("C13", "KX")])
    assert "REF*G1" not in text
    text = x837.build(ENVELOPE, CLINIC, [replace(e0849("C13", "KX"), prior_auth="PA-7781")])
    assert "REF*G1*PA-7781" in segments(text)
    assert validate(text)[0]


def test_amounts_are_decimals_never_floats():
    with pytest.raises(TypeError):
        money(150.0)
    assert money("150") == Decimal("150.00")
