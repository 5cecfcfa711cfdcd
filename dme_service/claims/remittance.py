"""What an 835 says, as plain facts: the payment, and each claim and line paid, adjusted or denied.

CAS group codes: CO contractual obligation (the clinic writes it off), PR patient
responsibility (deductible CARC 1, coinsurance 2, copay 3), OA other adjustment, PI payer
initiated reduction. Amounts are two-place Decimals; an adjustment may be negative (a payer
giving back an earlier reduction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

GROUPS = {
    "CO": "Contractual obligation",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer initiated reduction",
    "CR": "Correction and reversal",
}
# CLP02 claim status codes (005010X221A1).
DENIED = "4"
REVERSAL = "22"
STATUS_WORDS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded",
    "20": "processed as secondary, forwarded",
    "21": "processed as tertiary, forwarded",
    "22": "reversal of a previous payment",
    "23": "not our claim, forwarded",
    "25": "predetermination only",
}


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal


@dataclass(frozen=True)
class LinePayment:
    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: int = 1
    service_date: date | None = None
    allowed: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # RARC

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "PR"), Decimal("0.00"))

    @property
    def contractual(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "CO"), Decimal("0.00"))


@dataclass(frozen=True)
class ClaimPayment:
    control_number: str  # CLP01: the patient control number we sent as CLM01
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_icn: str  # CLP07: the payer's claim control number (ICN)
    member_id: str
    patient_last: str
    patient_first: str
    lines: tuple[LinePayment, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    filing_code: str = "MB"
    segment_number: int = 0  # where its CLP is in the file, for messages

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, f"status {self.status}")

    @property
    def reversal(self) -> bool:
        """A take-back of the payer's earlier payment of this claim (CLP02 = 22), its amounts
        negated; the corrected payment, if any, is another claim payment."""
        return self.status == REVERSAL

    @property
    def denied(self) -> bool:
        return self.status == DENIED or (self.paid == 0 and self.status != REVERSAL)


@dataclass(frozen=True)
class Party:
    name: str
    id_qualifier: str = ""  # XX NPI, FI tax id, PI payer id
    id: str = ""


@dataclass(frozen=True)
class Remittance:
    payer: Party
    payee: Party
    trace_number: str  # TRN02: check or EFT trace number
    payment_date: date
    total_paid: Decimal
    method: str  # BPR04: CHK, ACH, NON
    claims: tuple[ClaimPayment, ...] = field(default_factory=tuple)
    control_number: str = ""  # ISA13, for the import record
