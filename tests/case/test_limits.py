"""The parser's bounds on a dme-case/1 document (case_limits; security.md IN-2).

Regression tests for the penetration test of 2026-12-06: H1 (unbounded diagnosis list), L4 (the
API skipped the form's length, MBI and control-character checks) and L5 (one error per item of a
huge list). Each fails when its bound is taken out of the parser.
"""

from __future__ import annotations

import json

import pytest
from sample_case import case_doc

from dme_service.case import limits as case_limits
from dme_service.case import parse as case_format
from dme_service.case.parse import CaseFormatError

DX = ["M50.120", "M50.121", "M50.122", "M50.123", "M54.12", "M54.2", "M47.812", "M50.20"]


def errors_of(doc) -> list[tuple[str, str]]:
    with pytest.raises(CaseFormatError) as raised:
        case_format.parse(doc)
    return [(e.field, e.message) for e in raised.value.errors]


def test_pentest_h1_more_than_twelve_diagnoses_is_one_error_naming_the_bound():
    doc = case_doc()
    doc["diagnoses"] = DX * 600  # the 57 KB request of the report
    assert errors_of(doc) == [
        ("diagnoses", "at most 12 ICD-10-CM codes (an 837P claim carries 12), not 4800")
    ]


def test_pentest_h1_a_repeated_diagnosis_is_refused_at_the_repeat():
    doc = case_doc()
    doc["diagnoses"] = ["M50.122", "m50122"]
    assert errors_of(doc) == [("diagnoses[1]", "M50.122 is listed twice (also as diagnosis 1)")]


@pytest.mark.parametrize(
    ("key", "limit", "item"),
    [
        ("trials", case_limits.MAX_TRIALS, None),
        ("prior_devices", case_limits.MAX_PRIOR_DEVICES, {"hcpcs": "E0860", "date": "2020-01-01"}),
    ],
)
def test_pentest_h1_trials_and_prior_devices_are_bounded(key, limit, item):
    doc = case_doc()
    doc[key] = [item or doc["trials"][0]] * (limit + 1)
    assert errors_of(doc) == [(key, f"at most {limit} {key.replace('_', ' ')}, not {limit + 1}")]


def test_twelve_different_diagnoses_still_parse():
    doc = case_doc()
    doc["diagnoses"] = [
        "M50.120", "M50.121", "M50.122", "M50.123", "M54.12", "M54.2",
        "M47.812", "M50.20", "M50.30", "G54.2", "M54.13", "M48.02",
    ]  # fmt: skip
    assert len(case_format.parse(doc).diagnoses) == 12


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("patient.name", 200),
        ("patient.member_id", 64),
        ("treating_practitioner.name", 200),
        ("request.frequency_text", 200),
    ],
)
def test_pentest_l4_text_fields_have_the_forms_length_limits(path, limit):
    doc = case_doc(payer="aetna", **{path: "x" * (limit + 1)})
    assert errors_of(doc) == [(path, f"must be at most {limit} characters, not {limit + 1}")]


@pytest.mark.parametrize("char", ["\x00", "\t", "\n", "\x7f", "\u202e"])
def test_pentest_l4_control_and_bidi_characters_are_refused_in_names(char):
    doc = case_doc(**{"patient.name": f"Roe{char}=1+1"})
    [(field, message)] = errors_of(doc)
    assert field == "patient.name"
    assert f"U+{ord(char):04X}" in message


def test_pentest_l4_medicare_member_id_must_be_an_mbi_through_the_api_too():
    doc = case_doc(payer="medicare", **{"patient.member_id": "1EG4TE5MK99<script>"})
    [(field, message)] = errors_of(doc)
    assert field == "patient.member_id"
    assert "MBI" in message


def test_an_mbi_with_dashes_is_stored_without_them_and_names_in_nfc():
    doc = case_doc(payer="medicare", **{"patient.member_id": "1eg4-te5-mk73"})
    doc["patient"]["name"] = "Jose\u0301 N\u0303u\u0303nez"  # decomposed accents
    patient = case_format.parse(doc).patient
    assert patient.member_id == "1EG4TE5MK73"
    assert patient.name == "Jos\u00e9 \u00d1\u0169nez"


def test_pentest_l5_errors_stop_after_fifty_with_one_closing_note():
    doc = case_doc()
    doc["patient"] = {f"k{i}": 1 for i in range(100_000)}
    errors = errors_of(doc)
    assert len(errors) == case_limits.MAX_ERRORS + 1
    assert errors[-1] == ("$", "more than 50 problems: the rest are not listed")


def test_pentest_l5_error_messages_never_echo_a_long_value():
    doc = case_doc(payer="x" * 100_000)
    doc["treating_practitioner"]["npi"] = "9" * 100_000
    doc["onset_date"] = "2" * 100_000
    assert len(json.dumps(errors_of(doc))) < 1000
