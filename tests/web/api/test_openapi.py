"""The OpenAPI document matches the API's routes, and schemathesis finds no response that
contradicts it (security.md IN-4): no 5xx, every status, content type, header and body as
documented, schema-invalid input refused, auth enforced."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sample_case import store_case
from schemathesis.generation.meta import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from dme_service.services import documents
from dme_service.web.api import openapi
from web.api_helpers import bearer, token_for

FLASK_METHODS = {"HEAD", "OPTIONS"}


def documented_routes(document: dict) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes |= {(path, method) for method in rule.methods - FLASK_METHODS}
    return routes


def test_the_document_describes_exactly_the_api_routes(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert documented_routes(document) == api_routes(app)


def test_the_document_is_public_and_every_operation_needs_a_token(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["security"] == [{"bearerAuth": []}]
    public = [
        path
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if operation.get("security") == []
    ]
    assert public == ["/api/v1/openapi.json"]


@pytest.fixture
def api_headers(db_session, make_user):
    """A clinician's bearer token; the clinic has a practitioner and one decided case."""
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    case = store_case(db_session, clinician, practitioner)
    documents.render_document(db_session, clinician, case.id, "swo", render=_stored_pdf)
    return bearer(token_for(db_session, clinician))


def _stored_pdf(kind, case, decision, **options):
    return type("Rendered", (), {"pdf": b"%PDF-1.7 a stored order"})()


# The document is data (web/api/schema.py), so the schema loads at import; each example runs
# against this test's app, a fresh database with one clinic, its users and a decided case.
schema = schemathesis.openapi.from_dict(openapi.document())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_response_contradicts_the_document(case, app, api_headers):
    # positive_data_acceptance is left out: JSON Schema cannot say "a billable ICD-10-CM code",
    # "an NPI with a valid check digit" or "not after today", so a document valid by the schema
    # can still be refused; it then gets the documented 422 naming the field.
    case.operation.schema.app = app  # this test's app (and database) answers, probes included
    # A case made negative in its headers (Authorization dropped or garbled) goes as generated:
    # adding the token over it sent an authorised request that schemathesis still counted as
    # invalid, and a 200 to it read as "schema-violating request accepted".
    negative_headers = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    headers = None if negative_headers else api_headers
    case.call_and_validate(app=app, headers=headers, excluded_checks=[positive_data_acceptance])


def test_the_served_document_is_the_one_tested(client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi.document()
