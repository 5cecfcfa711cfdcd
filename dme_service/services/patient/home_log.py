"""The patient's home log: one entry per traction session, red flags, adherence, pain trend.

A red-flag symptom (domain.md §10, "Stop rules and red flags") flags the case for the
clinician: an audit row in the entry's transaction, and `red_flag_entries` for the case page,
until a clinician reviews the entry (services/patient/red_flags.py).
Adherence counts sessions done against the sessions a day of the plan the patient follows,
over the days since that plan was signed or the first entry, whichever came first. The plan
followed is the order last signed (services/followed_order.py): while a change waits for the
practitioner's signature the patient keeps to the signed numbers, so the log is measured
against them and the change is shown apart, not as the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case import signed_facts
from dme_service.db import unit_of_work
from dme_service.models import Case, Clinic, HomeLogEntry, PatientLink
from dme_service.services.clinic.clinic_time import local_date
from dme_service.services.followed_order import followed_order
from dme_service.services.patient.links import PATIENT, now_utc
from dme_service.store import unit_memo

# domain.md §10 red flags, as stored keys. URGENT ones mean "get care now", the rest "call us".
RED_FLAGS: tuple[str, ...] = (
    "arm_symptoms_worse",
    "neck_pain_worse",
    "jaw_teeth_ear_pain",
    "new_weakness_numbness",
    "dizzy_vision_speech",
    "bladder_bowel",
)
URGENT_RED_FLAGS = frozenset({"new_weakness_numbness", "dizzy_vision_speech", "bladder_bowel"})
MAX_DAYS_BACK = 31  # a session older than a month is a memory, not a log entry
# "today" is the clinic's zone's date; a patient a zone or two east may already be on tomorrow.
FUTURE_SLACK = timedelta(days=1)
LIMITS = {"minutes": (1, 60), "force_lb": (0, 50), "pain_before": (0, 10), "pain_after": (0, 10)}
TREND_WINDOW = 3  # entries averaged at each end of the pain trend
TREND_MIN_CHANGE = 2  # NPRS points: the usual minimal clinically important difference


class EntryInvalid(ValueError):
    """Entry values that cannot be stored; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class EntryInput:
    date: date
    minutes: float
    force_lb: float | None
    pain_before: int
    pain_after: int
    red_flags: tuple[str, ...] = ()


def check_entry(values: EntryInput, today: date) -> dict[str, str]:
    """Field name -> message for each value the log cannot take (empty when all are fine)."""
    errors: dict[str, str] = {}
    if values.date > today + FUTURE_SLACK:
        errors["date"] = "future"
    elif values.date < today - timedelta(days=MAX_DAYS_BACK):
        errors["date"] = "too_old"
    for name, (low, high) in LIMITS.items():
        value = getattr(values, name)
        if value is not None and not low <= value <= high:
            errors[name] = "range"
    unknown = [flag for flag in values.red_flags if flag not in RED_FLAGS]
    if unknown:
        errors["red_flags"] = "unknown"
    return errors


def add_entry(session: Session, link: PatientLink, values: EntryInput, today: date):
    """Store one session for the link's case; a red flag is audited for the clinician. Commits."""
    errors = check_entry(values, today)
    if errors:
        raise EntryInvalid(errors)
    with unit_of_work(session):
        case = session.get(Case, link.case_id)
        entry = HomeLogEntry(
            case_id=case.id,
            link_id=link.id,
            date=values.date,
            minutes=values.minutes,
            force_lb=values.force_lb,
            pain_before=values.pain_before,
            pain_after=values.pain_after,
            red_flags=[flag for flag in RED_FLAGS if flag in values.red_flags],
        )
        session.add(entry)
        session.flush()
        _audit(session, "home_log.create", "home_log_entry", entry.id, case.patient_id)
        if entry.red_flags:
            # The flag the case page shows comes from the entry; this row says when it arrived.
            _audit(session, "case.red_flag", "case", case.id, case.patient_id)
    return entry


def _audit(session: Session, action: str, object_type: str, object_id, patient_id) -> None:
    _audit_as(session, PATIENT, action, object_type, object_id, patient_id)


def _audit_as(session: Session, user, action: str, object_type: str, object_id, patient_id):
    audit.record(
        session,
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
    )


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_NEWEST_LINK = (
    select(PatientLink)
    .where(PatientLink.case_id == bindparam("case_id"))
    .order_by(PatientLink.id.desc())
    .limit(1)
)
_LOG = (
    select(HomeLogEntry)
    .where(HomeLogEntry.case_id == bindparam("case_id"))
    .order_by(HomeLogEntry.date, HomeLogEntry.id)
)


