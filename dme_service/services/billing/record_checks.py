"""Readiness checklist lines about the record behind the order: the trial note, a stated
(not PRN) frequency, same-or-similar, the ABN for GA, and Excludes1 diagnosis pairs
(PIM 100-08 ch. 5 §5.9, A52476, domain.md §3.5, §3.6 and §11.3).

Separate from `services.order_checks` because these lines read the parsed case and its
decision, and two of them are met by a person's review (`billing.review`) rather than by data.
"""

from __future__ import annotations

from sqlalchemy import select

from dme_service.case.definitions import same_or_similar, says_prn
from dme_service.models import Case, ChecklistReview
from dme_service.services.billing.readiness_item import ReadinessItem
from dme_service.store.signed_content import case_content_sha256


def trial_note_item(parsed) -> ReadinessItem:
    """PIM §5.9: the record (the PT trial note) must corroborate the order."""
    label = "Trial note in the packet"
    if not parsed.trials:
        return ReadinessItem("trial_note", label, False, "No supervised trial is recorded.")
    latest = max(parsed.trials, key=lambda trial: trial.date)
    count = len(parsed.trials)
    return ReadinessItem(
        "trial_note",
        label,
        True,
        f"{count} trial{'s' if count != 1 else ''} recorded (latest {latest.date}); the "
        "packet's trial note is built from them.",
    )


def frequency_item(parsed) -> ReadinessItem:
    """ "Orders that only state 'PRN' or 'as needed' ... are not acceptable" (domain.md §3.5)."""
    label = "Order frequency stated, not PRN"
    request = parsed.request
    if says_prn(request.frequency_text):
        return ReadinessItem(
            "frequency",
            label,
            False,
            f"The order says {request.frequency_text!r}; the "
            "clinician must state minutes and sessions per day.",
        )
    if not request.sessions_per_day or not request.minutes:
        return ReadinessItem(
            "frequency", label, False, "Minutes and sessions per day are not on the order."
        )
    sessions = request.sessions_per_day
    return ReadinessItem(
        "frequency", label, True, f"{request.minutes:g} minutes, {sessions} times a day."
    )


def same_or_similar_item(session, case, parsed) -> ReadinessItem:
    label = "Same-or-similar checked (prior unit within 5 years)"
    latest = parsed.latest_trial
    priors = same_or_similar(parsed.prior_devices, latest.date if latest else None)
    if not priors:
        return ReadinessItem(
            "same_or_similar", label, True, "Checked: no prior traction unit within 5 years."
        )
    listed = ", ".join(f"{prior.hcpcs} dated {prior.date}" for prior in priors)
    return _reviewed(
        session,
        case,
        "same_or_similar",
        label,
        f"Prior unit {listed} is within 5 years: record why this claim is payable "
        "(loss, theft, irreparable damage or a changed condition) before submitting.",
    )


def abn_item(case: Case, decision) -> ReadinessItem:
    """A52476: GA means a valid ABN is on file; GZ means the supplier is liable."""
    label = "ABN on file when the GA modifier is used"
    if "GA" in decision.modifiers and not case.abn_on_file:
        return ReadinessItem("abn", label, False, "GA is billed but no ABN is on file.")
    if "GA" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GA: the ABN is on file.")
    if "GZ" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GZ: no ABN, the supplier is liable.")
    return ReadinessItem("abn", label, True, "No GA modifier: no ABN needed.")


def excludes1_item(session, case, decision) -> ReadinessItem:
    """domain.md §11.3: an Excludes1 pair is a billing lint a person must review."""
    label = "Diagnosis codes reviewed for Excludes1 pairs"
    warning = next((w for w in decision.warnings if w.code == "DIAGNOSIS_EXCLUDES1"), None)
    if warning is None:
        return ReadinessItem("excludes1", label, True, "No Excludes1 pair among the diagnoses.")
    return _reviewed(session, case, "excludes1", label, warning.text)


def _reviewed(session, case, key: str, label: str, problem: str) -> ReadinessItem:
    """Met when billing reviewed this item while the case said what it says now."""
    entry = latest_review(session, case, key)
    if entry is None:
        return ReadinessItem(key, label, False, problem)
    return ReadinessItem(key, label, True, f"Reviewed {entry.at:%Y-%m-%d}: {entry.note}")


def latest_review(session, case: Case, key: str) -> ChecklistReview | None:
    current = case_content_sha256(case)
    query = (
        select(ChecklistReview)
        .where(
            ChecklistReview.case_id == case.id,
            ChecklistReview.item == key,
            ChecklistReview.content_sha256 == current,
        )
        .order_by(ChecklistReview.id.desc())
    )
    return session.scalars(query).first()
