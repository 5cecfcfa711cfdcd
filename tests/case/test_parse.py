"""The dme-case/1 parser: every bad-input path names its field by dotted path and says what
would be valid; all problems are reported together (case-format.md, clarifications 3-4, 10-11)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from rules.factories import TODAY, a_case, a_trial

from dme_service.case.parse import CaseFormatError, FieldError, parse, parse_text


def errors_of(doc, today=TODAY) -> list[FieldError]:
    with pytest.raises(CaseFormatError) as caught:
        parse(doc, today=today)
    return caught.value.errors


def fields_of(doc) -> list[str]:
    return [e.field for e in errors_of(doc)]


def with_(path: str, value, doc=None) -> dict:
    """A valid case with one value replaced; path like 'trials[0].pain_after'."""
    doc = doc or a_case()
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    target = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _ABSENT:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


class _Absent:
    """Marks a key to delete; its repr keeps test ids stable across xdist workers."""

    def __repr__(self) -> str:
        return "absent"


_ABSENT = _Absent()

# (path, value, message fragment): one row per bad-input rule.
BAD_VALUES = [
    ("format", "dme-case/2", "must be 'dme-case/1'"),
    ("payer", "humana", "use one of aetna, anthem, cigna"),
    ("payer", 3, "must be a string"),
    ("payer", _ABSENT, "is required"),
    ("patient", _ABSENT, "is required"),
    ("patient", "Jane", "must be a JSON object"),
    ("patient.name", "", "must not be empty"),
    ("patient.name", _ABSENT, "is required"),
    ("patient.date_of_birth", "1958-02-30", "is not a real date"),
    ("patient.date_of_birth", "14/03/1958", "YYYY-MM-DD"),
    ("patient.date_of_birth", "2027-01-01", "is after today (2026-11-23)"),
    ("patient.member_id", 12345, "must be a string"),
    ("patient.weight_lb", 0, "greater than 0"),
    ("patient.weight_lb", True, "not true"),
    ("diagnoses", [], "at least one ICD-10-CM code"),
    ("diagnoses", "M50.122", "must be a list"),
    ("diagnoses[0]", "M50.12", "M50.12 is not a billable ICD-10-CM code (use M50.120-M50.123)"),
    ("diagnoses[0]", "X99.99", "X99.99 is not an ICD-10-CM code"),
    ("diagnoses[0]", 50122, "must be an ICD-10-CM code"),
    ("onset_date", "2026-13-01", "is not a real date"),
    ("trials", {"date": "2026-10-02"}, "must be a list"),
    ("trials[0]", "yesterday", "must be a JSON object"),
    ("trials[0].date", "2026-11-24", "is after today"),
    ("trials[0].date", "1950-01-01", "before the patient's date of birth"),
    ("trials[0].device", "E0999", "use one of E0860"),
    ("trials[0].position", "standing", "use one of seated, supine"),
    ("trials[0].force_lb", -5, "greater than 0"),
    ("trials[0].force_lb", 0, "greater than 0"),
    ("trials[0].force_lb", "12", "must be a number greater than 0, not a string"),
    ("trials[0].force_lb", True, "not true"),
    ("trials[0].force_lb", float("nan"), "out-of-range number"),
    ("trials[0].force_lb", float("inf"), "out-of-range number"),
    ("trials[0].force_lb", 10**40, "out-of-range number"),
    ("trials[0].minutes", _ABSENT, "is required"),
    ("trials[0].pain_before", 11, "whole number from 0 to 10"),
    ("trials[0].pain_before", -1, "whole number from 0 to 10"),
    ("trials[0].pain_after", 7.5, "whole number from 0 to 10, not 7.5"),
    ("trials[0].pain_after", "3", "not a string"),
    ("trials[0].peripheralization", 0, "must be true or false, not the number 0"),
    ("trials[0].new_neuro_signs", "false", "must be true or false, not a string"),
    ("trials[0].new_neuro_signs", _ABSENT, "is required (true or false)"),
    ("trials[0].tolerated", 1, "must be true or false"),
    ("trials[0].use_demonstrated", "yes", "must be true or false"),
    ("screening", [], "must be a JSON object"),
    ("screening.glaucoma", 1, "must be true or false"),
    ("screening.glaucoma", "no", "must be true or false"),
    ("request", "E0860", "must be a JSON object"),
    ("request.hcpcs", "E0999", "use one of E0860, E0849, E0855, E0840, E0850, E0856, E0941"),
    ("request.force_lb", -1, "greater than 0"),
    ("request.minutes", 0, "greater than 0"),
    ("request.sessions_per_day", 0, "whole number of 1+"),
    ("request.sessions_per_day", 1.5, "whole number of 1+"),
    ("request.length_of_need_months", True, "whole number"),
    ("request.frequency_text", 2, "must be a string"),
    ("also_requested", "inversion_table", "must be a list"),
    ("also_requested[0]", "massage_chair", "is not one of inversion_table, home_lumbar_traction"),
    ("treating_practitioner", _ABSENT, "is required"),
    ("treating_practitioner.npi", "1234567890", "check digit is wrong"),
    ("treating_practitioner.npi", "12345", "exactly 10 digits"),
    ("treating_practitioner.npi", 1234567893, "must be a string"),
    ("treating_practitioner.credential", "LPN", "use one of MD, DO, DPM, PA, NP, CNS, PT"),
    ("abn_on_file", "no", "must be true or false"),
    ("abn_on_file", 0, "must be true or false"),
    ("prior_devices", {}, "must be a list"),
    ("prior_devices[0]", "E0860", "must be a JSON object"),
]


def _setup(path, value):
    doc = a_case(
        prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}], also_requested=["inversion_table"]
    )
    return with_(path, value, doc)


@pytest.mark.parametrize(
    ("path", "value", "message"), BAD_VALUES, ids=[f"{p}={v!r}" for p, v, _ in BAD_VALUES]
)
def test_bad_value_is_reported_at_its_path(path, value, message):
    errors = errors_of(_setup(path, value))
    assert [e.field for e in errors] == [path]
    assert message in errors[0].message


NESTED_UNKNOWN = [
    ("patient", "patient.nmae"),
    ("trials[0]", "trials[0].pain"),
    ("screening", "screening.glaucoma2"),
    ("request", "request.force"),
    ("treating_practitioner", "treating_practitioner.phone"),
    ("prior_devices[0]", "prior_devices[0].serial"),
]


@pytest.mark.parametrize(("parent", "path"), NESTED_UNKNOWN, ids=[p for _, p in NESTED_UNKNOWN])
def test_unknown_nested_keys_are_errors(parent, path):
    doc = _setup(path, 1)
    assert fields_of(doc) == [path]


def test_unknown_top_level_key_suggests_the_close_one():
    doc = a_case()
    doc["diagnosis"] = doc.pop("diagnoses")
    errors = errors_of(doc)
    assert [e.field for e in errors] == ["diagnosis", "diagnoses"]
    assert "did you mean 'diagnoses'" in errors[0].message


def test_all_errors_are_collected_not_just_the_first():
    doc = a_case(diagnoses=["M50.12", "M54.2", "Q"])
    doc["trials"][0]["pain_after"] = 12
    doc["payer"] = "humana"
    assert fields_of(doc) == ["payer", "diagnoses[0]", "diagnoses[2]", "trials[0].pain_after"]


def test_the_second_trial_is_named_by_its_index():
    doc = a_case(trials=[a_trial(), a_trial(date="2026-10-03", pain_after=11)])
    assert fields_of(doc) == ["trials[1].pain_after"]


@pytest.mark.parametrize("value", [[], 1, "case", None, True])
def test_the_top_level_must_be_an_object(value):
    errors = errors_of(value)
    assert [e.field for e in errors] == ["$"]
    assert "must be a JSON object" in errors[0].message


def test_onset_after_the_latest_trial_is_bad_input():
    errors = errors_of(a_case(onset_date="2026-10-03"))
    assert [(e.field, e.message) for e in errors] == [
        ("onset_date", "2026-10-03 is after the latest trial (2026-10-02)")
    ]


def test_today_is_injectable():
    doc = a_case(trial={"date": "2026-12-01"})
    assert fields_of(doc) == ["trials[0].date"]
    assert parse(doc, today=date(2026, 12, 1)).trials[0].date == date(2026, 12, 1)


def test_an_unknown_payer_lists_every_valid_one():
    message = errors_of(a_case("humana"))[0].message
    assert message == (
        "'humana' is not a valid payer (use one of aetna, anthem, cigna, connectcare, "
        "ibx_commercial, ibx_ma, medicare, premera, self_pay, uhc_commercial)"
    )


# --- what is accepted ---


def test_codes_without_dots_or_in_lower_case_come_out_dotted():
    case = parse(a_case(diagnoses=["m50122", "M54.2", " g54.2 "]), today=TODAY)
    assert case.diagnoses == ("M50.122", "M54.2", "G54.2")


def test_format_is_optional():
    doc = a_case()
    del doc["format"]
    assert parse(doc, today=TODAY).payer == "medicare"


@pytest.mark.parametrize("key", ["onset_date", "also_requested", "abn_on_file", "prior_devices"])
def test_optional_top_level_keys_may_be_left_out(key):
    doc = a_case()
    del doc[key]
    parse(doc, today=TODAY)


def test_optional_request_fields_and_position_may_be_null():
    doc = a_case(trial={"position": None})
    doc["request"] = {"hcpcs": "e0849", "frequency_text": None}
    case = parse(doc, today=TODAY)
    assert case.request.hcpcs == "E0849"
    assert case.request.force_lb is None
    assert case.trials[0].position is None


def test_decimal_forces_and_integral_pain_written_as_floats_are_accepted():
    case = parse(a_case(force_lb=12.5, trial={"pain_before": 7.0, "force_lb": 12.5}), today=TODAY)
    assert case.trials[0].pain_before == 7
    assert isinstance(case.trials[0].pain_before, int)


def test_screening_null_is_unanswered_not_an_error():
    case = parse(a_case(screening={"glaucoma": None}), today=TODAY)
    assert case.screening["glaucoma"] is None


# --- JSON text ---


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"payer": "a", "payer": "b"}', "duplicate key 'payer'"),
        (b" " * (1024 * 1024 + 1), "larger than"),
    ],
    ids=["truncated", "empty", "not-utf8", "deep-nesting", "duplicate-key", "too-large"],
)
def test_bad_json_text_is_one_whole_document_error(text, message):
    with pytest.raises(CaseFormatError) as caught:
        parse_text(text, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["$"]
    assert message in caught.value.errors[0].message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000])
def test_non_finite_and_huge_numbers_are_reported_at_their_field(literal):
    text = json.dumps(a_case()).replace('"force_lb": 12,', f'"force_lb": {literal},', 1)
    with pytest.raises(CaseFormatError) as caught:
        parse_text(text, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["trials[0].force_lb"]


def test_a_byte_order_mark_is_accepted():
    assert parse_text(b"\xef\xbb\xbf" + json.dumps(a_case()).encode(), today=TODAY)


def test_field_errors_render_as_field_colon_message():
    error = FieldError("diagnoses[0]", "M50.12 is not a billable ICD-10-CM code")
    assert str(error) == "diagnoses[0]: M50.12 is not a billable ICD-10-CM code"
    assert error.as_json() == {"field": "diagnoses[0]", "message": error.message}


@pytest.mark.parametrize(
    ("key", "path"), [("", '[""]'), ("a.b", '["a.b"]')], ids=["empty-key", "dotted-key"]
)
def test_unknown_keys_that_are_not_plain_names_are_quoted(key, path):
    doc = a_case()
    doc[key] = 1
    doc["patient"][key] = 1
    assert fields_of(doc) == [path, "patient" + path]
