"""The recorded history in the letter of medical necessity's words (docs/domain.md §5 items 3 and
4): objective findings, imaging and functional scores beside the diagnosis, then prior treatment
and its results.

One sentence per recorded fact, written from that fact only; a fact not recorded leaves its
sentence out (no "N/A", no blanks, no yes/no grid). The clinician's own words (a result, a
finding) are printed as typed, in the letter's plain words (wording.plain_words). Pure.
"""

from __future__ import annotations

from dme_service.case.history import STUDY_KINDS, TESTS, ClinicalHistory
from dme_service.documents import wording as w


def finding_sentences(history: ClinicalHistory | None) -> list[str]:
    """Neurological findings, provocation tests, imaging and functional scores."""
    if history is None:
        return []
    sentences = []
    if history.neurological_signs:
        sentences.append(
            f"The neurological examination found {_typed(history.neurological_signs)}."
        )
    sentences += test_sentences(history)
    sentences += mobility_sentences(history)
    sentences += imaging_sentences(history)
    sentences += function_sentences(history)
    return sentences


def test_sentences(history: ClinicalHistory) -> list[str]:
    """The provocation tests, positives then negatives, each named once."""
    positive = [name for key, name in TESTS.items() if getattr(history, key) == "positive"]
    negative = [name for key, name in TESTS.items() if getattr(history, key) == "negative"]
    parts = []
    if positive:
        parts.append(f"{_and(positive)} {'was' if len(positive) == 1 else 'were'} positive")
    if negative:
        parts.append(f"{_and(negative)} {'was' if len(negative) == 1 else 'were'} negative")
    if not parts:
        return []
    text = "; ".join(parts) if len(parts) == 2 and "," in parts[0] else " and ".join(parts)
    return [f"On examination, {text}."]


def mobility_sentences(history: ClinicalHistory) -> list[str]:
    """Raney item 1: peripheralization with mobility testing, never with traction (a spread of
    symptoms with traction makes a trial worse: domain.md §6.1)."""
    where = "with lower cervical (C4-C7) mobility testing"
    if history.mobility_peripheralization == "positive":
        return [f"Symptoms spread further down the arm {where}."]
    if history.mobility_peripheralization == "negative":
        return [f"Symptoms did not spread further down the arm {where}."]
    return []


def imaging_sentences(history: ClinicalHistory) -> list[str]:
    if not history.imaging_kind:
        return []
    study = STUDY_KINDS[history.imaging_kind]
    article = "An" if study[0] in "AEIMX" else "A"  # "An MRI", "An X-ray", "An EMG", "A CT"
    when = f" on {w.long_date(history.imaging_date)}" if history.imaging_date else ""
    if history.imaging_finding:
        return [f"{article} {study}{when} showed: {_typed(history.imaging_finding)}."]
    if when:
        return [f"{article} {study} was done{when}."]
    return []  # a kind of study alone says nothing the reader can use


def function_sentences(history: ClinicalHistory) -> list[str]:
    parts = []
    if history.ndi_percent is not None:
        parts.append(f"Neck Disability Index score is {history.ndi_percent}%")
    if history.psfs_average is not None:
        parts.append(
            "average Patient-Specific Functional Scale score is "
            f"{w.number(history.psfs_average)} out of 10"
        )
    if not parts:
        return []
    return [f"The recorded {' and the '.join(parts)}."]


def prior_treatment_sentences(history: ClinicalHistory | None) -> list[str]:
    """Physical therapy, medication and clinic traction before the trial, each with its result."""
    if history is None:
        return []
    return [
        *therapy_sentences(history),
        *medication_sentences(history),
        *traction_sentences(history),
    ]


def therapy_sentences(history: ClinicalHistory) -> list[str]:
    weeks, traction, result = (
        history.physical_therapy_weeks,
        history.physical_therapy_traction,
        history.physical_therapy_result,
    )
    if weeks is None and traction is None and result is None:
        return []
    span = f"{weeks} week{'s' if weeks != 1 else ''} of " if weeks else ""
    how = {"with": " that included traction", "without": " without traction"}.get(
        traction or "", ""
    )
    sentence = f"The patient had {span}physical therapy{how}"
    if result:
        sentence += f", with this result: {_typed(result)}"
    return [sentence + "."]


def medication_sentences(history: ClinicalHistory) -> list[str]:
    if not history.medications:
        return []
    sentence = f"The patient tried {_typed(history.medications)}"
    if history.medications_result:
        sentence += f", with this result: {_typed(history.medications_result)}"
    return [sentence + "."]


def traction_sentences(history: ClinicalHistory) -> list[str]:
    sessions, result = history.clinic_traction_sessions, history.clinic_traction_result
    if sessions is None and result is None:
        return []
    count = f"{sessions} session{'s' if sessions != 1 else ''} of " if sessions else ""
    sentence = f"Before the supervised trial, the patient had {count}traction in the clinic"
    if result:
        sentence += f", with this result: {_typed(result)}"
    return [sentence + "."]


def _typed(text: str) -> str:
    """The clinician's words as the sentence's ending: no closing full stop of their own."""
    return w.plain_words(text.strip()).rstrip(" .;")


def _and(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
