"""`DME_CDS_HOOKS_ISSUERS` and `DME_CDS_HOOKS_JWKS`, checked when the app starts.

Both or neither: without them the hooks answer 401 to every call (discovery still works). A
JWKS file must parse and every key carry a `kid`; a URL must be https in production (the keys
decide who may call). Problems raise ValueError naming the setting, which config.py turns into
its ConfigError.
"""

from __future__ import annotations

from dme_service.cds_hooks.token import keys_from_file


def problems(issuers: list[str], jwks: str, production: bool) -> list[str]:
    """What is wrong with the two settings (empty: usable, or both unset)."""
    if not issuers and not jwks:
        return []
    if not issuers:
        return ["DME_CDS_HOOKS_JWKS is set but DME_CDS_HOOKS_ISSUERS is not (whose keys?)"]
    if not jwks:
        return ["DME_CDS_HOOKS_ISSUERS is set but DME_CDS_HOOKS_JWKS is not (no keys to check)"]
    found = [
        f"DME_CDS_HOOKS_ISSUERS: {issuer!r} has spaces or control characters"
        for issuer in issuers
        if any(ch.isspace() or ord(ch) < 32 for ch in issuer)
    ]
    if jwks.startswith("http://") and production:
        found.append("DME_CDS_HOOKS_JWKS must be an https URL in production")
    elif not jwks.startswith(("https://", "http://")):
        try:
            keys_from_file(jwks)
        except ValueError as error:
            found.append(f"DME_CDS_HOOKS_JWKS: {error}")
    return found
