"""Recorded facts the letter of medical necessity states, one function per fact.

The unit actually demonstrated and its date (the latest home-unit trial, case-format.md
clarification 13 and DEMONSTRATED_DEVICE_DIFFERS), the higher-force criterion as the recorded
fact under the payer's own criterion name, a home force above the trial force, earlier trials
that support the order, and each met criterion in words instead of the decision's field
dump (domain.md §5: no check-box look). Pure.
"""

from __future__ import annotations

import re
from datetime import date

from dme_service.case.model import Case, Trial
from dme_service.documents import citing
from dme_service.documents import wording as w
from dme_service.rules.decision import Decision, Reason

CLINIC_TRIALS = ("mechanical", "manual")  # clinic trials: no home unit was set up
_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_THRESHOLD = re.compile(r"(more than \d+(?:\.\d+)? lb|\d+(?:\.\d+)? lb or more)")


def latest_home_unit_trial(case: Case) -> Trial | None:
    """The latest trial on a home unit (device a HCPCS code): criterion 2 reads it."""
    found = None
    for trial in case.trials:  # ties on date: the later one in the list (clarification 3)
        if trial.device not in CLINIC_TRIALS and (found is None or trial.date >= found.date):
            found = trial
    return found


def demonstrated_sentences(case: Case) -> list[str]:
    """Criterion 2 as recorded: the unit really demonstrated, and its date (defect #4)."""
    trial = latest_home_unit_trial(case)
    if not (trial and trial.use_demonstrated and trial.tolerated):
        return []  # domain.md §5 item 6: only when both are recorded true
    ordered = case.request.hcpcs
    sentences = [
        f"On {w.long_date(trial.date)}, appropriate use of the {trial.device} unit was "
        "demonstrated to the patient in the supervised trial, and the patient tolerated it."
    ]
    if trial.device != ordered:
        used = [t for t in case.trials if t.device == ordered]
        sentences.append(
            f"The {ordered} unit ordered was not used in the latest supervised trial."
            if used
            else f"The {ordered} unit ordered was not used in a supervised trial."
        )
    return sentences


def home_force_sentences(case: Case) -> list[str]:
    """A home force above the force of the latest home-unit trial is flagged (defect #5)."""
    trial = latest_home_unit_trial(case) or case.latest_trial
    force = case.request.force_lb
    if not (trial and force and force > trial.force_lb):
        return []
    return [
        f"The home force of {w.number(force)} pounds is higher than the "
        f"{w.number(trial.force_lb)} pounds used in the supervised trial on "
        f"{w.long_date(trial.date)}."
    ]


def earlier_over_door_not_tolerated(case: Case) -> list[str]:
    """An over-door unit not tolerated is the strongest fact for a higher-force unit."""
    failed = [t for t in case.trials if t.device == "E0860" and t.tolerated is False]
    if not failed or case.request.hcpcs == "E0860":
        return []
    days = ", ".join(w.long_date(t.date) for t in sorted(failed, key=lambda t: t.date))
    return [f"The over-door unit (E0860) was not tolerated in the supervised trial on {days}."]


def criterion_label(reason: Reason) -> str:
    """The payer's own name of a criterion: "LCD L33823 criterion C", "Aetna CPB 0453 (force)"."""
    label = reason.text.split(":", 1)[0]
    return label.replace(" not met", "").strip()


def threshold_words(reason: Reason) -> str | None:
    """ "more than 20 pounds" / "20 pounds or more", as the payer's criterion says it."""
    found = _THRESHOLD.search(reason.text)
    return w.plain_words(found.group(1)) if found else None


def force_reason(decision: Decision) -> Reason | None:
    for reason in decision.reasons:
        if reason.met and (reason.code.endswith(".criterionC") or reason.code.endswith(".force")):
            return reason
    return None


def long_dates(text: str) -> str:
    """ISO dates inside quoted policy text, in the letter's one date format."""
    return _ISO_DATE.sub(lambda m: w.long_date(date.fromisoformat(m.group(1))), text)


def met_criterion(case: Case, reason: Reason) -> str:
    """A met criterion stated as the recorded fact behind it, with the payer's criterion name."""
    label = criterion_label(reason)
    kind = reason.code.rsplit(".", 1)[-1]
    trial = latest_home_unit_trial(case)
    screening = case.screening
    fact = None
    if kind == "criterion1":
        fact = reason.text.rsplit(": ", 1)[-1]
        fact = f"the patient has {fact}, an impairment that requires traction equipment"
    elif kind == "criterion2" and trial:
        fact = (
            f"on {w.long_date(trial.date)} the patient was shown how to use the {trial.device} "
            "unit and tolerated it"
        )
    elif (kind == "criterionA" or "tmj" in kind) and screening.get("tmj_treated"):
        fact = "the patient has TMJ dysfunction, and it has been treated"
    elif kind == "over_door_unsafe":
        fact = "the record states that over-door traction is unsafe for this patient"
    elif kind in ("criterionB", "distortion"):
        fact = "distortion of the lower jaw or neck anatomy prevents use of a chin halter"
    elif kind in ("criterionC", "force") and case.request.force_lb:
        threshold = threshold_words(reason)
        fact = f"{w.number(case.request.force_lb)} pounds is ordered for home use"
        if threshold:
            return f"{fact}, where {label} asks for {threshold}"
    elif kind == "trial_beneficial" and case.latest_trial:
        latest = case.latest_trial
        fact = (
            f"the trial of traction was beneficial (pain {latest.pain_before} to "
            f"{latest.pain_after})"
        )
    if fact is None:
        return long_dates(citing.cite(reason))
    return f"{fact} ({label})"


NUMBER_WORDS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight"}


def trials_in_full(case: Case) -> tuple[list[Trial], list[Trial]]:
    """(the trials the letter describes in full, the other trials), each in date order: the
    latest trial and the latest home-unit trial are in full."""
    keep = {case.latest_trial_index}
    home = latest_home_unit_trial(case)
    keep |= {i for i, t in enumerate(case.trials) if t is home}
    full = [t for i, t in enumerate(case.trials) if i in keep]
    others = [t for i, t in enumerate(case.trials) if i not in keep]
    return sorted(full, key=lambda t: t.date), sorted(others, key=lambda t: t.date)


def earlier_trials_sentences(trials: list[Trial]) -> list[str]:
    """Earlier trials in one sentence, then one for each that made things worse or was not
    tolerated."""
    count = NUMBER_WORDS.get(len(trials), str(len(trials)))
    first, last = w.long_date(trials[0].date), w.long_date(trials[-1].date)
    sentences = [f"{count} earlier supervised trials ({first} to {last}) are in the trial note."]
    for trial in trials:
        what = []
        if trial.peripheralization:
            what.append("made arm symptoms spread")
        if trial.new_neuro_signs:
            what.append("brought new neurological signs")
        if trial.pain_after > trial.pain_before:
            what.append(f"raised pain from {trial.pain_before} to {trial.pain_after}")
        if trial.tolerated is False:
            what.append("was not tolerated")
        if what:
            device = w.device_name(trial.device)
            sentences.append(
                f"On {w.long_date(trial.date)}, {device} at {w.number(trial.force_lb)} pounds "
                f"{_and(what)}."
            )
    return sentences


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
