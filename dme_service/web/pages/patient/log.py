"""The patient's home log (issue 8), on the `patient` blueprint: log one session at home,
then the "saved" page, where a red flag leads straight to "stop and call"."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from dme_service.db import get_session
from dme_service.models import Case, HomeLogEntry
from dme_service.services.patient import home_log, home_plan
from dme_service.web.forms import keeps_input
from dme_service.web.pages.patient.forms import RED_FLAG_LABELS, HomeLogForm
from dme_service.web.pages.patient.patient import bp, gone, local_today, long_date


def log_context() -> dict:
    """What the log page shows besides the form: the plan and the patient's last entries."""
    db = get_session()
    link = g.patient.link
    plan = home_plan.plan_for_patient(db, link, audited=False)
    entries = home_log.entries_for(db, link.case_id)[-14:]
    return {"plan": plan, "entries": list(reversed(entries)), "flag_labels": RED_FLAG_LABELS}


@bp.route("/patient/log", methods=["GET", "POST"])
@keeps_input("patient/log.html", HomeLogForm, context=log_context)
def log():
    """Log one session; a red flag leads straight to "stop and call"."""
    form = HomeLogForm()
    if request.method == "GET":
        _prefill(form)
        db = get_session()
        home_log.record_read(db, db.get(Case, g.patient.link.case_id))
    elif form.validate_on_submit():
        entry = _save(form)
        if entry is not None:
            return redirect(url_for("patient.log_saved", entry_id=entry.id), code=303)
    return render_template("patient/log.html", form=form, **log_context())


def _prefill(form: HomeLogForm) -> None:
    plan = home_plan.plan_for_patient(get_session(), g.patient.link, audited=False)
    form.date.data = local_today()
    if plan.has_dose:
        form.minutes.data = int(plan.minutes) if float(plan.minutes).is_integer() else None
        form.force_lb.data = plan.force_lb


ENTRY_MESSAGES = {
    "future": _l("That day has not come yet. Enter today or an earlier day."),
    "too_old": _l("Enter a day in the last 31 days."),
    "range": _l("This number is too big or too small."),
    "unknown": _l("Pick only from the list."),
}


def _save(form: HomeLogForm):
    values = home_log.EntryInput(
        date=form.date.data,
        minutes=form.minutes.data,
        force_lb=float(form.force_lb.data) if form.force_lb.data is not None else None,
        pain_before=int(form.pain_before.data),
        pain_after=int(form.pain_after.data),
        red_flags=tuple(form.red_flags.data or ()),
    )
    try:
        entry = home_log.add_entry(get_session(), g.patient.link, values, local_today())
    except home_log.EntryInvalid as invalid:
        for name, code in invalid.errors.items():
            getattr(form, name).errors = [str(ENTRY_MESSAGES[code])]
        return None
    if entry.red_flags:
        _tell_the_clinician(entry.case_id)
    return entry


def _tell_the_clinician(case_id: int) -> None:
    """Mail the case's clinician that a red flag came in (a link only; issue 13)."""
    from flask import current_app

    from dme_service.services.mail import notices, outbox

    notices.red_flag_logged(
        get_session(),
        case_id,
        base_url=current_app.config["BASE_URL"],
        settings=outbox.settings_from(current_app.config, current_app.instance_path),
    )


@bp.route("/patient/log/<int:entry_id>")
def log_saved(entry_id: int):
    """The entry was saved; with a red flag, "stop and call" comes first (domain.md §10)."""
    db = get_session()
    entry = db.get(HomeLogEntry, entry_id)
    if entry is None or entry.case_id != g.patient.link.case_id:
        return gone()  # another patient's entry does not exist from here (AC-2)
    plan = home_plan.plan_for_patient(db, g.patient.link, audited=False)
    urgent = any(flag in home_log.URGENT_RED_FLAGS for flag in entry.red_flags)
    return render_template(
        "patient/log_saved.html",
        entry=entry,
        plan=plan,
        urgent=urgent,
        flag_labels=RED_FLAG_LABELS,
        entry_date=long_date(entry.date),
    )
