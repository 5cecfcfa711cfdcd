"""What changed between two versions of a case document, field by field, in clinician words.

Both sides are dme-case/1 documents (docs/case-format.md), with the clinical history the letter
states under "history" when one is recorded (case/history.py). Each change names the fact as the
case page labels it ("Home prescription, minutes", "Trial 2, pain after") and shows the value
as a clinician reads it ("15 minutes", "Yes", "Dec 1, 2026"), never a dotted field path.
Pure: the re-sign page and the API read it from stored documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from dme_service.case import history as case_history
from dme_service.case.length_of_need import in_months
from dme_service.coding import codes
from dme_service.rules.wording import PAYER_NAMES, SCREENING_LABELS

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class FieldChange:
    """One fact that differs: `key` identifies it across versions (for who changed it)."""

    key: str
    label: str
    old: str
    new: str


def _date(value: Any) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def _yes_no(value: Any) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


def _number(value: Any, unit: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value} {unit}"


def _device(value: Any) -> str:
    words = codes.HCPCS_DESCRIPTORS.get(str(value))
    if words:
        return f"{value} ({words})"
    return CLINIC_DEVICES.get(str(value), str(value))


CLINIC_DEVICES = {
    "mechanical": "Clinic mechanical traction",
    "manual": "Clinic manual traction",
}


def _diagnosis(code: str) -> str:
    found = codes.lookup(code)
    return f"{code} ({found.descriptor})" if found is not None else code


def _practitioner(value: Any) -> str:
    if not value:
        return "Not chosen"
    name = ", ".join(part for part in (value.get("name"), value.get("credential")) if part)
    return f"{name} (NPI {value['npi']})" if value.get("npi") else name


def _prior(value: dict) -> str:
    return f"{value.get('hcpcs', '')} supplied {_date(value.get('date', ''))}".strip()


# (label, how a value reads) for the facts of each part of the document.
PATIENT = {
    "name": ("Patient's name", str),
    "date_of_birth": ("Date of birth", _date),
    "member_id": ("Member id", str),
    "weight_lb": ("Weight", lambda v: _number(v, "lb")),
    "sex": ("Sex", str),
}
TRIAL = {
    "date": ("date", _date),
    "device": ("device", _device),
    "position": ("position", lambda v: str(v).capitalize()),
    "force_lb": ("force", lambda v: _number(v, "lb")),
    "minutes": ("minutes", lambda v: _number(v, "minutes")),
    "pain_before": ("pain before", lambda v: f"{v} of 10"),
    "pain_after": ("pain after", lambda v: f"{v} of 10"),
    "peripheralization": ("symptoms moved down the arm", _yes_no),
    "new_neuro_signs": ("new neurological signs", _yes_no),
    "use_demonstrated": ("use of the home unit demonstrated", _yes_no),
    "tolerated": ("tolerated", _yes_no),
}
REQUEST = {
    "hcpcs": ("Home prescription, device", _device),
    "force_lb": ("Home prescription, force", lambda v: _number(v, "lb")),
    "minutes": ("Home prescription, minutes", lambda v: _number(v, "minutes")),
    "sessions_per_day": ("Home prescription, sessions a day", str),
    "length_of_need_months": ("Home prescription, length of need", in_months),
    "frequency_text": ("Home prescription, frequency wording", str),
}
ORDER = {
    "onset_date": ("Onset of the episode", _date),
    "treating_practitioner": ("Treating practitioner", _practitioner),
}


def _history_words(key: str):
    """How a history fact reads: its unit, the study's name, a test's result; text as typed."""
    units = {
        "physical_therapy_weeks": "weeks",
        "clinic_traction_sessions": "sessions",
        "ndi_percent": "%",
    }
    if key in units:
        return lambda v: _number(v, units[key])
    if key == "imaging_date":
        return _date
    if key == "imaging_kind":
        return lambda v: case_history.STUDY_KINDS.get(str(v), str(v))
    return lambda v: str(v).capitalize() if key not in case_history.TEXT_KEYS else str(v)


def _shown(value: Any, words) -> str:
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, bool) and words is str:
        return _yes_no(value)
    return words(value)


def _compared(key: str, label: str, old: Any, new: Any, words=str) -> Iterator[FieldChange]:
    """The one fact's change, if its value differs."""
    if old != new:
        yield FieldChange(key, label, _shown(old, words), _shown(new, words))


def _facts(part: str, table: dict, old: dict, new: dict) -> Iterator[FieldChange]:
    """The changes among one part's facts (PATIENT, REQUEST), in the table's order."""
    old_facts, new_facts = old.get(part) or {}, new.get(part) or {}
    for key, (label, words) in table.items():
        yield from _compared(f"{part}.{key}", label, old_facts.get(key), new_facts.get(key), words)


