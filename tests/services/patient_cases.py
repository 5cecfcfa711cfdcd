"""Stored cases for the patient-link and home-log tests, written straight to the rows.

`a_stored_case(session, clinic, author, ...)` makes a patient, a case with one seated E0860
trial, a home prescription and screening answers; each test states only what it varies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dme_service.case.model import SCREENING_KEYS
from dme_service.models import (
    Case,
    Diagnosis,
    HomePrescription,
    Patient,
    ScreeningAnswer,
    Signature,
    Trial,
)
from dme_service.services.patient import home_log
from dme_service.services.patient import links as patient_links
from dme_service.services.patient.home_log import EntryInput
from dme_service.store.signed_content import apply_seal, seal
from dme_service.web.pages.patient.common import local_today

CANARY = "Zebulon Testpatient"  # security.md: the name every leak scan looks for


def a_stored_case(
    session,
    clinic,
    author,
    *,
    name: str = CANARY,
    hcpcs: str = "E0860",
    force_lb: float | None = 12,
    minutes: float | None = 15,
    sessions_per_day: int | None = 2,
    months: int | None = 3,
    status: str = "eligible",
    screening_yes: tuple[str, ...] = (),
    also_requested: tuple[str, ...] = (),
    position: str = "seated",
    practitioner=None,
) -> Case:
    patient = Patient(
        clinic_id=clinic.id,
        name=name,
        date_of_birth=date(1958, 3, 14),
        member_id="1EG4TE5MK73",
        weight_lb=160,
    )
    case = Case(
        clinic_id=clinic.id,
        patient=patient,
        payer="medicare",
        status=status,
        author_id=author.id,
        created_by_id=author.id,
        updated_by_id=author.id,
        also_requested=list(also_requested),
        onset_date=date(2026, 7, 1),
        treating_practitioner_id=practitioner.id if practitioner else None,
    )
    case.diagnoses = [Diagnosis(position=0, code="M50.122")]
    case.trials = [
        Trial(
            position=0,
            date=date(2026, 10, 2),
            device=hcpcs if hcpcs != "E0941" else "E0860",
            body_position=position,
            force_lb=12,
            minutes=15,
            pain_before=7,
            pain_after=3,
            peripheralization=False,
            new_neuro_signs=False,
            use_demonstrated=True,
            tolerated=True,
        )
    ]
    case.screening_answers = [
        ScreeningAnswer(key=key, answer=key in screening_yes) for key in SCREENING_KEYS
    ]
    case.home_prescription = HomePrescription(
        hcpcs=hcpcs,
        force_lb=force_lb,
        minutes=minutes,
        sessions_per_day=sessions_per_day,
        length_of_need_months=months,
        frequency_text="15 minutes, twice daily",
    )
    session.add(case)
    session.commit()
    return case


def sign(session, case, signer, when: datetime | None = None) -> Signature:
    """A signature that covers the case as it stands (what signing leaves behind), committed."""
    signature = Signature(
        case_id=case.id,
        signer_id=signer.id,
        signed_at=when or datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
        credential=signer.credential or "MD",
        npi=signer.npi or "1234567893",
        case_version=case.version,
        document_hashes={},
    )
    apply_seal(signature, seal(case, case.version, {}))
    session.add(signature)
    session.commit()
    return signature


def log_sessions(db_session, case, user):
    """Three days of sessions, the newest with a red flag."""
    link, _ = patient_links.create_link(db_session, case, user)
    today = local_today()
    for offset, before, after, flags in (
        (2, 7, 4, ()),
        (1, 6, 4, ()),
        (0, 3, 2, ("arm_symptoms_worse",)),
    ):
        values = EntryInput(today - timedelta(days=offset), 15, 12, before, after, flags)
        home_log.add_entry(db_session, link, values, today)
    return today


def change_after_signing(session, case, user, **prescription) -> None:
    """A prescription edit saved after signing: the signature is voided and the order goes
    back to its practitioner (what the case page's confirmed save leaves behind)."""
    from dme_service.services import after_save

    for name, value in prescription.items():
        setattr(case.home_prescription, name, value)
    after_save.case_changed(session, case, user)
    session.commit()
