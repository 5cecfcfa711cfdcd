"""DME_CDS_HOOKS_ISSUERS and DME_CDS_HOOKS_JWKS are checked when the app starts."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dme_service import create_app
from dme_service.cds_hooks.settings import problems
from dme_service.config import ConfigError


@pytest.fixture
def jwks_file(tmp_path):
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    return path


def test_both_unset_is_fine_and_both_set_is_fine(jwks_file):
    assert problems([], "", production=True) == []
    assert problems(["https://ehr.example"], str(jwks_file), production=True) == []
    assert problems(["https://ehr.example"], "https://ehr.example/jwks", production=True) == []


@pytest.mark.parametrize(
    ("issuers", "jwks", "production", "named"),
    [
        (["https://ehr.example"], "", False, "DME_CDS_HOOKS_JWKS is not"),
        ([], "https://ehr.example/jwks", False, "DME_CDS_HOOKS_ISSUERS is not"),
        (["https://ehr.example"], "http://ehr.example/jwks", True, "https URL in production"),
        (["https://ehr.example"], "/nonexistent/jwks.json", False, "cannot read a JWKS"),
        (["bad issuer"], "https://ehr.example/jwks", False, "spaces"),
    ],
)
def test_unusable_settings_are_named(issuers, jwks, production, named):
    assert any(named in problem for problem in problems(issuers, jwks, production))


def test_a_jwks_key_without_kid_is_refused(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-384", "x": "a", "y": "b"}]}))
    assert "kid" in problems(["https://ehr.example"], str(path), False)[0]


def test_the_app_refuses_to_start_with_issuers_but_no_keys(monkeypatch):
    monkeypatch.setenv("DME_CDS_HOOKS_ISSUERS", "https://ehr.example, https://ehr2.example")
    with pytest.raises(ConfigError, match="DME_CDS_HOOKS_JWKS"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_the_app_reads_both_settings(monkeypatch, jwks_file):
    monkeypatch.setenv("DME_CDS_HOOKS_ISSUERS", "https://ehr.example, https://ehr2.example")
    monkeypatch.setenv("DME_CDS_HOOKS_JWKS", str(jwks_file))
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["CDS_HOOKS_ISSUERS"] == ["https://ehr.example", "https://ehr2.example"]
    assert app.config["CDS_HOOKS_JWKS"] == str(jwks_file)
