"""The home-traction follow-up letter for a case: the home log's adherence, pain trend
and red flags as `documents.followup.HomeFacts`, rendered under the web limits (docs/security.md
PDF-3: a child process with a wall clock) and audited as a print (LOG-1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.documents.followup import HomeFacts, RedFlagEntry, render_followup
from dme_service.models import Case, Clinic, utcnow
from dme_service.services.clinic.printed import printed_clinic
from dme_service.services.followed_order import as_followed
from dme_service.services.patient import home_log
from dme_service.services.patient.printing import NotPrintable, decided_case


def home_facts(summary: home_log.HomeSummary, today: date, zone: tzinfo = UTC) -> HomeFacts:
    """What the letter says of the home log, from the case page's own summary (measured
    against the plan the patient follows, services/followed_order.py); review days are days
    in `zone`, the clinic's (a call at 7 pm in Denver is the next day in UTC)."""
    entries = summary.entries
    plan = summary.plan
    facts: dict = {
        "through": today,
        "sessions": len(entries),
        "signed_on": plan.signed_on if plan is not None else None,
        "waiting": (plan.waiting_words or None) if plan is not None else None,
    }
    if entries:
        facts.update(first_day=entries[0].date, last_day=entries[-1].date)
    done = summary.adherence
    if done and done.prescribed:
        facts.update(
            start=done.start,
            days=done.days,
            sessions_per_day=summary.sessions_per_day,
            prescribed=done.prescribed,
            counted=done.counted,
            percent=done.percent,
            over_days=done.over_days,
        )
    trend = summary.trend
    if trend:
        facts.update(
            pain_first=trend.first,
            pain_last=trend.last,
            window=min(home_log.TREND_WINDOW, trend.sessions // 2),
            scored=trend.sessions,
            mean_relief=trend.mean_relief,
        )
    flagged = sorted(summary.red_flags, key=lambda e: (e.date, e.id))
    facts["red_flags"] = tuple(_red_flag(entry, zone) for entry in flagged)
    return HomeFacts(**facts)


def _red_flag(entry, zone: tzinfo) -> RedFlagEntry:
    """One red-flag entry for the letter: its day, its flags and who reviewed it when."""
    if entry.reviewed_at is None:
        return RedFlagEntry(entry.date, tuple(entry.red_flags))
    return RedFlagEntry(
        entry.date,
        tuple(entry.red_flags),
        reviewed_on=entry.reviewed_at.astimezone(zone).date(),
        reviewed_by=_prepared_by(entry.reviewed_by),
    )


def render_letter(
    session: Session,
    case: Case,
    user,
    today: date,
    *,
    render: Callable | None = None,
    now: datetime | None = None,
    zone: tzinfo = UTC,
):
    """The case's follow-up letter PDF, audited as a print by `user`. Commits."""
    from dme_service.documents.bounded import run_bounded
    from dme_service.documents.render import warm_up
    from dme_service.documents.types import DocumentRefused

    parsed, decision = decided_case(case)
    clinic_zone = session.get(Clinic, case.clinic_id).timezone
    parsed, _ = as_followed(session, case, parsed, clinic_zone)  # the dose the patient keeps
    summary = home_log.summary(session, case, today)
    facts = home_facts(summary, today, zone)
    options = _options(session, case, user, now or utcnow())
    session.commit()  # no lock is held during the slow render
    try:
        if render is not None:
            rendered = render(parsed, decision, facts, **options)
        else:
            warm_up()  # every forked child starts warm (documents/bounded.py)
            rendered = run_bounded(render_followup, parsed, decision, facts, **options)
    except DocumentRefused as refused:
        raise NotPrintable(refused.message) from None
    audit.case_event(session, user, "followup.print", case)
    session.commit()
    return rendered


def _options(session: Session, case: Case, user, now: datetime) -> dict:
    """What the letter needs besides the case and the log: the date, the clinic, the author."""
    from dme_service.services.clinic.clinic_time import local

    clinic = session.get(Clinic, case.clinic_id)
    return {
        "now": local(now, clinic.timezone),  # the letter's date is the clinic's day
        "clinic": printed_clinic(clinic),
        "prepared_by": _prepared_by(user),
        "case_number": case.id,
    }


def _prepared_by(user) -> str | None:
    name = getattr(user, "name", None)
    credential = getattr(user, "credential", None)
    if not name:
        return None
    return f"{name}, {credential}" if credential else name
