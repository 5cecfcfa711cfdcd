"""CDS Hooks over HTTP: discovery, the EHR's JWT, replays of the kit and RI requests, errors.

Keys are made on the fly (RSA for RS384, P-384 for ES384) and published in a JWKS file the app
reads from DME_CDS_HOOKS_JWKS.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cds_hooks import kit_checks
from cds_hooks.conftest import SERVICE_OF_HOOK, fixture_names, load
from conftest import TEST_SECRET_KEY
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dme_service.cds_hooks import prefill

ISSUER = "https://ehr.example.org"
SIGN = "/cds-services/dme-traction-order-sign"
SELECT = "/cds-services/dme-traction-order-select"


@pytest.fixture(scope="module")
def keys():
    """kid -> (private key, algorithm): one RSA and one P-384 key, plus a stranger's key."""
    return {
        "rsa-1": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS384"),
        "ec-1": (ec.generate_private_key(ec.SECP384R1()), "ES384"),
        "stranger": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS384"),
    }


@pytest.fixture
def hooks_app(app, keys, tmp_path):
    """The app trusting ISSUER with the public keys of rsa-1 and ec-1 (not the stranger's)."""
    public = []
    for kid in ("rsa-1", "ec-1"):
        private, algorithm = keys[kid]
        jwk = json.loads(
            jwt.algorithms.get_default_algorithms()[algorithm].to_jwk(private.public_key())
        )
        public.append({**jwk, "kid": kid, "alg": algorithm, "use": "sig"})
    path = tmp_path / "ehr-jwks.json"
    path.write_text(json.dumps({"keys": public}))
    app.config.update(CDS_HOOKS_ISSUERS=[ISSUER], CDS_HOOKS_JWKS=str(path))
    return app


@pytest.fixture
def ehr(hooks_app):
    return hooks_app.test_client()


def token(keys, path=SIGN, *, kid="rsa-1", signer=None, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "sub": "ehr-client",
        "aud": f"http://localhost{path}",
        "iat": now,
        "exp": now + 240,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    private, algorithm = keys[signer or kid]
    return jwt.encode(body, private, algorithm=algorithm, headers={"kid": kid})


def call(client, keys, request, path=None, **claims):
    path = path or f"/cds-services/{SERVICE_OF_HOOK[request['hook']]}"
    headers = {"Authorization": f"Bearer {token(keys, path, **claims)}"}
    return client.post(path, json=request, headers=headers)


def test_discovery_lists_both_order_hooks_without_a_token(client):
    response = client.get("/cds-services")
    assert response.status_code == 200
    services = {s["id"]: s for s in response.get_json()["services"]}
    assert {i: s["hook"] for i, s in services.items()} == {
        "dme-traction-order-select": "order-select",
        "dme-traction-order-sign": "order-sign",
    }
    prefetch = services["dme-traction-order-sign"]["prefetch"]
    assert set(prefetch) == {"patient", "coverage", "conditions"}
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", fixture_names())
def test_replayed_requests_get_cards_that_pass_the_kit_checks(ehr, keys, name):
    request = load(name)
    response = call(ehr, keys, request)
    assert response.status_code == 200
    body = response.get_json()
    assert kit_checks.response_errors(body, request) == []
    assert "coverage-assertion-id" not in response.get_data(as_text=True)
    for card in body["cards"]:
        assert all(link["url"].startswith(("http://", "https://")) for link in card["links"])


def test_es384_tokens_are_accepted_too(ehr, keys):
    response = call(ehr, keys, load("kit_order_sign_e0860.json"), kid="ec-1")
    assert response.status_code == 200
    assert len(response.get_json()["cards"]) == 1


def test_the_app_link_opens_a_new_case_with_the_hook_facts_sealed(ehr, keys):
    body = call(ehr, keys, load("kit_order_sign_e0860.json")).get_json()
    url = body["cards"][0]["links"][-1]["url"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "localhost", "/cases/new")
    assert "Baxter" not in url and "1987" not in url  # no readable patient data in the URL
    sealed = parse_qs(parts.query)["ehr"][0]
    assert prefill.unseal(sealed, TEST_SECRET_KEY)["patient"]["name"] == "Amy V. Baxter"


@pytest.mark.parametrize(
    "claims",
    [
        {"signer": "stranger"},  # signed with a key the EHR never published under this kid
        {"kid": "unknown-kid", "signer": "rsa-1"},
        {"aud": "http://localhost/cds-services/dme-traction-order-select"},
        {"aud": "https://elsewhere.example/cds-services/dme-traction-order-sign"},
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 400},
        {"exp": int(time.time()) + 3600},  # more than 5 minutes ahead
        {"iss": "https://other-ehr.example"},
        {"jti": None},
    ],
    ids=[
        "wrong-key",
        "unknown-kid",
        "other-service",
        "other-host",
        "expired",
        "too-long",
        "untrusted-issuer",
        "no-jti",
    ],
)
def test_bad_tokens_are_401(ehr, keys, claims):
    if claims.get("jti", "") is None:
        claims = {"jti": ""}
    response = call(ehr, keys, load("kit_order_sign_e0860.json"), **claims)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_missing_token_is_401(ehr):
    response = ehr.post(SIGN, json=load("kit_order_sign_e0860.json"))
    assert response.status_code == 401
    assert ehr.post(SIGN, json={}, headers={"Authorization": "Bearer "}).status_code == 401
    assert ehr.post(SIGN, json={}, headers={"Authorization": "Basic abc"}).status_code == 401


