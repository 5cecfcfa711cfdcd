"""Patients and their cases: trials, diagnoses, screening, the home prescription, decisions.

A Case row holds the case document (case-format.md) in normalized form; `version` is the
optimistic-lock counter every edit form carries (docs/security.md DB-3).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dme_service.models.base import Base, UTCDateTime, created_at_column, fk, utcnow


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    member_id: Mapped[str] = mapped_column(String(64))
    weight_lb: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = created_at_column()
    # For claims: the DME MAC follows the state the patient lives in; sex goes on the 837P DMG.
    sex: Mapped[str | None] = mapped_column(String(1))  # F, M or U
    address_line1: Mapped[str | None] = mapped_column(String(55))
    city: Mapped[str | None] = mapped_column(String(30))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(10))

    cases: Mapped[list[Case]] = relationship(back_populates="patient")

    # The same patient again is looked up by clinic and date of birth, then by member id
    # compared without case or spaces (case.patient_match): few rows share a birthday.
    __table_args__ = (Index("ix_patients_clinic_birth", "clinic_id", "date_of_birth"),)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(fk("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(fk("patients.id"), index=True)
    payer: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    billing_state: Mapped[str] = mapped_column(String(24), default="draft")
    version: Mapped[int] = mapped_column(Integer)
    onset_date: Mapped[date | None] = mapped_column(Date)
    abn_on_file: Mapped[bool] = mapped_column(Boolean, default=False)
    also_requested: Mapped[list[str]] = mapped_column(JSON, default=list)
    prior_devices: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    treating_practitioner_id: Mapped[int | None] = mapped_column(fk("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(fk("users.id"))
    updated_by_id: Mapped[int] = mapped_column(fk("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    notes: Mapped[str | None] = mapped_column(Text)  # clinical free text: never shown to billing
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    retain_until: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": version}

    patient: Mapped[Patient] = relationship(back_populates="cases")
    treating_practitioner = relationship("User", foreign_keys=[treating_practitioner_id])
    author = relationship("User", foreign_keys=[author_id])
    trials: Mapped[list[Trial]] = relationship(
        back_populates="case", order_by="Trial.position", cascade="all, delete-orphan"
    )
    diagnoses: Mapped[list[Diagnosis]] = relationship(
        order_by="Diagnosis.position", cascade="all, delete-orphan"
    )
    screening_answers: Mapped[list[ScreeningAnswer]] = relationship(cascade="all, delete-orphan")
    home_prescription: Mapped[HomePrescription | None] = relationship(cascade="all, delete-orphan")
    decisions: Mapped[list[DecisionRecord]] = relationship(order_by="DecisionRecord.id")
    history: Mapped[CaseHistory | None] = relationship(cascade="all, delete-orphan")


class CaseHistory(Base):
    """The clinical history recorded for the letter (case/history.py): prior treatment and its
    results, objective findings, imaging and functional scores. Beside the case document, never
    read by the decision; clinical free text, so never shown to billing or admin (AC-3).
    Column names are the JSON form's keys."""

    __tablename__ = "case_histories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), unique=True)
    physical_therapy_weeks: Mapped[int | None] = mapped_column(Integer)
    physical_therapy_traction: Mapped[str | None] = mapped_column(String(8))
    physical_therapy_result: Mapped[str | None] = mapped_column(String(300))
    medications: Mapped[str | None] = mapped_column(String(300))
    medications_result: Mapped[str | None] = mapped_column(String(300))
    clinic_traction_sessions: Mapped[int | None] = mapped_column(Integer)
    clinic_traction_result: Mapped[str | None] = mapped_column(String(300))
    imaging_kind: Mapped[str | None] = mapped_column(String(8))
    imaging_date: Mapped[date | None] = mapped_column(Date)
    imaging_finding: Mapped[str | None] = mapped_column(String(300))
    neurological_signs: Mapped[str | None] = mapped_column(String(300))
    spurling_test: Mapped[str | None] = mapped_column(String(8))
    distraction_test: Mapped[str | None] = mapped_column(String(8))
    ultt_a: Mapped[str | None] = mapped_column(String(8))
    shoulder_abduction_test: Mapped[str | None] = mapped_column(String(8))
    mobility_peripheralization: Mapped[str | None] = mapped_column(String(8))
    ndi_percent: Mapped[int | None] = mapped_column(Integer)
    psfs_average: Mapped[float | None] = mapped_column(Float)


class Trial(Base):
    """One supervised in-clinic traction trial; `position` keeps the document's order."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    device: Mapped[str] = mapped_column(String(20))
    body_position: Mapped[str | None] = mapped_column(String(10))
    force_lb: Mapped[float] = mapped_column(Float)
    minutes: Mapped[float] = mapped_column(Float)
    pain_before: Mapped[int] = mapped_column(Integer)
    pain_after: Mapped[int] = mapped_column(Integer)
    peripheralization: Mapped[bool] = mapped_column(Boolean)
    new_neuro_signs: Mapped[bool] = mapped_column(Boolean)
    use_demonstrated: Mapped[bool | None] = mapped_column(Boolean)
    tolerated: Mapped[bool | None] = mapped_column(Boolean)
    # Beside the case document (not part of dme-case/1, docs/case-format.md "Kept beside the
    # document"): the signed-in user who recorded the trial (the therapist who ran it) and a
    # short note; neither changes the decision. None on trials recorded before these existed.
    recorded_by_id: Mapped[int | None] = mapped_column(fk("users.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500))

    case: Mapped[Case] = relationship(back_populates="trials")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class Diagnosis(Base):
    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))  # dotted ICD-10-CM, e.g. M50.122


class ScreeningAnswer(Base):
    """One screening key's answer; None means asked but unanswered (decision: incomplete)."""

    __tablename__ = "screening_answers"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    answer: Mapped[bool | None] = mapped_column(Boolean)


class HomePrescription(Base):
    """The home device ordered (the document's `request`)."""

    __tablename__ = "home_prescriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), unique=True)
    hcpcs: Mapped[str] = mapped_column(String(5), default="E0860")
    force_lb: Mapped[float | None] = mapped_column(Float)
    minutes: Mapped[float | None] = mapped_column(Float)
    sessions_per_day: Mapped[int | None] = mapped_column(Integer)
    length_of_need_months: Mapped[int | None] = mapped_column(Integer)
    frequency_text: Mapped[str | None] = mapped_column(String(200))


class DecisionRecord(Base):
    """A decision as the rules engine returned it, for the case version it judged."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    case_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    decision_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()


class CarriedPriorDevice(Base):
    """A unit the clinic delivered on an earlier case of the same patient, carried into a
    later case's `prior_devices` (docs/case-format.md keeps only code and date there, so where
    it came from is kept here, beside the case document).

    A carried device leaves the case only with a written reason (`removed_reason`), audited;
    a removed one is never carried again from the same earlier case.
    """

    __tablename__ = "carried_prior_devices"
    __table_args__ = (UniqueConstraint("case_id", "source_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    source_case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    hcpcs: Mapped[str] = mapped_column(String(5))
    delivered_on: Mapped[date] = mapped_column(Date)
    carried_by_id: Mapped[int] = mapped_column(fk("users.id"))
    carried_at: Mapped[datetime] = created_at_column()
    removed_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_reason: Mapped[str | None] = mapped_column(Text)
