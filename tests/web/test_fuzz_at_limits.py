"""Fuzz at the size limits (issue 20, security.md IN-3/IN-2): the JSON API and the case forms
with documents at, just past and far past every bound of docs/case-format.md's parser
(case/limits.py) and bodies near MAX_CONTENT_LENGTH. Never a 5xx.

Bounded (a few hundred examples in all) and marked slow. Request times are measured, not
asserted: run with DME_TEST_REQUEST_TIMES=FILE to get one line per request (tests/conftest.py).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_case import case_doc

from dme_service.case import limits
from web.api_helpers import bearer, token_for

pytestmark = pytest.mark.slow

CODES = ["M50.120", "M50.121", "M50.122", "M50.123", "M54.12", "M54.2", "M47.812", "M50.20"]
CODES += ["M50.30", "G54.2", "M54.13", "M48.02", "M47.22", "M50.10", "XX", "M50.12", 7, None]
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def around(limit: int) -> st.SearchStrategy[int]:
    """Sizes at a bound, one past it, far past it, and small."""
    return st.sampled_from([0, 1, limit - 1, limit, limit + 1, limit * 10, limit * 500])


@st.composite
def texts(draw, limit: int) -> str:
    size = draw(around(limit))
    char = draw(st.sampled_from(["a", "é", "😀", "\x00", "\t", "\u202e", "=", " "]))
    return char * min(size, 400_000)


@st.composite
def documents(draw) -> dict:
    doc = case_doc()
    doc["diagnoses"] = [draw(st.sampled_from(CODES)) for _ in range(min(draw(around(12)), 5_000))]
    trial = doc["trials"][0]
    doc["trials"] = [trial] * min(draw(around(limits.MAX_TRIALS)), 2_000)
    prior = {"hcpcs": "E0860", "date": "2020-01-01"}
    doc["prior_devices"] = [prior] * min(draw(around(limits.MAX_PRIOR_DEVICES)), 2_000)
    doc["patient"]["name"] = draw(texts(limits.MAX_NAME))
    doc["patient"]["member_id"] = draw(texts(limits.MAX_MEMBER_ID))
    doc["request"]["frequency_text"] = draw(texts(limits.MAX_FREQUENCY_TEXT))
    doc["payer"] = draw(st.sampled_from(["medicare", "aetna", "ibx_ma", "x" * 1000]))
    return doc


@pytest.fixture
def headers(db_session, make_user):
    return bearer(token_for(db_session, make_user("clinician", credential="PT")))


@settings(SETTINGS, max_examples=150)
@given(doc=documents(), path=st.sampled_from(["/api/v1/evaluate", "/api/v1/cases"]))
def test_api_documents_at_the_limits_never_5xx(client, headers, doc, path):
    body = json.dumps(doc).encode()
    response = client.post(
        path,
        data=body,
        headers={**headers, "Content-Type": "application/json", "Idempotency-Key": str(id(doc))},
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if len(body) >= 1024 * 1024:
        assert response.status_code == 413
    assert len(response.get_data()) < 50_000  # errors stop at 50 (L5)


@pytest.fixture
def clinician_client(app, make_user, sign_in):
    user = make_user("clinician", credential="PT")
    client = app.test_client()
    assert sign_in(client, user).status_code == 303
    created = client.post(
        "/cases/new",
        data={
            "name": "Jane Q. Doe",
            "date_of_birth": "1958-03-14",
            "member_id": "1EG4TE5MK73",
            "payer": "medicare",
            "idempotency_key": "11111111-1111-4111-8111-111111111111",
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)[:500]
    case_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    return client, case_id


@st.composite
def section_posts(draw) -> tuple[str, dict]:
    section = draw(st.sampled_from(["diagnoses", "trials", "patient", "order", "prescription"]))
    count = min(draw(around(12)), 8_000)
    text = draw(texts(200))
    if section == "diagnoses":
        data = {f"dx-codes-{i}": str(draw(st.sampled_from(CODES))) for i in range(count)}
    elif section == "trials":
        data = {f"trials-rows-{i}-date": "2026-10-02" for i in range(count)}
        data |= {f"trials-rows-{i}-device": "E0860" for i in range(count)}
    elif section == "patient":
        data = {"patient-name": text, "patient-member_id": text, "patient-payer": "medicare"}
    elif section == "order":
        data = {f"order-prior-{i}-hcpcs": "E0860" for i in range(count)}
        data |= {f"order-prior-{i}-date": "2020-01-01" for i in range(count)}
    else:
        data = {"request-frequency_text": text, "request-hcpcs": "E0860"}
    return section, data


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(post=section_posts())
def test_case_forms_at_the_limits_never_5xx(clinician_client, post):
    client, case_id = clinician_client
    section, data = post
    prefix = {"prescription": "request", "diagnoses": "dx"}.get(section, section)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    version = page.split('name="patient-version" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        f"/cases/{case_id}/sections/{section}", data={f"{prefix}-version": version, **data}
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
