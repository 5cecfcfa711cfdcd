"""What the patient's instructions page says for one case: the dose, the unit, their risks.

Read-only. The patient follows the last order a practitioner signed: a change to the dose
voids the signature (domain.md §1, step 2) and waits for a new one, and until then the patient
keeps the signed numbers and is told the plan is being changed (`changing`), never taught a
dose nobody signed. Before any signature the numbers are the home prescription's, marked not
signed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case.length_of_need import is_lifetime
from dme_service.case.model import CLINIC_TRIAL_DEVICES, INVERSION_HIGH_RISK
from dme_service.case.response import deciding_index
from dme_service.documents import instructions_text
from dme_service.models import Case, Clinic, PatientLink, ScreeningAnswer
from dme_service.services.clinic.clinic_time import local_date
from dme_service.services.followed_order import followed_order
from dme_service.services.patient.links import PATIENT
from dme_service.store.signed_content import check_signature

# How the unit is set up (domain.md §10 "Set-up"): the door unit, a pump, or a stand or frame;
# the same kinds as the printed instructions (documents/instructions.py `unit_kind`).
UNIT_KINDS = {
    "E0860": "over_door",
    "E0849": "pneumatic",
    "E0855": "pneumatic",
    "E0856": "pneumatic",
}
NOT_A_NECK_UNIT = frozenset({"E0941"})  # gravity traction: never taught as home use (§9)


@dataclass(frozen=True)
class HomePlan:
    """The facts the instructions page shows; numbers are None when not prescribed."""

    case_id: int
    hcpcs: str | None
    unit: str  # "over_door" | "pneumatic" | "frame" | "none" (no dose to teach)
    force_lb: float | None
    minutes: float | None
    sessions_per_day: int | None
    months: int | None
    signed_on: date | None
    # A change of the dose waits for the practitioner's signature; the numbers above are the
    # order last signed (on `signed_on`)
    changing: bool
    supine: bool
    tmj: bool
    chin_strap: bool
    high_risk: tuple[str, ...]
    inversion_asked: bool
    lumbar_asked: bool
    clinic_name: str
    clinic_phone: str | None

    @property
    def signed(self) -> bool:
        return self.signed_on is not None

    @property
    def lifetime(self) -> bool:
        """Medicare's 99 months: told as "as long as your doctor or therapist tells you"."""
        return is_lifetime(self.months)

    @property
    def has_dose(self) -> bool:
        return self.unit != "none" and None not in (
            self.force_lb,
            self.minutes,
            self.sessions_per_day,
        )

    @property
    def phone_href(self) -> str | None:
        """A tel: address from the clinic's phone number (digits and a leading +)."""
        if not self.clinic_phone:
            return None
        digits = "".join(ch for ch in self.clinic_phone if ch.isdigit())
        plus = "+" if self.clinic_phone.strip().startswith("+") else ""
        return f"tel:{plus}{digits}" if digits else None


def number(value: float | None) -> float | int | None:
    """12.0 -> 12, so the dose reads as the clinician wrote it."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def home_plan(session: Session, case: Case) -> HomePlan:
    """The instructions' facts for `case` (the caller has already scoped it to the patient)."""
    followed = followed_order(session, case)
    order = followed.request
    clinic = session.get(Clinic, case.clinic_id)
    answers = dict(
        session.execute(
            select(ScreeningAnswer.key, ScreeningAnswer.answer).where(
                ScreeningAnswer.case_id == case.id
            )
        ).all()
    )
    hcpcs = order.get("hcpcs") if case.home_prescription is not None else None
    also = set(case.also_requested or [])
    return HomePlan(
        case_id=case.id,
        hcpcs=hcpcs,
        unit=_unit(hcpcs, case.status),
        force_lb=number(order.get("force_lb")),
        minutes=number(order.get("minutes")),
        sessions_per_day=order.get("sessions_per_day"),
        months=order.get("length_of_need_months"),
        # The clinic's day, as the signed order prints it: 7 pm in Chicago is not the next day.
        signed_on=(
            local_date(followed.signature.signed_at, clinic.timezone)
            if followed.signature
            else None
        ),
        changing=followed.changing,
        supine=_taught_supine(case),
        tmj=bool(answers.get("tmj_dysfunction")),
        chin_strap=instructions_text.has_chin_strap(
            hcpcs, bool(answers.get("jaw_or_neck_distortion"))
        ),
        high_risk=tuple(key for key in INVERSION_HIGH_RISK if answers.get(key)),
        inversion_asked="inversion_table" in also or hcpcs == "E0941",
        lumbar_asked="home_lumbar_traction" in also,
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
    )


def plan_for_patient(session: Session, link: PatientLink, *, audited: bool = True) -> HomePlan:
    """The plan of the link's case, and only that case; the instructions read is audited
    (docs/security.md LOG-1: the patient reading their own record is a PHI read too). Commits."""
    case = session.get(Case, link.case_id)
    plan = home_plan(session, case)
    if audited:
        audit.case_event(session, PATIENT, "instructions.read", case)
    session.commit()
    return plan


def _unit(hcpcs: str | None, status: str) -> str:
    # A contraindicated case gets no dose to follow, whatever the prescription says (§8).
    if hcpcs is None or hcpcs in NOT_A_NECK_UNIT or status == "contraindicated":
        return "none"
    return UNIT_KINDS.get(hcpcs, "frame")


def signed_on(session: Session, case: Case) -> date | None:
    """The day of the signature that still covers the case (recomputed now, as the documents
    do: an edit after signing, even behind the ORM's back, means there is no signed order)."""

    check = check_signature(session, case)
    return check.signature.signed_at.date() if check.valid else None


def _taught_supine(case: Case) -> bool:
    """Lying down when the home unit was shown lying down: the latest home-unit trial (the one
    that decides criterion 2, case-format.md clarification 13), not a later trial on the
    clinic's own machine; without a home-unit trial, the latest trial."""
    trials = sorted(case.trials, key=lambda trial: trial.position)
    home = [trial for trial in trials if trial.device not in CLINIC_TRIAL_DEVICES]
    taught = home or trials
    index = deciding_index([trial.date for trial in taught])
    return index is not None and taught[index].body_position == "supine"
