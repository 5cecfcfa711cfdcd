"""Claim facts for the claims tests: a Medicare E0860 purchase and E0849 claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from dme_service.claims.facts import (
    Address,
    BillingProvider,
    Claim,
    Envelope,
    OrderingProvider,
    Payer,
    ServiceLine,
    Subscriber,
)

CLINIC = BillingProvider(
    name="Harbor Spine & Physical Therapy",
    npi="1234567893",
    tax_id="12-3456789",
    address=Address("100 Harbor Way", "Philadelphia", "PA", "191031234"),
    contact_name="Priya Shah",
    phone="(555) 014-2290",
)
ENVELOPE = Envelope(
    sender_id="A1234",
    receiver_id="CEDI",
    receiver_name="CEDI",
    control_number=42,
    created=datetime(2026, 12, 6, 9, 30),
)
MEDICARE = Payer("medicare", "Medicare DME MAC Jurisdiction A", "16003", "MB")
WALTER = Subscriber(
    last_name="Brandt",
    first_name="Walter",
    member_id="1EG4-TE5-MK73",
    birth_date=date(1950, 3, 2),
    sex="M",
    address=Address("12 Elm St", "Philadelphia", "PA", "19104"),
)
DOCTOR = OrderingProvider("Okafor", "Ada", "1245319599")


def e0860_nu(number: str = "C12", **changes) -> Claim:
    claim = Claim(
        control_number=number,
        subscriber=WALTER,
        payer=MEDICARE,
        ordering=DOCTOR,
        diagnoses=("M50.122", "M54.12"),
        lines=(ServiceLine("E0860", ("NU",), Decimal("150.00"), date(2026, 12, 1), 1, (1, 2)),),
        label=f"Case {number[1:]}, Walter Brandt",
    )
    return replace(claim, **changes)


def e0849(number: str, modifier: str) -> Claim:
    line = ServiceLine("E0849", ("NU", modifier), Decimal("1295.50"), date(2026, 11, 20), 1, (1,))
    return e0860_nu(number, lines=(line,), label=f"Case {number[1:]}, Walter Brandt")