def test_an_hs256_token_signed_with_the_public_key_is_401(ehr, keys, hooks_app):
    # Algorithm confusion: only RS384 and ES384 are ever accepted.
    forged = jwt.encode(
        {
            "iss": ISSUER,
            "aud": f"http://localhost{SIGN}",
            "exp": int(time.time()) + 60,
            "iat": int(time.time()),
            "jti": "x",
        },
        "secret-of-thirty-two-bytes-or-more!!",
        algorithm="HS256",
        headers={"kid": "rsa-1"},
    )
    response = ehr.post(SIGN, json={}, headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_replayed_jti_is_401_even_from_another_worker(ehr, keys, hooks_app):
    request = load("kit_order_sign_e0860.json")
    headers = {"Authorization": f"Bearer {token(keys)}"}
    assert ehr.post(SIGN, json=request, headers=headers).status_code == 200
    other_worker = hooks_app.test_client()  # the jti is in the database, not in memory
    assert other_worker.post(SIGN, json=request, headers=headers).status_code == 401


def test_without_configuration_every_hook_call_is_401(client, keys):
    response = call(client, keys, load("kit_order_sign_e0860.json"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"hook": "order-sign"}',
        b'{"hook": "order-select", "hookInstance": "x", "context": {}}',
    ],
)
def test_a_body_that_is_not_a_hook_request_is_400_json(ehr, keys, data):
    headers = {"Authorization": f"Bearer {token(keys)}", "Content-Type": "application/json"}
    response = ehr.post(SIGN, data=data, headers=headers)
    assert response.status_code == 400
    assert response.is_json
    assert "not a CDS Hooks request" in response.get_json()["error"]["message"]


def test_other_resources_and_unknown_codes_get_an_empty_card_list(ehr, keys):
    request = load("kit_order_sign_e0860.json")
    request["context"]["draftOrders"]["entry"] = request["context"]["draftOrders"]["entry"][1:]
    response = call(ehr, keys, request)
    assert (response.status_code, response.get_json()) == (200, {"cards": []})


def test_an_unknown_service_is_404_json(ehr, keys):
    response = call(ehr, keys, load("kit_order_sign_e0860.json"), path="/cds-services/nope")
    assert response.status_code == 404
    assert response.is_json


def test_no_patient_data_is_logged(ehr, keys, caplog):
    caplog.set_level(logging.DEBUG)
    call(ehr, keys, load("kit_order_select_e0849_e0941.json"))
    call(ehr, keys, load("kit_order_sign_e0860.json"), signer="stranger")
    logged = " ".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in caplog.records
    )
    for fact in ("Baxter", "1987-02-20", "M54.12", "H40.1131", "12345", "SAMPLE_TOKEN"):
        assert fact not in logged