def newest_link(session: Session, case_id: int) -> PatientLink | None:
    """The case's newest link, whatever its state; read once per unit of work."""
    read = lambda: session.scalar(_NEWEST_LINK, {"case_id": case_id})  # noqa: E731
    return unit_memo.remembered(session, ("newest_link", case_id), read)


def entries_for(session: Session, case_id: int) -> list[HomeLogEntry]:
    """The case's log, oldest session first; read once per unit of work (the case page's red
    flag alert and its adherence card both read it: store/unit_memo.py). A case that never
    had a link has no log to read: every entry is logged through one of the case's links
    (`add_entry`), and a link with entries is never deleted (RESTRICT)."""
    if newest_link(session, case_id) is None:
        return []
    read = lambda: tuple(session.scalars(_LOG, {"case_id": case_id}))  # noqa: E731
    return list(unit_memo.remembered(session, ("home_log", case_id), read))


def record_read(session: Session, case: Case, user=PATIENT) -> None:
    """Audit a read of the case's home log (LOG-1), by the patient or a clinician. Commits."""
    _audit_as(session, user, "home_log.read", "case", case.id, case.patient_id)
    session.commit()


def patient_read(session: Session, link: PatientLink) -> None:
    """Audit the patient's own read of their home log, through their link. Commits."""
    record_read(session, session.get(Case, link.case_id))


def patient_entry(session: Session, link: PatientLink, entry_id: int) -> HomeLogEntry | None:
    """One entry of the link's case; another patient's entry does not exist here (AC-2)."""
    entry = session.get(HomeLogEntry, entry_id)
    return entry if entry is not None and entry.case_id == link.case_id else None


def red_flag_entries(entries: list[HomeLogEntry]) -> list[HomeLogEntry]:
    """Entries that reported a red flag, newest first."""
    return sorted((e for e in entries if e.red_flags), key=lambda e: (e.date, e.id), reverse=True)


def cases_with_red_flags(session: Session, clinic_id: int) -> set[int]:
    """Ids of the clinic's cases with a red flag no clinician has reviewed yet (for case
    lists): a reviewed entry no longer flags its case, a later red flag does again."""
    query = (
        select(HomeLogEntry.case_id, HomeLogEntry.red_flags)
        .join(Case, Case.id == HomeLogEntry.case_id)
        .where(Case.clinic_id == clinic_id, HomeLogEntry.reviewed_at.is_(None))
    )
    return {case_id for case_id, flags in session.execute(query) if flags}


@dataclass(frozen=True)
class Adherence:
    """Sessions logged against the prescription over `days` days starting `start`."""

    start: date
    days: int
    prescribed: int
    done: int  # every logged session in the period
    counted: int  # at most sessions_per_day a day: extra sessions do not make up missed days
    over_days: int  # days with more sessions than prescribed (domain.md §10: do not add)

    @property
    def percent(self) -> int:
        return round(100 * self.counted / self.prescribed) if self.prescribed else 0


def adherence(
    entries: list[HomeLogEntry], sessions_per_day: int | None, order_day: date | None, today: date
) -> Adherence | None:
    """Sessions done vs prescribed from the order (or first entry, if earlier) up to today;
    None when there is no prescription frequency or nothing to start from."""
    starts = [day for day in (order_day, min((e.date for e in entries), default=None)) if day]
    if not sessions_per_day or not starts or min(starts) > today:
        return None
    start = min(starts)
    days = (today - start).days + 1
    per_day: dict[date, int] = {}
    for entry in entries:
        if start <= entry.date <= today:
            per_day[entry.date] = per_day.get(entry.date, 0) + 1
    return Adherence(
        start=start,
        days=days,
        prescribed=days * sessions_per_day,
        done=sum(per_day.values()),
        counted=sum(min(n, sessions_per_day) for n in per_day.values()),
        over_days=sum(1 for n in per_day.values() if n > sessions_per_day),
    )


@dataclass(frozen=True)
class PainTrend:
    """Mean pain before sessions at the start and at the end of the log (NPRS 0-10)."""

    first: float
    last: float
    sessions: int
    mean_relief: float  # mean of (before - after) within a session

    @property
    def change(self) -> float:
        return round(self.last - self.first, 1)

    @property
    def direction(self) -> str:
        if self.change <= -TREND_MIN_CHANGE:
            return "better"
        if self.change >= TREND_MIN_CHANGE:
            return "worse"
        return "no_change"


