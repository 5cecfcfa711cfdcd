"""The Bundle's entry ids: `urn:uuid:` ids derived from a stable key, so that exporting the
same case twice gives the same ids."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f0c7d1e-3b9a-5c1e-9a51-2f1e4c2d7b10")


class Ids:
    """urn:uuid ids, one per resource, derived from the bundle's key (uuid5)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def url(self, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.key}/{name}')}"

    def ref(self, name: str, display: str | None = None) -> dict:
        reference = {"reference": self.url(name)}
        if display:
            reference["display"] = display
        return reference
