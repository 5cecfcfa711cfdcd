"""The hook's answer from the adapted kit and reference-implementation requests (pure)."""

from __future__ import annotations

import copy
import json

import pytest

from dme_service import cds_hooks
from dme_service.cds_hooks import advice

from . import kit_checks
from .conftest import SERVICE_OF_HOOK, fixture_names, load

APP = "https://dme.example/cases/new?ehr=sealed"


def answer(request: dict) -> dict:
    return cds_hooks.answer(SERVICE_OF_HOOK[request["hook"]], request, lambda part: APP)


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_gets_cards_that_pass_the_kit_checks(name):
    request = load(name)
    body = answer(request)
    assert kit_checks.response_errors(body, request) == []
    assert "coverage-assertion-id" not in json.dumps(body)
    assert "ext-coverage-information" not in json.dumps(body)


def test_order_sign_e0860_under_medicare_says_the_trial_is_missing():
    (card,) = answer(load("kit_order_sign_e0860.json"))["cards"]  # the MedicationRequest: none
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Medicare may cover E0860")
    assert "supervised trial" in card["summary"]
    assert "**Still missing:**" in card["detail"]
    assert "met: musculoskeletal or neurologic impairment" in card["detail"]
    assert "M50.122" in card["detail"]
    assert "not a coverage determination" in card["detail"]
    assert "suggestions" not in card
    policy, app = card["links"]
    assert policy["url"].startswith("https://www.cms.gov/medicare-coverage-database/")
    assert app == {"label": "Open a new case in dme_service", "url": APP, "type": "absolute"}
    assert kit_checks.is_external_reference(card)


def test_order_select_anthem_suggests_e0860_and_warns_about_inversion():
    request = load("kit_order_select_e0849_e0941.json")
    e0849, e0941 = answer(request)["cards"]
    assert e0849["indicator"] == "warning"
    assert e0849["summary"] == "Anthem does not cover E0849 at home; over-door E0860 is covered"
    (suggestion,) = e0849["suggestions"]
    (action,) = suggestion["actions"]
    assert action["type"] == "update"
    assert action["resource"]["id"] == "traction-e0849"
    coding = action["resource"]["codeCodeableConcept"]["coding"][0]
    assert (coding["system"], coding["code"]) == (
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "E0860",
    )
    assert e0941["indicator"] == "critical"
    assert "glaucoma" in e0941["detail"]  # the condition calls for the inversion warning
    assert "inversion table" in e0941["detail"]
    assert "glaucoma" in e0849["detail"]


def test_order_select_reads_only_the_selected_orders():
    request = load("kit_order_select_e0849_e0941.json")
    request["context"]["selections"] = ["DeviceRequest/traction-e0941"]
    (card,) = answer(request)["cards"]
    assert "E0941" in card["summary"]


def test_reference_implementation_payor_name_finds_medicare():
    (card,) = answer(load("ri_full_prefetch_with_coverage_e0860.json"))["cards"]
    assert card["summary"].startswith("Medicare may cover E0860")
    assert "no diagnosis came with the order" in card["detail"]


def test_an_unknown_payer_still_gets_advice_and_e0941_is_never_covered():
    (card,) = answer(load("ri_no_prefetch_e0941.json"))["cards"]
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("No payer covers E0941")
    assert len(card["summary"]) < 140
    (sign,) = answer(load("ri_hydrated_prefetch_e0860.json"))["cards"]
    assert "payer not recognised" in sign["summary"]
    assert [link["label"] for link in sign["links"]] == ["Open a new case in dme_service"]


