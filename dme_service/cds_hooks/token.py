"""The EHR's JWT on a CDS Hooks call (CDS Hooks 2.0 "Trusting CDS Clients"), checked with PyJWT.

Accepted only when: signed RS384 or ES384 with the key of its `kid` from the configured JWKS;
`iss` is one of the configured issuers; `aud` is the URL of the endpoint called; `exp` has not
passed and is at most 5 minutes ahead; `iat` and `jti` are present. Whether the `jti` was seen
before is the caller's (the database's) question. Refusals carry a reason for the log, never
the token or anything from the request body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jwt

ALGORITHMS = ("RS384", "ES384")
MAX_LIFETIME_SECONDS = 300  # CDS Hooks: "exp ... SHOULD be no more than 5 minutes"
LEEWAY_SECONDS = 10  # clock skew between the EHR and us
MAX_JTI_LENGTH = 255
JWKS_CACHE_SECONDS = 300


class TokenRefused(Exception):
    """The token is missing or not acceptable; `str()` says why (no token content)."""


@dataclass(frozen=True, slots=True)
class Claims:
    issuer: str
    jti: str
    expires_at: datetime


class KeySet:
    """Signing keys by `kid`: from a JWKS file (read once) or URL (fetched, cached 5 min)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._client = None
        self._keys: dict[str, jwt.PyJWK] | None = None
        if source.startswith(("https://", "http://")):
            self._client = jwt.PyJWKClient(source, lifespan=JWKS_CACHE_SECONDS, timeout=5)
        else:
            self._keys = keys_from_file(source)

    def key_for(self, kid: str) -> jwt.PyJWK | None:
        if self._keys is not None:
            return self._keys.get(kid)
        try:
            return self._client.get_signing_key(kid)
        except jwt.PyJWKClientError:
            return None


def keys_from_file(path: str) -> dict[str, jwt.PyJWK]:
    """The keys of a JWKS file by `kid`; ValueError when it is not a usable JWKS."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read a JWKS from {path}: {error}") from None
    return keys_from_dict(data)


def keys_from_dict(data: object) -> dict[str, jwt.PyJWK]:
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError('a JWKS is a JSON object with a "keys" list')
    keys = {}
    for item in data["keys"]:
        if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
            raise ValueError('every key of the JWKS needs a "kid"')
        try:
            keys[item["kid"]] = jwt.PyJWK(item)
        except jwt.PyJWTError as error:
            raise ValueError(f"key {item['kid']!r}: {error}") from None
    if not keys:
        raise ValueError("the JWKS has no keys")
    return keys


def bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer ...` header, or TokenRefused."""
    if not header or not header.startswith("Bearer ") or not header[7:].strip():
        raise TokenRefused("no bearer token")
    return header[7:].strip()


def verify(
    token: str, *, keys: KeySet, issuers: list[str], audience: str, now: datetime | None = None
) -> Claims:
    """The token's claims when every check passes, else TokenRefused."""
    moment = now or datetime.now(UTC)
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenRefused("not a JWT") from None
    algorithm, kid, issuer = header.get("alg"), header.get("kid"), unverified.get("iss")
    if algorithm not in ALGORITHMS:
        raise TokenRefused("algorithm not RS384 or ES384")
    if not isinstance(issuer, str) or issuer not in issuers:
        raise TokenRefused("issuer not trusted")
    key = keys.key_for(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenRefused("no key with this kid")
    try:
        claims = jwt.decode(
            token,
            key=key.key,  # the raw key: a PyJWK would impose its own default algorithm
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.InvalidAudienceError:
        raise TokenRefused("audience is not this endpoint") from None
    except jwt.ExpiredSignatureError:
        raise TokenRefused("expired") from None
    except jwt.PyJWTError as error:
        raise TokenRefused(f"invalid: {type(error).__name__}") from None
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    if (expires - moment).total_seconds() > MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise TokenRefused("expires more than 5 minutes ahead")
    jti = claims["jti"]
    if not isinstance(jti, str) or not 1 <= len(jti) <= MAX_JTI_LENGTH:
        raise TokenRefused("jti is not a string of 1 to 255 characters")
    return Claims(issuer=issuer, jti=jti, expires_at=expires)