def _list_words(values: list, words) -> str:
    return "; ".join(words(value) for value in values) if values else "None"


def _listed(key: str, label: str, old: dict, new: dict, words) -> Iterator[FieldChange]:
    """A list of the document (diagnoses, prior devices) changed as a whole: one line each side."""
    old_values, new_values = old.get(key) or [], new.get(key) or []
    if old_values != new_values:
        yield FieldChange(
            key, label, _list_words(old_values, words), _list_words(new_values, words)
        )


def _trial_line(trial: dict) -> str:
    parts = [_date(trial.get("date")), _device(trial.get("device"))]
    if trial.get("force_lb") is not None:
        parts.append(_number(trial["force_lb"], "lb"))
    if trial.get("minutes") is not None:
        parts.append(_number(trial["minutes"], "minutes"))
    if trial.get("pain_before") is not None and trial.get("pain_after") is not None:
        parts.append(f"pain {trial['pain_before']} to {trial['pain_after']} of 10")
    return ", ".join(parts)


# --- the steps, one a part of the case page ---------------------------------------------


def _patient(old: dict, new: dict) -> Iterator[FieldChange]:
    yield from _facts("patient", PATIENT, old, new)


def _payer(old: dict, new: dict) -> Iterator[FieldChange]:
    yield from _compared(
        "payer", "Payer", old.get("payer"), new.get("payer"), lambda v: PAYER_NAMES.get(v, v)
    )


def _diagnoses(old: dict, new: dict) -> Iterator[FieldChange]:
    yield from _listed("diagnoses", "Diagnoses", old, new, _diagnosis)


def _history(old: dict, new: dict) -> Iterator[FieldChange]:
    old_history, new_history = old.get("history") or {}, new.get("history") or {}
    for key, words in case_history.LABELS.items():
        yield from _compared(
            f"history.{key}",
            f"History, {words}",
            old_history.get(key),
            new_history.get(key),
            _history_words(key),
        )


def _trials(old: dict, new: dict) -> Iterator[FieldChange]:
    """Trial by trial in the order recorded: a trial added or removed is one line."""
    old_trials, new_trials = old.get("trials") or [], new.get("trials") or []
    for index in range(max(len(old_trials), len(new_trials))):
        key, head = f"trials.{index}", f"Trial {index + 1}"
        if index >= len(old_trials):
            yield FieldChange(key, f"{head} added", "None", _trial_line(new_trials[index]))
        elif index >= len(new_trials):
            yield FieldChange(key, f"{head} removed", _trial_line(old_trials[index]), "None")
        else:
            for fact, (label, words) in TRIAL.items():
                yield from _compared(
                    f"{key}.{fact}",
                    f"{head}, {label}",
                    old_trials[index].get(fact),
                    new_trials[index].get(fact),
                    words,
                )


def _screening(old: dict, new: dict) -> Iterator[FieldChange]:
    """Every screening question either side answered, by key (a payer's own questions too)."""
    old_answers, new_answers = old.get("screening") or {}, new.get("screening") or {}
    for key in sorted(set(old_answers) | set(new_answers)):
        label = f"Screening: {SCREENING_LABELS.get(key, key.replace('_', ' '))}"
        yield from _compared(
            f"screening.{key}", label, old_answers.get(key), new_answers.get(key), _yes_no
        )


def _prescription(old: dict, new: dict) -> Iterator[FieldChange]:
    yield from _facts("request", REQUEST, old, new)


def _order(old: dict, new: dict) -> Iterator[FieldChange]:
    """The order's own facts: onset, who treats, and whether an ABN is on file (absent is No)."""
    for key, (label, words) in ORDER.items():
        yield from _compared(key, label, old.get(key), new.get(key), words)
    yield from _compared(
        "abn_on_file",
        "ABN on file",
        bool(old.get("abn_on_file")),
        bool(new.get("abn_on_file")),
        _yes_no,
    )


def _devices_asked_and_supplied(old: dict, new: dict) -> Iterator[FieldChange]:
    yield from _listed("also_requested", "Also asked about", old, new, str)
    yield from _listed("prior_devices", "Units supplied before", old, new, _prior)


# The case page's order: the re-sign page lists the changes as the clinician reads the case.
STEPS = (
    _patient,
    _payer,
    _diagnoses,
    _history,
    _trials,
    _screening,
    _prescription,
    _order,
    _devices_asked_and_supplied,
)


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every fact of the order that differs from `old` to `new`, in the case page's order."""
    return [change for step in STEPS for change in step(old, new)]
