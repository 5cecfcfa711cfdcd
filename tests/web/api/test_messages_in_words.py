"""API 422 answers name the offending value in `field` (the contract's path, for programs)
and say what is wrong in `message`, in words: no dotted field path in the message."""

from __future__ import annotations

import pytest
from sample_case import case_doc

from web.api.test_views import api_user, team  # noqa: F401 - fixtures
from web.pages.cases.test_human_words import DOTTED_PATH, RAW_CODE


def broken(change) -> dict:
    document = case_doc()
    change(document)
    return document


def _twice(d):
    d["diagnoses"] = ["M50.122", "M50.122"]


def _pain(d):
    d["trials"][0]["pain_after"] = 11


def _late_onset(d):
    d["onset_date"] = "2026-11-01"


def _device(d):
    d["trials"][0]["device"] = "E9999"


def _before_birth(d):
    d["trials"][0]["date"] = "1950-01-01"


def _unanswered_type(d):
    d["screening"]["myelopathy"] = "maybe"


CHANGES = [_twice, _pain, _late_onset, _device, _before_birth, _unanswered_type]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_refused_document_names_the_field_apart_and_says_why_in_words(client, team, change):  # noqa: F811
    response = client.post("/api/v1/evaluate", json=broken(change), headers=team[0])
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert errors and all(e["field"] for e in errors)
    for error in errors:
        assert DOTTED_PATH.findall(error["message"]) == [], error
        assert RAW_CODE.findall(error["message"]) == [], error
        assert "[" not in error["message"], error
