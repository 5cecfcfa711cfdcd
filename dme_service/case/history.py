"""The clinical history kept beside the case document: prior treatment and its results, objective
findings, imaging and functional scores, as the clinician records them (docs/domain.md §5 items
3 and 4: the letter of medical necessity states them where recorded).

Not part of dme-case/1 (docs/case-format.md, "Kept beside the document"): the decision engine
never reads it. Its JSON form is one flat object of optional keys (`FIELDS`); `parse_history`
judges it for every door (the case page and the JSON API) and names each problem by its path,
`history.<key>`, in a clinician's words. Free text is one line of bounded length and may not
carry what a letter must never say (domain.md §5 "Never in an LMN": unsupported claims, PRN and
Latin abbreviations), since the letter prints it as typed. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from dme_service.case.limits import line_problem, normal_text
from dme_service.case.parse import FieldError

MAX_TEXT = 300  # one or two sentences: what a letter can carry without becoming a note
MAX_PT_WEEKS = 104
MAX_CLINIC_TRACTION_SESSIONS = 200

STUDY_KINDS = {
    "mri": "MRI of the cervical spine",
    "xray": "X-ray of the cervical spine",
    "ct": "CT of the cervical spine",
    "emg": "EMG / nerve conduction study",
}
TEST_RESULTS = ("positive", "negative")
# The provocation tests the clinic records, as the letter names them: Spurling's test and three
# Raney items (docs/domain.md §6.3). Raney item 1 is `mobility_peripheralization`; item 3, age 55
# or more, is the date of birth.
TESTS = {
    "spurling_test": "Spurling's test",
    "distraction_test": "the neck distraction test",
    "ultt_a": "the upper limb tension test A (median nerve)",
    "shoulder_abduction_test": "the shoulder abduction test",
}

TEXT_KEYS = (
    "physical_therapy_result",
    "medications",
    "medications_result",
    "clinic_traction_result",
    "imaging_finding",
    "neurological_signs",
)

# Each key's name in the clinic's words: form labels, messages and the signed-fact warnings.
LABELS = {
    "physical_therapy_weeks": "weeks of physical therapy",
    "physical_therapy_traction": "physical therapy with or without traction",
    "physical_therapy_result": "result of physical therapy",
    "medications": "medications tried",
    "medications_result": "result of the medications",
    "clinic_traction_sessions": "clinic traction sessions before the trial",
    "clinic_traction_result": "result of clinic traction",
    "imaging_kind": "kind of study",
    "imaging_date": "date of the study",
    "imaging_finding": "finding of the study",
    "neurological_signs": "neurological findings",
    "spurling_test": "Spurling's test",
    "distraction_test": "neck distraction test",
    "ultt_a": "upper limb tension test A",
    "shoulder_abduction_test": "shoulder abduction test",
    "mobility_peripheralization": "peripheralization with mobility testing",
    "ndi_percent": "Neck Disability Index",
    "psfs_average": "Patient-Specific Functional Scale",
}
FIELDS = tuple(LABELS)

# What a letter must never say (docs/domain.md §5), with what to write instead.
_UNSUPPORTED = (
    (
        re.compile(r"\bfailed (?:all|every)\b|\ball conservative\b", re.IGNORECASE),
        "say what was tried and what happened, not that all conservative care failed",
    ),
    (
        re.compile(r"\bpain[\s-]free\b", re.IGNORECASE),
        "give the pain scores instead of 'pain-free'",
    ),
    (
        re.compile(r"\bprevent(?:s|ed)? surgery\b|\bavoid(?:s|ed)? surgery\b", re.IGNORECASE),
        "the letter may not promise that traction prevents surgery",
    ),
    (re.compile(r"\bno side effects?\b", re.IGNORECASE), "say what was observed instead"),
    (
        re.compile(r"\bpermanent (?:solution|fix|cure|relief|result)\b", re.IGNORECASE),
        "the letter may not promise a permanent result",
    ),
    (
        re.compile(r"\b(?:non-?)?complian(?:t|ce)\b", re.IGNORECASE),
        "say what the patient did (for example 'attended 11 of 12 visits')",
    ),
)
_LATIN = re.compile(
    r"(?<![a-z0-9])(p\.?\s?r\.?\s?n|b\.?i\.?d|t\.?i\.?d|q\.?i\.?d|q\.?d|q\.?h\.?s)\.?(?![a-z0-9])",
    re.IGNORECASE,
)
_LATIN_WORDS = {
    "prn": "'when needed, up to 3 times a day'",
    "bid": "'twice a day'",
    "tid": "'three times a day'",
    "qid": "'four times a day'",
    "qd": "'once a day'",
    "qhs": "'at bedtime'",
}


@dataclass(frozen=True)
class ClinicalHistory:
    """The recorded history; every fact optional (None: not recorded)."""

    physical_therapy_weeks: int | None = None
    physical_therapy_traction: str | None = None  # "with" or "without"
    physical_therapy_result: str | None = None
    medications: str | None = None
    medications_result: str | None = None
    clinic_traction_sessions: int | None = None
    clinic_traction_result: str | None = None
    imaging_kind: str | None = None  # a key of STUDY_KINDS
    imaging_date: date | None = None
    imaging_finding: str | None = None
    neurological_signs: str | None = None
    spurling_test: str | None = None  # "positive" or "negative", as every test below
    distraction_test: str | None = None
    ultt_a: str | None = None
    shoulder_abduction_test: str | None = None
    mobility_peripheralization: str | None = None
    ndi_percent: int | None = None
    psfs_average: float | None = None

    @property
    def recorded(self) -> bool:
        return any(getattr(self, key) is not None for key in FIELDS)

    def as_document(self) -> dict[str, Any]:
        """The JSON form: only the recorded keys; dates ISO, 3.0 as 3."""
        found: dict[str, Any] = {}
        for key in FIELDS:
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            found[key] = value
        return found


class HistoryInvalid(ValueError):
    """The history as sent cannot be kept; `errors` names each field (`history.<key>`)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def parse_history(value: object, *, today: date | None = None) -> ClinicalHistory:
    """Judge the JSON form (None or {} is nothing recorded); raises HistoryInvalid."""
    if value is None:
        return ClinicalHistory()
    if not isinstance(value, dict):
        raise HistoryInvalid([FieldError("history", "must be an object of recorded facts")])
    reader = _Reader(today or date.today())
    for key in value:
        if key not in LABELS:
            reader.fail(key, f"is not a history field (use {', '.join(FIELDS)})")
    facts = {key: reader.read(key, value.get(key)) for key in FIELDS if key in value}
    history = ClinicalHistory(**facts)
    reader.cross_check(history)
    if reader.errors:
        raise HistoryInvalid(reader.errors)
    return history