def test_an_invalid_device_request_gets_no_card():
    assert answer(load("ri_hydrated_invalid_device_request.json")) == {"cards": []}


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["context"]["draftOrders"].update(entry="not a list"),
        lambda r: r["context"].update(draftOrders=["not", "a", "bundle"]),
        lambda r: r["context"].pop("draftOrders"),
        lambda r: r["context"]["draftOrders"]["entry"][0]["resource"]["codeCodeableConcept"][
            "coding"
        ][0].update(code="E0424"),
        lambda r: r["context"]["draftOrders"]["entry"][0]["resource"]["codeCodeableConcept"][
            "coding"
        ][0].update(system="http://example.org/local-codes"),
        lambda r: (
            r["context"]["draftOrders"]["entry"].insert(0, {"resource": {"resourceType": {}}})
            or r["context"]["draftOrders"]["entry"].pop(1)
        ),
    ],
    ids=[
        "entry-not-list",
        "bundle-not-object",
        "no-draft-orders",
        "oxygen",
        "local-system",
        "resource-type-object",
    ],
)
def test_malformed_bundles_and_other_codes_give_an_empty_card_list(change):
    request = load("kit_order_sign_e0860.json")
    change(request)
    assert answer(request) == {"cards": []}


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"hookInstance": "x", "context": {}},
        {"hook": "order-sign", "context": {}},
        {"hook": "order-sign", "hookInstance": "x", "context": "no"},
        {"hook": "order-select", "hookInstance": "x", "context": {}},  # the other service's hook
        {"hook": "order-sign", "hookInstance": "x", "context": {}, "prefetch": []},
    ],
)
def test_a_body_that_is_not_a_hook_request_is_refused(body):
    with pytest.raises(cds_hooks.NotAHookRequest):
        cds_hooks.answer("dme-traction-order-sign", body, lambda part: APP)


def test_the_app_link_gets_what_the_hook_carried():
    seen = []
    cds_hooks.answer(
        "dme-traction-order-sign",
        load("kit_order_sign_e0860.json"),
        lambda part: seen.append(part) or APP,
    )
    assert seen == [
        {
            "format": "dme-case/1",
            "payer": "medicare",
            "patient": {"name": "Amy V. Baxter", "date_of_birth": "1987-02-20"},
            "diagnoses": ["M50.122"],
            "onset_date": "2026-09-01",
            "request": {"hcpcs": "E0860"},
        }
    ]


def test_a_payer_coverage_extension_on_the_order_is_not_echoed_back():
    request = load("kit_order_select_e0849_e0941.json")
    order = request["context"]["draftOrders"]["entry"][0]["resource"]
    order["extension"] = [
        {
            "url": "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information",
            "extension": [
                {"url": "covered", "valueCode": "covered"},
                {"url": "coverage-assertion-id", "valueString": "payer-123"},
                {"url": "date", "valueDate": "2026-11-30"},
            ],
        }
    ]
    body = answer(request)
    assert "coverage-assertion-id" not in json.dumps(body)


@pytest.mark.parametrize(
    ("payer", "hcpcs", "covered", "alternative"),
    [
        ("medicare", "E0860", True, None),
        ("medicare", "E0849", True, None),
        ("medicare", "E0941", False, "E0860"),
        ("medicare", "E0856", False, "E0860"),
        ("anthem", "E0849", False, "E0860"),
        ("uhc_commercial", "E0860", False, None),
        ("uhc_commercial", "E0849", False, None),
        ("self_pay", "E0941", False, "E0860"),
    ],
)
def test_advice_follows_the_policy_packs(payer, hcpcs, covered, alternative):
    found = advice.advise(hcpcs, payer, ["M50.122"], None)
    assert (found.covered, found.alternative) == (covered, alternative)


def test_the_force_on_the_order_decides_the_force_criterion():
    over = advice.advise("E0849", "medicare", ["M50.122"], 25)
    under = advice.advise("E0849", "medicare", ["M50.122"], 15)
    assert [line.state for line in over.one_of][-1] == advice.MET
    assert [line.state for line in under.one_of][-1] == advice.NOT_MET


def test_a_low_back_diagnosis_alone_does_not_meet_criterion_1():
    found = advice.advise("E0860", "medicare", ["M54.50"], None)
    assert found.unmet
    request = load("kit_order_sign_e0860.json")
    conditions = copy.deepcopy(request["prefetch"]["conditions"])
    conditions["entry"][0]["resource"]["code"]["coding"][0]["code"] = "M54.50"
    request["prefetch"]["conditions"] = conditions
    (card,) = answer(request)["cards"]
    assert card["indicator"] == "warning"
    assert "not met" in card["summary"]
