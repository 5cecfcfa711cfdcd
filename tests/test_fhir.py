"""The FHIR R4 export: a validated Bundle whose resources carry the case's facts."""

from __future__ import annotations

import base64
import hashlib

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from rules.test_properties import TODAY, valid_cases  # the engine's strategy for cases
from sample_case import NOW, a_case

from dme_service import fhir
from dme_service.case.parse import parse
from dme_service.rules.engine import evaluate

PDF = b"%PDF-1.7 a letter"


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def one(bundle: dict, kind: str) -> dict:
    (found,) = resources(bundle, kind)
    return found


def export(case=None, **options) -> dict:
    case = case or a_case()
    options.setdefault("now", NOW)
    return fhir.bundle_json(case, evaluate(case), **options)


def test_the_bundle_validates_with_the_r4b_models():
    exported = export(letter=fhir.Letter(PDF, NOW), signed_at=NOW)
    Bundle.model_validate(exported)  # raises on any invalid element
    kinds = [e["resource"]["resourceType"] for e in exported["entry"]]
    assert kinds == [
        "Patient",
        "Organization",
        "Coverage",
        "Condition",
        "Practitioner",
        "DeviceRequest",
        "DocumentReference",
    ]


def test_every_reference_points_at_an_entry_of_the_bundle():
    exported = export(case=a_case(diagnoses=["M50.122", "M54.2"]), letter=fhir.Letter(PDF, NOW))
    urls = {e["fullUrl"] for e in exported["entry"]}
    references = []

    def walk(value):
        if isinstance(value, dict):
            if "reference" in value:
                references.append(value["reference"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(exported["entry"])
    assert references and set(references) <= urls


def test_device_request_carries_code_quantity_timing_and_force():
    request = one(export(case=a_case(**{"request.force_lb": 12.5})), "DeviceRequest")
    assert request["codeCodeableConcept"]["coding"][0]["code"] == "E0860"
    assert request["codeCodeableConcept"]["coding"][0]["system"] == fhir.HCPCS
    parameters = {p["code"]["coding"][0]["code"]: p["valueQuantity"] for p in request["parameter"]}
    assert parameters["quantity"]["value"] == 1
    assert parameters["traction-force"] == {
        "value": 12.5,
        "unit": "lb",
        "system": fhir.UCUM,
        "code": "[lb_av]",
    }
    repeat = request["occurrenceTiming"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "d")
    assert (repeat["duration"], repeat["durationUnit"]) == (15, "min")
    assert request["occurrenceTiming"]["code"]["text"] == "15 minutes, twice daily"


def test_device_request_gives_its_reasons_as_the_conditions():
    exported = export(case=a_case(diagnoses=["M50.122", "M54.2"]))
    conditions = {
        e["fullUrl"]: e["resource"]["code"]["coding"][0]["code"]
        for e in exported["entry"]
        if e["resource"]["resourceType"] == "Condition"
    }
    reasons = [r["reference"] for r in one(exported, "DeviceRequest")["reasonReference"]]
    assert [conditions[r] for r in reasons] == ["M50.122", "M54.2"]
    assert all(
        c["code"]["coding"][0]["system"] == fhir.ICD10CM for c in resources(exported, "Condition")
    )


def test_supporting_info_points_at_the_letter_with_its_sha256():
    exported = export(letter=fhir.Letter(PDF, NOW, url="/api/v1/cases/7/documents/lmn"))
    letter_url = next(
        e["fullUrl"]
        for e in exported["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    )
    request = one(exported, "DeviceRequest")
    assert [s["reference"] for s in request["supportingInfo"]] == [letter_url]
    document = one(exported, "DocumentReference")
    digest = hashlib.sha256(PDF).digest()
    expected = "ni:///sha-256;" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert document["identifier"] == [{"system": fhir.NI_SHA256, "value": expected}]
    assert hashlib.sha256(PDF).hexdigest() in document["description"]
    attachment = document["content"][0]["attachment"]
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(PDF).digest()).decode()
    assert attachment["size"] == len(PDF)
    assert attachment["url"] == "/api/v1/cases/7/documents/lmn"


def test_without_a_letter_there_is_no_document_reference_and_no_supporting_info():
    exported = export()
    assert resources(exported, "DocumentReference") == []
    assert "supportingInfo" not in one(exported, "DeviceRequest")


@pytest.mark.parametrize(("signed_at", "status"), [(None, "draft"), (NOW, "active")])
def test_the_order_is_active_only_once_signed(signed_at, status):
    request = one(export(signed_at=signed_at), "DeviceRequest")
    assert request["status"] == status
    assert ("authoredOn" in request) is (signed_at is not None)


def test_practitioner_has_npi_and_credential():
    practitioner = one(export(), "Practitioner")
    assert practitioner["identifier"] == [{"system": fhir.NPI, "value": "1234567893"}]
    assert practitioner["qualification"][0]["code"]["text"] == "MD"


def test_medicare_member_id_is_an_mbi_and_the_payer_is_an_organization():
    exported = export()
    assert one(exported, "Patient")["identifier"][0]["system"] == fhir.MBI
    assert one(exported, "Organization")["name"] == "Medicare"
    coverage = one(exported, "Coverage")
    assert coverage["subscriberId"] == "1EG4TE5MK73"


def test_self_pay_coverage_is_paid_by_the_patient():
    exported = export(case=a_case(payer="self_pay"))
    assert resources(exported, "Organization") == []
    patient_url = exported["entry"][0]["fullUrl"]
    coverage = one(exported, "Coverage")
    assert coverage["payor"] == [{"reference": patient_url}]
    assert coverage["type"]["coding"][0]["code"] == "pay"


def test_the_same_case_exports_the_same_ids():
    first, second = export(key="case-7"), export(key="case-7")
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first["entry"][0]["fullUrl"] != export(key="case-8")["entry"][0]["fullUrl"]


def test_hostile_text_stays_plain_data():
    name = '<link rel="attachment" href="file:///etc/passwd"> {{7*7}}'
    patient = one(export(case=a_case(**{"patient.name": name})), "Patient")
    assert patient["name"] == [{"text": name}]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_any_valid_case_exports_a_bundle_that_validates(doc):
    case = parse(doc, today=TODAY)
    exported = export(case=case, letter=fhir.Letter(PDF, NOW))
    Bundle.model_validate(exported)
    conditions = resources(exported, "Condition")
    assert [c["code"]["coding"][0]["code"] for c in conditions] == list(case.diagnoses)
    request = one(exported, "DeviceRequest")
    assert request["codeCodeableConcept"]["coding"][0]["code"] == case.request.hcpcs