def from_values(values: dict[str, Any]) -> ClinicalHistory:
    """A history from stored values (already judged when they were saved)."""
    known = {f.name for f in fields(ClinicalHistory)}
    return ClinicalHistory(**{k: v for k, v in values.items() if k in known})


class _Reader:
    def __init__(self, today: date) -> None:
        self.today = today
        self.errors: list[FieldError] = []

    def fail(self, key: str, message: str) -> None:
        self.errors.append(FieldError(f"history.{key}", message))

    def read(self, key: str, value: object) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if key in TEXT_KEYS:
            return self._text(key, value)
        if key == "physical_therapy_weeks":
            return self._whole(key, value, 1, MAX_PT_WEEKS)
        if key == "clinic_traction_sessions":
            return self._whole(key, value, 1, MAX_CLINIC_TRACTION_SESSIONS)
        if key == "ndi_percent":
            return self._whole(key, value, 0, 100)
        if key == "psfs_average":
            return self._psfs(value)
        if key == "imaging_date":
            return self._date(key, value)
        if key == "physical_therapy_traction":
            return self._choice(key, value, ("with", "without"))
        if key == "imaging_kind":
            return self._choice(key, value, tuple(STUDY_KINDS))
        return self._choice(key, value, TEST_RESULTS)  # the tests and mobility_peripheralization

    def _text(self, key: str, value: object) -> str | None:
        if not isinstance(value, str):
            self.fail(key, "Write it as text.")
            return None
        text = normal_text(value)
        if len(text) > MAX_TEXT:
            self.fail(key, f"Keep it to {MAX_TEXT} characters or fewer (it has {len(text)}).")
            return None
        if line_problem(text, MAX_TEXT):
            self.fail(key, "Write it on one line, without tabs or control characters.")
            return None
        problem = letter_problem(text)
        if problem:
            self.fail(key, problem)
            return None
        return text

    def _whole(self, key: str, value: object, low: int, high: int) -> int | None:
        number = _number_of(value)
        if number is None or not float(number).is_integer() or not low <= number <= high:
            self.fail(key, f"Enter the {LABELS[key]} as a whole number from {low} to {high}.")
            return None
        return int(number)

    def _psfs(self, value: object) -> float | None:
        number = _number_of(value)
        if number is None or not 0 <= number <= 10:
            self.fail(
                "psfs_average",
                "Enter the average Patient-Specific Functional Scale score, from 0 to 10 "
                "(for example 3.5).",
            )
            return None
        return round(float(number), 1)

    def _date(self, key: str, value: object) -> date | None:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None:
            self.fail(key, "Enter the date of the study as a real date (YYYY-MM-DD).")
            return None
        if day > self.today:
            self.fail(key, "The date of the study is after today.")
            return None
        return day

    def _choice(self, key: str, value: object, allowed: tuple[str, ...]) -> str | None:
        if value not in allowed:
            self.fail(key, f"Choose one of: {', '.join(allowed)}.")
            return None
        return str(value)

    def cross_check(self, history: ClinicalHistory) -> None:
        """A result needs what it is the result of; a study's date and finding need its kind."""
        # A field already refused has its own message, which says what to do.
        refused = {error.field.removeprefix("history.") for error in self.errors}
        if history.medications_result and not history.medications and "medications" not in refused:
            self.fail("medications", "Name the medications tried, or clear their result.")
        study = history.imaging_date or history.imaging_finding
        if study and not history.imaging_kind and "imaging_kind" not in refused:
            self.fail("imaging_kind", "Choose the kind of study for this date and finding.")


def _number_of(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def letter_problem(text: str) -> str | None:
    """Why the letter cannot print `text` as typed (domain.md §5 "Never in an LMN"), or None."""
    for pattern, instead in _UNSUPPORTED:
        found = pattern.search(text)
        if found:
            return f"The letter cannot say '{found.group(0)}': {instead}."
    found = _LATIN.search(text)
    if found:
        word = re.sub(r"[\s.]", "", found.group(1)).lower()
        return (
            f"The letter uses no Latin abbreviations: write {_LATIN_WORDS[word]} "
            f"instead of '{found.group(0).strip()}'."
        )
    return None
