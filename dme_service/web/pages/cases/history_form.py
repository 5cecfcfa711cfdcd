"""The case page's history section (Flask-WTF): prior treatment and its results, the
examination (neurological findings and provocation tests), imaging and functional scores, as
the clinician records them for the letter of medical necessity (case/history.py).

Like every section form it builds its part of the page's document (under "history") and puts
the parser's errors back on its fields; the history's parser judges every value.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, SelectField, StringField
from wtforms.validators import Length

from dme_service.case.history import FIELDS, MAX_TEXT, STUDY_KINDS
from dme_service.web.pages.cases.forms import SectionForm, date_field, typed_text
from dme_service.web.pages.cases.inputs import NumberText, WholeText, select_choices

TEST_CHOICES = select_choices(
    [("", "Not recorded"), ("positive", "Positive"), ("negative", "Negative")]
)
TRACTION_CHOICES = select_choices(
    [("", "Not recorded"), ("without", "Without traction"), ("with", "Included traction")]
)
STUDY_CHOICES = select_choices([("", "No study recorded"), *STUDY_KINDS.items()])
# A bound for what a browser may send; the parser says the real limit, with the count.
_TEXT_BOUND = Length(max=4 * MAX_TEXT, message=f"Keep it to {MAX_TEXT} characters or fewer.")
_NUMBER_BOUND = Length(max=20)


def _text(label: str) -> StringField:
    return StringField(label, [_TEXT_BOUND])


def _test(label: str) -> SelectField:
    return SelectField(label, choices=TEST_CHOICES, default="")


class HistoryForm(SectionForm):
    section = "history"
    prefix_name = "history"

    physical_therapy_weeks = WholeText("Weeks of physical therapy", [_NUMBER_BOUND])
    physical_therapy_traction = SelectField(
        "Traction during physical therapy", choices=TRACTION_CHOICES, default=""
    )
    physical_therapy_result = _text("Result of physical therapy")
    medications = _text("Medications tried")
    medications_result = _text("Result of the medications")
    clinic_traction_sessions = WholeText(
        "Clinic traction sessions before the supervised trial", [_NUMBER_BOUND]
    )
    clinic_traction_result = _text("Result of clinic traction")
    neurological_signs = _text("Neurological findings")
    spurling_test = _test("Spurling's test")
    distraction_test = _test("Neck distraction test")
    ultt_a = _test("Upper limb tension test A (median nerve)")
    shoulder_abduction_test = _test("Shoulder abduction test")
    mobility_peripheralization = _test("Peripheralization with C4-C7 mobility testing")
    imaging_kind = SelectField("Imaging or nerve study", choices=STUDY_CHOICES, default="")
    imaging_date = date_field("Date of the study")
    imaging_finding = _text("Finding of the study")
    ndi_percent = WholeText("Neck Disability Index (%)", [_NUMBER_BOUND])
    psfs_average = NumberText("Patient-Specific Functional Scale, average (0-10)", [_NUMBER_BOUND])

    def part(self) -> dict[str, Any]:
        """{"history": the typed facts}, or None when nothing is typed (nothing recorded)."""
        facts = {key: self._typed(self[key]) for key in FIELDS}
        facts = {key: value for key, value in facts.items() if value is not None}
        return {"history": facts or None}

    @staticmethod
    def _typed(field: Field) -> Any:
        if isinstance(field, NumberText):
            return field.value if field.value is not None else typed_text(field)
        return typed_text(field)

    def field_for(self, path: str) -> Field | None:
        key = path.removeprefix("history.")
        if path == "history":
            return self.physical_therapy_weeks
        return self[key] if path.startswith("history.") and key in FIELDS else None
