"""The money and identity of claims: fee table, the clinic as supplier, each claim's amounts,
the 837P files made and the 835 remittances posted.

Amounts are stored as whole cents (integers) and read as two-place Decimals (`Cents`), so no
engine ever rounds them through a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from dme_service.models.base import Base, UTCDateTime, created_at_column, fk

CENT = Decimal("0.01")


class Cents(TypeDecorator):
    """A Decimal amount with two places, stored as an integer number of cents."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("amounts are Decimals, never floats")
        return int((Decimal(value).quantize(CENT) * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 100).quantize(CENT)


class FeeScheduleEntry(Base):
    """The clinic's charge for a HCPCS bought (NU) or rented (RR) from `effective_from` on."""

    __tablename__ = "fee_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    hcpcs: Mapped[str] = mapped_column(String(5))
    purchase_or_rental: Mapped[str] = mapped_column(String(2), default="NU")
    amount: Mapped[Decimal] = mapped_column(Cents())
    effective_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(fk("users.id"))
    created_at: Mapped[datetime] = created_at_column()


class ClinicBilling(Base):
    """What claims alone need of the clinic as submitter (ISA/GS, loop 1000A: the billing
    contact and its phone, the submitter and receiver ids).

    The supplier's own identity is not here: its NPI, tax id (EIN), PTAN, legal name and
    address are the clinic profile's (Clinic.org_npi, .tax_id, .ptan, .legal_name, .address),
    one value that prints on letters and goes on claims, whichever page edits it.
    """

    __tablename__ = "clinic_billing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), unique=True)
    # The billing contact's phone (1000A PER); empty: the clinic profile's phone.
    phone: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(60))
    submitter_id: Mapped[str | None] = mapped_column(String(15))  # CEDI/clearinghouse sender id
    receiver_id: Mapped[str | None] = mapped_column(String(15))
    receiver_name: Mapped[str | None] = mapped_column(String(60))
    last_control_number: Mapped[int] = mapped_column(Integer, default=0)  # ISA13 of the last file
    # ISA15: test files until the payer or clearinghouse has tested the clinic's enrollment;
    # only production files are processed for payment.
    production_files: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False
    )


class ClaimRecord(Base):
    """A case's claim as the payer sees it: one DME line, its money and its dates.

    `control_number` is CLM01 (the patient control number the 835 answers with).
    Dates the biller types (`submitted_on`, `remitted_on`) are calendar days in the clinic's
    zone, not click times.
    """

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), unique=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    control_number: Mapped[str] = mapped_column(String(20), index=True)
    purchase_or_rental: Mapped[str | None] = mapped_column(String(2))  # NU or RR
    prior_auth: Mapped[str | None] = mapped_column(String(50))
    service_date: Mapped[date | None] = mapped_column(Date)
    billed: Mapped[Decimal | None] = mapped_column(Cents())
    allowed: Mapped[Decimal | None] = mapped_column(Cents())
    paid: Mapped[Decimal | None] = mapped_column(Cents())
    contractual: Mapped[Decimal | None] = mapped_column(Cents())
    patient_responsibility: Mapped[Decimal | None] = mapped_column(Cents())
    # [{"group": "CO", "reason": "45", "amount": "50.00"}], and RARC codes, from the 835.
    adjustments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    icn: Mapped[str | None] = mapped_column(String(50))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    remitted_on: Mapped[date | None] = mapped_column(Date)
    claim_file_id: Mapped[int | None] = mapped_column(fk("claim_files.id"), index=True)
    remittance_id: Mapped[int | None] = mapped_column(fk("remittance_files.id"), index=True)

    case = relationship("Case")
    remittance = relationship("RemittanceFile")  # the payment (check or EFT) that answered it


class ClaimFile(Base):
    """An 837P file made from the queue; its claims become submitted when it is confirmed sent."""

    __tablename__ = "claim_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    control_number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    refused: Mapped[list[str]] = mapped_column(JSON, default=list)  # scrubber problems, in words
    created_by_id: Mapped[int] = mapped_column(fk("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    sent_on: Mapped[date | None] = mapped_column(Date)  # typed by the biller when confirming
    confirmed_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RemittanceFile(Base):
    """An imported 835: posted once per clinic (same SHA-256 again changes nothing)."""

    __tablename__ = "remittance_files"
    __table_args__ = (UniqueConstraint("clinic_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    trace_number: Mapped[str] = mapped_column(String(50))
    payer_name: Mapped[str] = mapped_column(String(60))
    payment_date: Mapped[date] = mapped_column(Date)
    total_paid: Mapped[Decimal] = mapped_column(Cents())
    posted_case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Claim payments no claim matched, kept whole for manual matching (never dropped).
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    imported_by_id: Mapped[int] = mapped_column(fk("users.id"))
    imported_at: Mapped[datetime] = created_at_column()


class ClaimReopening(Base):
    """Billing's request to a Medicare DME MAC to correct a claim it processed (a reopening, or
    a redetermination when a reopening cannot do it), and the DME MAC's answer.

    A DME MAC takes no replacement claim (claims/correction.py); the request answers the
    amended order the way a confirmed corrected claim does elsewhere. `reference` is the DME
    MAC's number for the request; the outcome is recorded by billing or by the 835 that follows.
    """

    __tablename__ = "claim_reopenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(fk("order_amendments.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # claims.reopening.METHODS
    requested_on: Mapped[date] = mapped_column(Date)  # a day in the clinic's calendar
    reference: Mapped[str | None] = mapped_column(String(50))
    icn: Mapped[str | None] = mapped_column(String(50))  # the claim's ICN quoted
    outcome: Mapped[str] = mapped_column(String(12), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    # Written by the application ("835 EFT0001 of 2026-12-20"), never typed free text.
    outcome_source: Mapped[str | None] = mapped_column(String(120))
    recorded_by_id: Mapped[int] = mapped_column(fk("users.id"))
    recorded_at: Mapped[datetime] = created_at_column()
    decided_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    amendment = relationship("OrderAmendment")


class ClaimPosting(Base):
    """One claim payment an 835 posted to a claim, kept as the payer sent it: the history behind
    the claim record's amounts.

    A reversal (CLP02 = 22, a take-back of an earlier payment) has its amounts negative, as the
    835 negates every original amount; the corrected payment that follows is a posting of its
    own. The claim record holds their sum (services/billing/remittance.py).
    """

    __tablename__ = "claim_postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    claim_id: Mapped[int] = mapped_column(fk("claims.id"), index=True)
    remittance_id: Mapped[int] = mapped_column(fk("remittance_files.id"), index=True)
    status: Mapped[str] = mapped_column(String(4))  # CLP02
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    charge: Mapped[Decimal] = mapped_column(Cents())
    paid: Mapped[Decimal] = mapped_column(Cents())
    allowed: Mapped[Decimal | None] = mapped_column(Cents())
    contractual: Mapped[Decimal] = mapped_column(Cents())
    patient_responsibility: Mapped[Decimal] = mapped_column(Cents())
    adjustments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    icn: Mapped[str | None] = mapped_column(String(50))  # CLP07
    paid_on: Mapped[date] = mapped_column(Date)  # the remittance's payment date (BPR16)
    posted_by_id: Mapped[int] = mapped_column(fk("users.id"))
    posted_at: Mapped[datetime] = created_at_column()

    remittance = relationship("RemittanceFile")
