"""The JSON API at the document's bounds (penetration test 2026-12-06, H1, L4, L5).

Each test sends the report's request and checks that it is refused with 422 at the named
field: before the fixes these held a worker for 30 s, were stored, or answered 53 MB of errors.
"""

from __future__ import annotations

import json

import pytest
from sample_case import case_doc
from sqlalchemy import func, select

from dme_service.coding import codes
from dme_service.models import Case
from web.api_helpers import bearer, token_for

DX = ["M50.120", "M50.121", "M50.122", "M50.123", "M54.12", "M54.2", "M47.812", "M50.20"]


@pytest.fixture
def billing(db_session, make_user):
    return bearer(token_for(db_session, make_user("billing")))


@pytest.fixture
def clinician(db_session, make_user):
    return bearer(token_for(db_session, make_user("clinician", credential="PT")))


def test_pentest_h1_evaluate_refuses_thousands_of_diagnoses_before_deciding(
    client, billing, monkeypatch
):
    checked = []
    real = codes.excludes1_pairs
    monkeypatch.setattr(codes, "excludes1_pairs", lambda dx: checked.append(dx) or real(dx))
    doc = case_doc()
    doc["diagnoses"] = DX * 750  # 6,000 codes: over 30 s of CPU before the fix
    response = client.post("/api/v1/evaluate", json=doc, headers=billing)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "diagnoses"
    assert checked == []


def test_pentest_l5_a_megabyte_of_bad_items_answers_a_small_error_body(client, billing):
    body = json.dumps({**case_doc(), "also_requested": [1] * 300_000})
    response = client.post(
        "/api/v1/evaluate",
        data=body,
        headers={**billing, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert len(response.get_data()) < 2000


def test_pentest_l5_one_error_per_key_stops_at_fifty(client, billing):
    doc = case_doc()
    doc["screening"] = {f"q{i}": True for i in range(20_000)}
    response = client.post("/api/v1/evaluate", json=doc, headers=billing)
    assert response.status_code == 422
    assert len(response.get_json()["errors"]) == 51


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("patient.name", "Zebulon Testpatient " * 3000),  # M1's 60 KB name
        ("patient.name", "Doe\x00=1+1"),  # NUL: a 500 on PostgreSQL before the fix
        ("patient.member_id", "1EG4TE5MK99<script>alert(1)</script>"),
        ("request.frequency_text", "twice daily\n=1+1"),
    ],
)
def test_pentest_l4_create_refuses_what_the_form_refuses(client, clinician, app, path, value):
    response = client.post("/api/v1/cases", json=case_doc(**{path: value}), headers=clinician)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [e["field"] for e in response.get_json()["errors"]] == [path]
    with app.app_context():
        from dme_service.db import get_session

        assert get_session().scalar(select(func.count()).select_from(Case)) == 0
