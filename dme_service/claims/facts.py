"""The plain facts of a claim and of the clinic that sends it, as the 837P needs them.

Amounts are `Decimal` with two places (never floats). Diagnosis codes are ICD-10-CM, dotted or
not; the builder writes them without the dot as the 837P requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A Decimal with two places from a Decimal, int or str ('150', '150.5'); floats refused."""
    if isinstance(value, float):
        raise TypeError("Amounts are decimals, never floats.")
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str  # USPS two-letter code
    zip: str  # 5 or 9 digits
    line2: str = ""


@dataclass(frozen=True)
class BillingProvider:
    """The clinic as supplier: loop 2010AA (name, NPI, address, tax id) and the submitter."""

    name: str
    npi: str
    tax_id: str  # EIN, 9 digits (REF*EI)
    address: Address | None
    contact_name: str
    phone: str  # 10 digits


@dataclass(frozen=True)
class Subscriber:
    """The insured, who is the patient for every claim this service makes (SBR02 = 18 self)."""

    last_name: str
    first_name: str
    member_id: str  # Medicare: the MBI
    birth_date: date | None
    sex: str  # F, M or U (unknown)
    address: Address | None


@dataclass(frozen=True)
class Payer:
    """Loop 2010BB and SBR09: who pays and under which claim filing indicator."""

    key: str  # the policy pack's key (rules/payers/<key>.toml)
    name: str
    payer_id: str  # the electronic payer id the clearinghouse or CEDI routes by
    filing_code: str  # SBR09: MB Medicare Part B, CI commercial, 16 Medicare Advantage HMO ...


@dataclass(frozen=True)
class OrderingProvider:
    """Loop 2420E: the practitioner who signed the order; name and NPI must match PECOS."""

    last_name: str
    first_name: str
    npi: str


@dataclass(frozen=True)
class ServiceLine:
    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    service_date: date | None
    units: int = 1
    pointers: tuple[int, ...] = (1,)  # 1-based into Claim.diagnoses


@dataclass(frozen=True)
class Claim:
    """One claim (loop 2300) with its lines (2400); `control_number` is CLM01, our claim id."""

    control_number: str
    subscriber: Subscriber
    payer: Payer
    ordering: OrderingProvider | None
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    place_of_service: str = "12"  # the patient's home (CMS place of service code set)
    prior_auth: str = ""
    label: str = ""  # how people name the claim ("Case 12, Walter Brandt"), for messages
    # CLM05-3 (claims/correction.py): 1 original, 7 replacement of the claim the payer
    # numbered `replaces` (REF*F8, the CLP07 of its 835).
    frequency: str = "1"
    replaces: str = ""

    @property
    def total_charge(self) -> Decimal:
        """CLM02: always the sum of the line charges."""
        return sum((money(line.charge) for line in self.lines), Decimal("0.00"))

    @property
    def name(self) -> str:
        return self.label or f"Claim {self.control_number}"


@dataclass(frozen=True)
class Envelope:
    """ISA/GS identities: who sends the file to whom, and its control number."""

    sender_id: str  # ISA06/GS02: the submitter id CEDI or the clearinghouse assigned
    receiver_id: str  # ISA08/GS03
    receiver_name: str  # 1000B
    control_number: int  # ISA13 (9 digits), also GS06 and the ST02 base
    created: datetime
    production: bool = False  # ISA15: P for production files, T for test files
    extra: dict[str, str] = field(default_factory=dict)
