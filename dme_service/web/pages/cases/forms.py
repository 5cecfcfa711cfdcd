"""The case page's forms, one per section (Flask-WTF); the trials section is in trial_forms
and the order section in order_forms.

A form turns what was typed into its part of the dme-case/1 document (`part`); the service
puts the part into the whole document and `case_format.parse` judges it. The parser's errors
come back by dotted path and `show_errors` puts each next to its field. Forms check only
what the parser cannot see: that text is a number, a choice is on the list, an MBI's shape.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any, ClassVar

from babel import support
from flask import has_request_context, request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length, ValidationError
from wtforms.widgets import DateInput

from dme_service.case.limits import MAX_DIAGNOSES
from dme_service.case.model import HOME_DEVICES, SCREENING_KEYS
from dme_service.case.parse import FieldError
from dme_service.coding.codes import HCPCS_DESCRIPTORS
from dme_service.rules import order_frequency
from dme_service.rules.wording import PAYER_NAMES, SCREENING_LABELS
from dme_service.web.pages.cases.inputs import (
    MBI_PAYERS,
    NumberText,
    WholeText,
    YesNo,
    field_message,
    mbi_problem,
    normal_mbi,
    select_choices,
)

PAYER_CHOICES = select_choices([("", "Choose the payer")] + list(PAYER_NAMES.items()))
DEVICE_WORDS = {
    **{code: f"{code}: {words}" for code, words in HCPCS_DESCRIPTORS.items()},
    "mechanical": "Clinic motorised (mechanical) traction",
    "manual": "Manual traction",
}
HOME_DEFAULTS = {"minutes": 15, "sessions_per_day": 2, "frequency_text": "15 minutes, twice daily"}


@functools.lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def share_wtforms_catalog() -> None:
    """Give Flask-WTF the request's catalog of WTForms' own messages from a per-process copy:
    Flask-WTF reads the catalog file from disk again on every request (about half a
    millisecond of the case page), and the file never changes while the process runs."""
    if has_request_context() and getattr(request, "wtforms_translations", None) is None:
        request.wtforms_translations = _wtforms_catalog(str(get_locale()))


def date_field(label: str) -> StringField:
    # Passed to the parser as typed: it decides what a real, non-future date is.
    return StringField(label, [Length(max=20)], widget=DateInput())


def _dotless(code: str) -> str:
    return code.strip().upper().replace(".", "")


def answered(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def typed_text(field: Field) -> str | None:
    text = (field.data or "").strip()
    return text or None


class SectionForm(FlaskForm):
    """A section of the case page: its document part and where its errors go."""

    section: ClassVar[str]
    prefix_name: ClassVar[str]
    version = HiddenField()

    @classmethod
    def make(cls, formdata=None, data: dict | None = None, **kwargs):
        """A bound form (formdata) or one showing `data`; never binds the request by itself."""
        share_wtforms_catalog()
        return cls(formdata=formdata, data=data or {}, prefix=cls.prefix_name, **kwargs)

    def part(self) -> dict[str, Any]:
        raise NotImplementedError

    def field_for(self, path: str) -> Field | None:
        """The field that holds the value at a dotted document path, if this form has it."""
        raise NotImplementedError

    def show_errors(self, errors: list[FieldError]) -> None:
        """Put each parser error that belongs to this form next to its field."""
        for error in errors:
            field = self.field_for(error.field)
            if field is not None:
                field.errors = [*field.errors, field_message(field, error.message)]


class PatientFields(FlaskForm):
    name = StringField("Patient's full name", [Length(max=200)])
    date_of_birth = date_field("Date of birth")
    member_id = StringField("Member id", [Length(max=64)])
    weight_lb = NumberText("Weight (lb, optional)", [Length(max=20)])
    payer = SelectField("Payer", choices=PAYER_CHOICES, default="")

    def validate_member_id(self, field: Field) -> None:
        if self.payer.data in MBI_PAYERS and (field.data or "").strip():
            problem = mbi_problem(field.data)
            if problem:
                raise ValidationError(problem)

    def patient_part(self) -> dict[str, Any]:
        member_id = (self.member_id.data or "").strip()
        if self.payer.data in MBI_PAYERS:
            member_id = normal_mbi(member_id)
        patient = {
            "name": (self.name.data or "").strip(),
            "date_of_birth": typed_text(self.date_of_birth),
            "member_id": member_id,
            "weight_lb": self.weight_lb.value,
        }
        return answered(patient)


class NewCaseForm(PatientFields):
    """A new draft: who the patient is and who pays. Carries an idempotency key (DB-4)."""

    idempotency_key = HiddenField(validators=[Length(max=64)])
    # A CDS Hooks card's sealed link (web/pages/cases/ehr_prefill.py): the order's facts.
    ehr = HiddenField(validators=[Length(max=4096)])
    # Set by "Create another case for this patient" to this form's key: the answer holds for
    # this form only, so a reloaded form (a new key) asks again.
    same_patient_confirmed = HiddenField(validators=[Length(max=64)])

    def confirmed_same_patient(self) -> bool:
        key = self.idempotency_key.data or ""
        return bool(key) and self.same_patient_confirmed.data == key

    @classmethod
    def blank(cls):
        return cls(formdata=None, data={"idempotency_key": str(uuid.uuid4())})

    def field_for(self, path: str) -> Field | None:
        return PatientForm.field_for(self, path)  # the same paths, the same field names

    def show_errors(self, errors: list[FieldError]) -> None:
        SectionForm.show_errors(self, errors)


class PatientForm(SectionForm, PatientFields):
    section = "patient"
    prefix_name = "patient"

    def part(self) -> dict[str, Any]:
        return {"patient": self.patient_part(), "payer": self.payer.data or None}

    def field_for(self, path: str) -> Field | None:
        if path == "payer":
            return self.payer
        if path.startswith("patient."):
            return getattr(self, path.split(".", 1)[1], None)
        return self.name if path == "patient" else None


class DiagnosesForm(SectionForm):
    section = "diagnoses"
    prefix_name = "dx"
    codes = FieldList(
        StringField("ICD-10-CM code", [Length(max=20)]),
        min_entries=1,
        # One past the parser's bound, so the parser says why (7,000 fields would hold a worker).
        max_entries=MAX_DIAGNOSES + 1,
    )
    query = StringField("Find a code by words or code", [Length(max=100)])
    add_code = StringField(validators=[Length(max=20)])  # set by an "Add" button
    remove_code = StringField(validators=[Length(max=4)])  # set by a "Remove" button

    def _kept(self) -> list[tuple[int, str]]:
        removed = (self.remove_code.data or "").strip()
        kept = []
        for i, entry in enumerate(self.codes.entries):
            code = (entry.data or "").strip()
            if code and str(i) != removed:
                kept.append((i, code))
        return kept

    def part(self) -> dict[str, Any]:
        codes = [code for _, code in self._kept()]
        added = (self.add_code.data or "").strip()
        if added:
            # Picking M50.122 for a refused category M50.12 replaces it: the category's
            # billable child is what the clinician meant.
            key = _dotless(added)
            codes = [c for c in codes if not (key.startswith(_dotless(c)) and key != _dotless(c))]
            if key not in {_dotless(c) for c in codes}:
                codes.append(added)
        return {"diagnoses": codes}

    def field_for(self, path: str) -> Field | None:
        kept = self._kept()
        if path.startswith("diagnoses[") and path.endswith("]"):
            index = int(path[len("diagnoses[") : -1])
            if index < len(kept):
                return self.codes.entries[kept[index][0]]
            return self.query  # the added code is the one after the typed ones
        return self.codes.entries[0] if path == "diagnoses" else None


class ScreeningForm(SectionForm):
    section = "screening"
    prefix_name = "screening"

    def part(self) -> dict[str, Any]:
        return {"screening": {key: self[key].answer for key in SCREENING_KEYS}}

    def field_for(self, path: str) -> Field | None:
        key = path.removeprefix("screening.")
        return self[key] if path.startswith("screening.") and key in SCREENING_KEYS else None


for _key in SCREENING_KEYS:
    setattr(
        ScreeningForm, _key, YesNo(SCREENING_LABELS[_key][:1].upper() + SCREENING_LABELS[_key][1:])
    )


class PrescriptionForm(SectionForm):
    section = "prescription"
    prefix_name = "request"
    hcpcs = SelectField(
        "Home device", choices=select_choices((d, DEVICE_WORDS[d]) for d in HOME_DEVICES)
    )
    force_lb = NumberText("Force (lb)", [Length(max=20)])
    minutes = NumberText("Minutes per session", [Length(max=20)])
    sessions_per_day = WholeText("Sessions per day", [Length(max=20)])
    length_of_need_months = WholeText("Length of need (months)", [Length(max=20)])
    frequency_text = StringField("Frequency as the order will say it", [Length(max=200)])

    def validate_frequency_text(self, field: Field) -> None:
        # Refused here, at the field, not later on the SWO (rules/order_frequency.py).
        problem = order_frequency.problem(
            field.data, self.minutes.value, self.sessions_per_day.value
        )
        if problem:
            raise ValidationError(problem)

    def part(self) -> dict[str, Any]:
        minutes, sessions = self.minutes.value, self.sessions_per_day.value
        wording = typed_text(self.frequency_text) or order_frequency.sentence(minutes, sessions)
        request = {
            "hcpcs": self.hcpcs.data,
            "force_lb": self.force_lb.value,
            "minutes": minutes,
            "sessions_per_day": sessions,
            "length_of_need_months": self.length_of_need_months.value,
            "frequency_text": wording,
        }
        return {"request": answered(request)}

    def field_for(self, path: str) -> Field | None:
        if path == "request":
            return self.hcpcs
        return (
            getattr(self, path.removeprefix("request."), None)
            if path.startswith("request.")
            else None
        )
