"""The case forms: each field's own check (text to number, choices, MBI shape, lengths), the
document part each form builds, and the parser's errors put back onto the right fields."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from dme_service.case import parse as case_format
from dme_service.services.cases import sections as case_sections
from dme_service.web.pages.cases.forms import (
    DiagnosesForm,
    NewCaseForm,
    PatientForm,
    PrescriptionForm,
    ScreeningForm,
)
from dme_service.web.pages.cases.inputs import anchor_for, label_for, mbi_problem, plain
from dme_service.web.pages.cases.order_forms import OrderForm
from dme_service.web.pages.cases.trial_forms import TrialsForm

TRIAL = {
    "date": "2026-10-02",
    "device": "E0860",
    "position": "seated",
    "force_lb": "12",
    "minutes": "15",
    "pain_before": "7",
    "pain_after": "3",
    "peripheralization": "no",
    "new_neuro_signs": "no",
    "use_demonstrated": "yes",
    "tolerated": "yes",
}
PATIENT = {"name": "Jane Q. Doe", "date_of_birth": "1958-03-14", "member_id": "1EG4TE5MK73"}


@pytest.fixture
def ctx(app):
    with app.test_request_context(method="POST"):
        yield


def bound(form_class, fields: dict, **kwargs):
    prefix = form_class.prefix_name
    data = MultiDict({f"{prefix}-{name}": value for name, value in fields.items()})
    return form_class.make(formdata=data, **kwargs)


def trial_fields(index: int, **changes) -> dict:
    return {f"rows-{index}-{key}": value for key, value in {**TRIAL, **changes}.items()}


def parse_errors(section: str, part: dict) -> list:
    """What the service would report: the part merged into a minimal stored case, parsed."""
    stored = {"format": "dme-case/1", "patient": PATIENT, "payer": "medicare"}
    document = case_sections.merged(stored, section, part)
    with pytest.raises(case_format.CaseFormatError) as raised:
        case_format.parse(case_sections.for_validation(document))
    return raised.value.errors


# --- typed text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "error"),
    [
        ("12", 12, None),
        ("12.5", 12.5, None),
        (" 7 ", 7, None),
        ("", None, None),
        ("twelve", None, "Enter a number, for example 12 or 12.5."),
        ("nan", None, "Enter a number, for example 12 or 12.5."),
        ("inf", None, "Enter a number, for example 12 or 12.5."),
    ],
    ids=["whole", "decimal", "spaces", "blank", "words", "nan", "infinity"],
)
def test_force_text_becomes_a_number_or_a_field_error(ctx, typed, value, error):
    form = bound(PrescriptionForm, {"hcpcs": "E0860", "force_lb": typed})
    form.validate()
    assert form.force_lb.value == value
    assert form.force_lb.errors == ([error] if error else [])
    assert form.force_lb.data == typed  # what was typed is shown again as typed


def test_a_decimal_pain_goes_to_the_parser_which_refuses_it(ctx):
    form = bound(TrialsForm, trial_fields(0, pain_after="2.5"))
    assert form.validate()
    errors = parse_errors("trials", form.part())
    assert [e.field for e in errors] == ["trials[0].pain_after"]


def test_pain_in_words_is_a_field_error(ctx):
    form = bound(TrialsForm, trial_fields(0, pain_before="seven"))
    assert not form.validate()
    assert form.rows[0].pain_before.errors == ["Enter a whole number, for example 7."]


def test_unknown_trial_device_is_not_a_valid_choice(ctx):
    form = bound(TrialsForm, trial_fields(0, device="E9999"))
    assert not form.validate()
    assert form.rows[0].device.errors


def test_overlong_member_id_is_refused(ctx):
    form = bound(PatientForm, {**PATIENT, "member_id": "9" * 65, "payer": "aetna"})
    assert not form.validate()
    assert form.member_id.errors


# --- yes / no --------------------------------------------------------------------------------


def test_screening_starts_unanswered_and_unanswered_is_valid(ctx):
    form = bound(ScreeningForm, {"myelopathy": "yes"})
    assert form.validate()
    screening = form.part()["screening"]
    assert screening["myelopathy"] is True
    assert screening["glaucoma"] is None
    assert len(screening) == 19


def test_screening_answer_other_than_yes_or_no_is_refused(ctx):
    form = bound(ScreeningForm, {"myelopathy": "maybe"})
    assert not form.validate()
    assert form.myelopathy.errors == ["Choose Yes or No."]


@pytest.mark.parametrize("question", ["peripheralization", "new_neuro_signs"])
def test_a_required_trial_answer_starts_empty_and_is_refused_at_its_field(ctx, question):
    """The parser requires these answers: the select offers "Choose…", not "Not recorded"
    (which read as an answer and was then refused), and an empty one is refused beside it."""
    blank = TrialsForm.make(data={"rows": [{}]})
    field = getattr(blank.rows.entries[0].form, question)
    assert [(c.value, c.label) for c in field.choices] == [
        ("", "Choose…"),
        ("yes", "Yes"),
        ("no", "No"),
    ]
    form = bound(TrialsForm, trial_fields(0, **{question: ""}, pain_after="11"))
    assert form.validate()  # judged by the parser with the rest of the trial, not before it
    form.show_errors(parse_errors("trials", form.part()))
    row = form.rows.entries[0].form
    assert getattr(row, question).errors == ["Choose Yes or No."]
    assert row.pain_after.errors == ["Must be a whole number from 0 to 10, not 11."]  # together
    assert row.pain_after.data == "11"  # what was typed stays


def test_a_blank_or_removed_trial_row_needs_no_answers(ctx):
    fields = {**trial_fields(0), **trial_fields(1, peripheralization="", remove="y")}
    fields |= {"rows-2-peripheralization": "", "rows-2-new_neuro_signs": ""}
    assert bound(TrialsForm, fields).validate()


def test_trial_yes_no_not_recorded_is_none(ctx):
    form = bound(TrialsForm, trial_fields(0, tolerated=""))
    assert form.validate()
    assert "tolerated" not in form.part()["trials"][0]


# --- Medicare Beneficiary Identifier ---------------------------------------------------------


@pytest.mark.parametrize(
    ("member_id", "ok"),
    [
        ("1EG4TE5MK73", True),
        ("1eg4-te5-mk73", True),
        ("1EG4TE5MK7", False),
        ("0EG4TE5MK73", False),
        ("1SG4TE5MK73", False),
        ("1EG4TE5MK7O", False),
    ],
    ids=["plain", "dashes-lower-case", "ten-characters", "leading-zero", "letter-S", "letter-O"],
)
def test_mbi_shape(member_id, ok):
    assert (mbi_problem(member_id) is None) == ok


def test_medicare_new_case_with_a_non_mbi_is_refused_at_the_member_id(ctx):
    form = NewCaseForm(
        formdata=MultiDict({**PATIENT, "member_id": "W123456789", "payer": "medicare"})
    )
    assert not form.validate()
    assert "MBI" in form.member_id.errors[0]


def test_commercial_member_id_is_not_an_mbi_check(ctx):
    form = NewCaseForm(formdata=MultiDict({**PATIENT, "member_id": "W123456789", "payer": "aetna"}))
    assert form.validate()


def test_mbi_is_stored_without_dashes(ctx):
    form = bound(PatientForm, {**PATIENT, "member_id": "1eg4-te5-mk73", "payer": "medicare"})
    assert form.validate()
    assert form.part()["patient"]["member_id"] == "1EG4TE5MK73"


# --- parser errors back onto fields ----------------------------------------------------------


def test_pain_11_maps_to_the_pain_after_field_of_its_row(ctx):
    fields = {**trial_fields(0), **trial_fields(1, pain_after="11"), "rows-2-date": ""}
    form = bound(TrialsForm, fields)
    assert form.validate()
    errors = parse_errors("trials", form.part())
    form.show_errors(errors)
    assert form.rows[1].pain_after.errors == ["Must be a whole number from 0 to 10, not 11."]
    assert form.rows[0].pain_after.errors == []


def test_trial_errors_skip_blank_and_removed_rows(ctx):
    fields = {**trial_fields(0, remove="y"), **trial_fields(1, minutes="0")}
    form = bound(TrialsForm, fields)
    assert form.validate()
    assert len(form.part()["trials"]) == 1
    form.show_errors(parse_errors("trials", form.part()))
    assert form.rows[1].minutes.errors and not form.rows[0].minutes.errors


def test_future_trial_date_maps_to_its_date_field(ctx):
    form = bound(TrialsForm, trial_fields(0, date="2099-01-01"))
    assert form.validate()
    form.show_errors(parse_errors("trials", form.part()))
    assert "after today" in form.rows[0].date.errors[0]


def test_non_billable_code_maps_to_its_entry_after_a_blank_one(ctx):
    form = bound(DiagnosesForm, {"codes-0": "", "codes-1": "M50.12"})
    assert form.validate()
    assert form.part() == {"diagnoses": ["M50.12"]}
    form.show_errors(parse_errors("diagnoses", form.part()))
    assert "M50.120-M50.123" in form.codes[1].errors[0]


def test_picking_a_billable_child_replaces_the_refused_category(ctx):
    form = bound(DiagnosesForm, {"codes-0": "M50.12", "codes-1": "G54.2", "add_code": "M50.122"})
    assert form.part() == {"diagnoses": ["G54.2", "M50.122"]}


def test_remove_button_drops_that_code(ctx):
    form = bound(DiagnosesForm, {"codes-0": "M50.122", "codes-1": "G54.2", "remove_code": "0"})
    assert form.part() == {"diagnoses": ["G54.2"]}


def test_prn_frequency_is_refused_at_its_field(ctx):
    # Issue 15 (walk.md clinician bug 6): refused on save, not later by the SWO.
    form = bound(PrescriptionForm, {"hcpcs": "E0860", "frequency_text": "PRN"})
    assert not form.validate()
    assert 'cannot say "PRN"' in form.frequency_text.errors[0]


def test_zero_sessions_per_day_maps_to_its_field(ctx):
    form = bound(PrescriptionForm, {"hcpcs": "E0860", "sessions_per_day": "0"})
    assert form.validate()
    form.show_errors(parse_errors("prescription", form.part()))
    assert form.sessions_per_day.errors == ["Must be a whole number of 1+, not 0."]


def test_onset_after_the_trial_maps_to_onset_date(ctx, app):
    form = bound(OrderForm, {"onset_date": "2026-10-20"})
    form.set_signers([])
    assert form.validate()
    stored = {"format": "dme-case/1", "patient": PATIENT, "payer": "medicare"}
    stored["trials"] = [
        {
            **{k: v for k, v in TRIAL.items()},
            "force_lb": 12,
            "minutes": 15,
            "pain_before": 7,
            "pain_after": 3,
            "peripheralization": False,
            "new_neuro_signs": False,
        }
    ]
    document = case_sections.merged(stored, "order", form.part())
    with pytest.raises(case_format.CaseFormatError) as raised:
        case_format.parse(case_sections.for_validation(document))
    form.show_errors(raised.value.errors)
    assert "after the latest trial" in form.onset_date.errors[0]


def test_prior_device_without_date_maps_to_its_date(ctx):
    form = bound(OrderForm, {"prior-0-hcpcs": "E0860", "prior-0-date": ""})
    form.set_signers([])
    assert form.validate()
    form.show_errors(parse_errors("order", form.part()))
    assert form.prior[0].date.errors == ["Is required."]


def test_practitioner_not_on_the_list_is_not_a_valid_choice(ctx):
    form = bound(OrderForm, {"treating_practitioner": "999"})
    form.set_signers([])
    assert not form.validate()
    assert form.treating_practitioner.errors


def test_patient_errors_map_to_name_date_of_birth_and_payer(ctx):
    form = bound(PatientForm, {"name": " ", "date_of_birth": "1958-02-30", "member_id": "X"})
    assert form.validate()
    stored = {"format": "dme-case/1"}
    document = case_sections.merged(stored, "patient", form.part())
    with pytest.raises(case_format.CaseFormatError) as raised:
        case_format.parse(case_sections.for_validation(document))
    form.show_errors(raised.value.errors)
    assert form.name.errors and form.date_of_birth.errors and form.payer.errors


# --- words and anchors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "anchor", "label"),
    [
        ("trials[1].pain_after", "trials-rows-1-pain_after", "Trial 2, pain after"),
        ("trials", "trials-rows-0-date", "Trial"),
        ("screening.myelopathy", "screening-myelopathy-0", "Screening: myelopathy"),
        ("diagnoses[0]", "dx-codes-0", "Diagnosis 1"),
        ("request.force_lb", "request-force_lb", "Home prescription, force"),
        (
            "treating_practitioner.credential",
            "order-treating_practitioner",
            "Treating practitioner, credential",
        ),
        ("patient.date_of_birth", "patient-date_of_birth", "Patient, date of birth"),
        ("payer", "patient-payer", "Payer"),
        ("prior_devices[0].date", "order-prior-0-date", "Prior device 1, date"),
    ],
)
def test_each_path_has_an_anchor_on_the_page_and_words(path, anchor, label):
    assert anchor_for(path) == anchor
    assert label_for(path) == label


def test_parser_wording_becomes_sentences():
    assert plain("is required (true or false)") == "Is required (Yes or No)"
    assert plain("must not be empty") == "Must not be empty."