def test_ten_refused_calls_pause_the_address_with_429(ehr, keys):
    request = load("kit_order_sign_e0860.json")
    for _ in range(10):
        assert call(ehr, keys, request, signer="stranger").status_code == 401
    response = call(ehr, keys, request)  # even a good token waits
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_the_app_link_fills_the_new_case_form(ehr, keys, hooks_app, clinician_client):
    body = call(ehr, keys, load("kit_order_select_e0849_e0941.json")).get_json()
    url = urlsplit(body["cards"][0]["links"][-1]["url"])
    client, _ = clinician_client
    page = client.get(f"{url.path}?{url.query}").get_data(as_text=True)
    assert 'value="Amy V. Baxter"' in page
    assert 'value="1987-02-20"' in page
    assert '<option selected value="anthem">' in page or 'value="anthem" selected' in page
    assert "Filled in from the EHR's order for E0849" in page.replace("&#39;", "'")
    assert "M54.12, H40.1131" in page


def test_an_altered_app_link_fills_nothing_and_says_so(clinician_client):
    client, _ = clinician_client
    page = client.get("/cases/new?ehr=gAAAAABnot-a-real-token").get_data(as_text=True)
    assert "has expired or was changed" in page
    assert "Baxter" not in page


def test_keys_can_come_from_the_ehrs_jwks_url(app, keys, monkeypatch):
    private, algorithm = keys["ec-1"]
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    fetched = []

    def fetch(client):
        fetched.append(client.uri)
        return {"keys": [{**jwk, "kid": "ec-1", "alg": algorithm}]}

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", fetch)
    app.config.update(
        CDS_HOOKS_ISSUERS=[ISSUER], CDS_HOOKS_JWKS="https://ehr.example.org/.well-known/jwks.json"
    )
    client = app.test_client()
    assert call(client, keys, load("kit_order_sign_e0860.json"), kid="ec-1").status_code == 200
    assert call(client, keys, load("kit_order_sign_e0860.json"), kid="ec-1").status_code == 200
    assert fetched == ["https://ehr.example.org/.well-known/jwks.json"]  # cached, not refetched


def test_an_ehr_over_its_calls_per_minute_gets_429_without_spending_the_jti(ehr, keys, monkeypatch):
    from dme_service.services import cds_hooks as hook_calls

    monkeypatch.setattr(hook_calls, "CALLS_PER_MINUTE", 2)
    request = load("kit_order_sign_e0860.json")
    assert call(ehr, keys, request).status_code == 200
    assert call(ehr, keys, request).status_code == 200
    busy = {"Authorization": f"Bearer {token(keys)}"}
    response = ehr.post(SIGN, json=request, headers=busy)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "60")
    monkeypatch.setattr(hook_calls, "CALLS_PER_MINUTE", 3)
    assert ehr.post(SIGN, json=request, headers=busy).status_code == 200  # the jti still works


def test_the_draft_made_from_the_app_link_gets_the_orders_facts(
    ehr, keys, hooks_app, clinician_client
):
    from dme_service.db import get_session
    from dme_service.models import Case
    from dme_service.store.cases import to_document

    body = call(ehr, keys, load("kit_order_select_e0849_e0941.json")).get_json()
    url = urlsplit(body["cards"][0]["links"][-1]["url"])
    client, _ = clinician_client
    page = client.get(f"{url.path}?{url.query}").get_data(as_text=True)
    token = parse_qs(url.query)["ehr"][0]
    assert f'name="ehr" type="hidden" value="{token}"' in page
    form = {
        "name": "Amy V. Baxter",
        "date_of_birth": "1987-02-20",
        "payer": "anthem",
        "member_id": "W123456789",
        "idempotency_key": "ehr-link-1",
        "ehr": token,
    }
    response = client.post("/cases/new", data=form)
    assert response.status_code == 303
    again = client.post("/cases/new", data=form)  # a double click: the same case, unchanged
    assert again.headers["Location"] == response.headers["Location"]
    with hooks_app.app_context():
        (case,) = get_session().query(Case).all()
        document = to_document(case)
        assert document["diagnoses"] == ["M54.12", "H40.1131"]
        assert document["request"]["hcpcs"] == "E0849"
        assert case.version == 2
