"""`POST /api/v1/cases` with a FHIR R4 Bundle, and `dme-service import-fhir FILE`."""

from __future__ import annotations

import json

import pytest
from sample_case import NOW, a_case

from dme_service import fhir
from dme_service.cli import main
from dme_service.rules.engine import evaluate
from web.api_helpers import bearer, token_for


@pytest.fixture
def team(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    return bearer(token_for(db_session, clinician)), clinician, practitioner


def bundle_for(practitioner, **changes) -> dict:
    case = a_case(**{"treating_practitioner.npi": practitioner.npi, **changes})
    return fhir.bundle_json(case, evaluate(case), now=NOW, key="ehr-1")


def test_a_bundle_makes_a_case_with_trial_and_screening_still_open(client, team):
    headers, _, practitioner = team
    response = client.post(
        "/api/v1/cases",
        data=json.dumps(bundle_for(practitioner)),
        headers={**headers, "Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["case"]["patient"]["name"] == "Jane Q. Doe"
    assert body["case"]["payer"] == "medicare"
    assert body["case"]["diagnoses"] == ["M50.122"]
    assert body["case"]["request"]["hcpcs"] == "E0860"
    assert body["case"]["trials"] == []
    assert body["decision"]["status"] == "incomplete"
    assert "trials" in body["decision"]["missing"]
    assert "screening.myelopathy" in body["decision"]["missing"]


def test_the_case_exported_and_read_back_is_the_same_case(client, team):
    headers, _, practitioner = team
    first = client.post("/api/v1/cases", json=bundle_for(practitioner), headers=headers)
    exported = client.get(f"{first.headers['Location']}/fhir", headers=headers).get_json()
    again = client.post("/api/v1/cases", json=exported, headers=headers)
    assert again.status_code == 201
    assert again.get_json()["case"] == first.get_json()["case"]


def test_a_bad_bundle_is_422_naming_the_fhir_field(client, team):
    headers, _, practitioner = team
    bundle = bundle_for(practitioner)
    bundle["entry"][0]["resource"]["birthDate"] = "not a date"
    response = client.post("/api/v1/cases", json=bundle, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "entry[0].resource.birthDate"


def test_a_practitioner_outside_the_clinic_is_422_on_the_practitioner(client, team, make_user):
    headers, _, _ = team
    stranger = type("P", (), {"npi": "1234567893"})  # a valid NPI nobody in the clinic has
    response = client.post("/api/v1/cases", json=bundle_for(stranger), headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "Practitioner.identifier (NPI)"


@pytest.fixture
def cli_env(monkeypatch, database_url, app):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return app


def test_import_fhir_makes_the_case_and_says_what_is_missing(cli_env, team, tmp_path, capsys):
    _, clinician, practitioner = team
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_for(practitioner)))
    assert main(["import-fhir", str(path), "--user", clinician.email]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "incomplete"
    assert "trials" in result["missing"]
    assert isinstance(result["case_id"], int)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "$:"),
        ('{"resourceType": "Patient"}', "resourceType: must be Bundle"),
        (None, "entry[0].resource.birthDate:"),
    ],
)
def test_import_fhir_bad_input_exits_2_with_field_messages(
    cli_env, team, tmp_path, capsys, content, expected
):
    _, clinician, practitioner = team
    if content is None:
        bundle = bundle_for(practitioner)
        bundle["entry"][0]["resource"]["birthDate"] = "1958-02-30"
        content = json.dumps(bundle)
    path = tmp_path / "bundle.json"
    path.write_text(content)
    assert main(["import-fhir", str(path), "--user", clinician.email]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected)
    assert "Traceback" not in err


def test_import_fhir_refuses_an_unknown_user_and_a_missing_file(cli_env, tmp_path, capsys):
    path = tmp_path / "bundle.json"
    path.write_text("{}")
    assert main(["import-fhir", str(path), "--user", "nobody@x.org"]) == 2
    assert capsys.readouterr().err.startswith("--user:")
    assert main(["import-fhir", str(tmp_path / "none.json"), "--user", "x@y.org"]) == 2
    assert "cannot read" in capsys.readouterr().err