def pain_trend(entries: list[HomeLogEntry]) -> PainTrend | None:
    """The trend over entries with both pain scores; None with fewer than two."""
    scored = [e for e in entries if e.pain_before is not None and e.pain_after is not None]
    scored.sort(key=lambda e: (e.date, e.id or 0))
    if len(scored) < 2:
        return None
    size = min(TREND_WINDOW, len(scored) // 2)
    return PainTrend(
        first=_mean(e.pain_before for e in scored[:size]),
        last=_mean(e.pain_before for e in scored[-size:]),
        sessions=len(scored),
        mean_relief=_mean(e.pain_before - e.pain_after for e in scored),
    )


def _mean(values) -> float:
    return round(float(mean(values)), 1)


@dataclass(frozen=True)
class PlanFollowed:
    """The dose the home log is measured against: the order last signed (or, never signed,
    the prescription as typed), the clinic's day it was signed, and the change that waits
    for the practitioner's signature, if one does (the same request facts, as typed now)."""

    dose: dict  # hcpcs, force_lb, minutes, sessions_per_day, length_of_need_months
    signed_on: date | None
    waiting: dict | None = None

    @property
    def waiting_words(self) -> str:
        """The waiting change in one line, as the re-sign page words it: "force 12 lb → 15
        lb"; empty when none waits."""
        if self.waiting is None:
            return ""
        found = signed_facts.changes({"request": self.dose}, {"request": self.waiting})
        return signed_facts.summary(found)


def over_plan(entries: list[HomeLogEntry], dose: dict) -> int:
    """Sessions logged with more weight or more minutes than the plan followed (domain.md
    §10: "Do not add weight or time")."""
    force, minutes = dose.get("force_lb"), dose.get("minutes")
    return sum(
        1
        for entry in entries
        if (force is not None and entry.force_lb is not None and entry.force_lb > force)
        or (minutes is not None and entry.minutes is not None and entry.minutes > minutes)
    )


@dataclass(frozen=True)
class HomeSummary:
    """What the clinician sees of the patient's side of a case."""

    link: PatientLink | None  # the newest link, whatever its state
    link_state: str  # "none" | "live" | "expired" | "revoked"
    entries: list[HomeLogEntry]
    sessions_per_day: int | None  # of the plan followed
    adherence: Adherence | None
    trend: PainTrend | None
    red_flags: list[HomeLogEntry]  # every red-flag entry, newest first
    plan: PlanFollowed | None = None  # None without a home prescription
    over_plan: int = 0  # sessions logged above the plan's weight or time

    @property
    def open_red_flags(self) -> list[HomeLogEntry]:
        """Red-flag entries no clinician has reviewed yet: what the alert is about."""
        return [entry for entry in self.red_flags if entry.reviewed_at is None]

    @property
    def reviewed_red_flags(self) -> list[HomeLogEntry]:
        return [entry for entry in self.red_flags if entry.reviewed_at is not None]


def summary(session: Session, case: Case, today: date) -> HomeSummary:
    """The case's link state, adherence, pain trend and red-flag entries."""
    link = newest_link(session, case.id)
    plan = plan_followed(session, case)
    per_day = plan.dose.get("sessions_per_day") if plan is not None else None
    order_day = plan.signed_on if plan is not None else None
    entries = entries_for(session, case.id)
    return HomeSummary(
        link=link,
        link_state=_link_state(link),
        entries=entries,
        sessions_per_day=per_day,
        adherence=adherence(entries, per_day, order_day, today),
        trend=pain_trend(entries),
        red_flags=red_flag_entries(entries),
        plan=plan,
        over_plan=over_plan(entries, plan.dose) if plan is not None else 0,
    )


def plan_followed(session: Session, case: Case) -> PlanFollowed | None:
    """The plan the patient follows, as the patient's page teaches it; None without a home
    prescription."""
    if case.home_prescription is None:  # loaded with the case: no query of its own
        return None
    followed = followed_order(session, case)
    signed_on = None
    if followed.signature is not None:
        # The clinic's day, as the signed order and the patient's page print it.
        zone = session.get(Clinic, case.clinic_id).timezone
        signed_on = local_date(followed.signature.signed_at, zone)
    return PlanFollowed(dict(followed.request), signed_on, followed.waiting)


def _link_state(link: PatientLink | None) -> str:
    if link is None:
        return "none"
    if link.revoked_at is not None:
        return "revoked"
    return "live" if now_utc() < link.expires_at else "expired"
