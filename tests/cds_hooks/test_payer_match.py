"""Which pack a Coverage points to (fhir/payer_match.py)."""

from __future__ import annotations

import pytest

from dme_service.fhir import payer_match

PLAN = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "plan"}]
}
ORGANIZATIONS = {
    "Organization/cms": {
        "resourceType": "Organization",
        "name": "Centers for Medicare & Medicaid Services",
    },
    "Organization/aetna-id": {"resourceType": "Organization", "identifier": [{"value": "60054"}]},
    "Organization/ibx-id": {"resourceType": "Organization", "identifier": [{"value": "54704"}]},
    "Organization/ibx-ma": {
        "resourceType": "Organization",
        "name": "Independence Blue Cross Medicare Advantage",
    },
    "Organization/ours": {
        "resourceType": "Organization",
        "identifier": [{"system": "urn:dme-service:payer", "value": "premera"}],
    },
    "Patient/p": {"resourceType": "Patient"},
}


def resolve(reference):
    return ORGANIZATIONS.get(reference.get("reference"))


def coverage(**fields):
    return {"resourceType": "Coverage", "status": "active", **fields}


@pytest.mark.parametrize(
    ("fields", "payer"),
    [
        (
            {
                "class": [{"type": PLAN, "value": "anthem"}],
                "payor": [{"reference": "Organization/cms"}],
            },
            "anthem",
        ),
        (
            {
                "class": [{"type": PLAN, "value": "Medicare Part D"}],
                "payor": [{"reference": "Organization/cms"}],
            },
            "medicare",
        ),
        ({"payor": [{"reference": "Organization/aetna-id"}]}, "aetna"),
        ({"payor": [{"reference": "Organization/ibx-id"}]}, None),  # two IBX payers share it
        ({"payor": [{"reference": "Organization/ibx-ma"}]}, "ibx_ma"),
        ({"payor": [{"reference": "Organization/ours"}]}, "premera"),
        ({"payor": [{"display": "UnitedHealthcare"}]}, "uhc_commercial"),
        ({"payor": [{"reference": "Patient/p"}]}, "self_pay"),
        ({"payor": [{"display": "Payer XYZ"}]}, None),
        ({"payor": [{"display": "Blue Cross Medicare"}]}, None),  # never a part of a name
    ],
)
def test_the_payer_of_a_coverage(fields, payer):
    assert payer_match.payer_of(coverage(**fields), resolve) == payer
