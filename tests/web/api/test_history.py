"""The API's case view carries the recorded history for the clinical team only (AC-3)."""

from __future__ import annotations

from datetime import date

import pytest
from sample_case import case_doc

from dme_service.models import Case, CaseHistory
from web.api.test_views import api_user_for
from web.api_helpers import bearer, token_for


@pytest.fixture
def team(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    return bearer(token_for(db_session, clinician)), clinician, practitioner


@pytest.fixture
def case_id(client, team, db_session):
    doc = case_doc(**{"treating_practitioner.npi": team[2].npi})
    created = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()["id"]
    case = db_session.get(Case, created)
    case.history = CaseHistory(
        physical_therapy_weeks=6,
        physical_therapy_traction="without",
        physical_therapy_result="Zebulon's arm pain unchanged",
        imaging_kind="mri",
        imaging_date=date(2026, 9, 14),
        psfs_average=3.0,
    )
    db_session.commit()
    return created


def test_the_clinician_reads_the_history_as_recorded(client, team, case_id):
    body = client.get(f"/api/v1/cases/{case_id}", headers=team[0]).get_json()
    assert body["history"] == {
        "physical_therapy_weeks": 6,
        "physical_therapy_traction": "without",
        "physical_therapy_result": "Zebulon's arm pain unchanged",
        "imaging_kind": "mri",
        "imaging_date": "2026-09-14",
        "psfs_average": 3,
    }
    assert "history" not in body["case"]  # beside the dme-case/1 document, never inside it


def test_the_practitioner_reads_it_too(client, team, case_id, db_session):
    headers = bearer(token_for(db_session, team[2]))
    body = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert body["history"]["physical_therapy_weeks"] == 6


def test_billing_never_receives_the_history(client, team, case_id, db_session):
    headers, _ = api_user_for(db_session, team, "billing")
    response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200
    assert "history" not in response.get_json()
    assert "Zebulon" not in response.get_data(as_text=True)


def test_a_case_without_history_shows_an_empty_history(client, team, db_session):
    doc = case_doc(**{"treating_practitioner.npi": team[2].npi})
    created = client.post("/api/v1/cases", json=doc, headers=team[0]).get_json()
    assert created["history"] == {}
    body = client.get(f"/api/v1/cases/{created['id']}", headers=team[0]).get_json()
    assert body["history"] == {}
