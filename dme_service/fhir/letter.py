"""The letter of medical necessity in the Bundle: what a rendered PDF is (`Letter`) and the
DocumentReference that describes it, its SHA-256 as an RFC 6920 identifier."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dme_service.fhir.ids import Ids
from dme_service.fhir.systems import NI_SHA256


@dataclass(frozen=True, slots=True)
class Letter:
    """A rendered letter of medical necessity, as its DocumentReference describes it."""

    pdf: bytes
    created: datetime
    lang: str = "en"
    url: str | None = None
    version: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def ni_uri(self) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(self.pdf).digest()).rstrip(b"=")
        return "ni:///sha-256;" + digest.decode()


def document_reference(letter: Letter, ids: Ids, signed_at: datetime | None) -> dict:
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "language": letter.lang,
        "size": len(letter.pdf),
        "hash": _sha1_base64(letter.pdf),
        "title": "Letter of medical necessity",
        "creation": letter.created.isoformat(timespec="seconds"),
    }
    if letter.url:
        attachment["url"] = letter.url
    reference: dict[str, Any] = {
        "_key": "letter",
        "resourceType": "DocumentReference",
        "identifier": [{"system": NI_SHA256, "value": letter.ni_uri}],
        "status": "current",
        "docStatus": "final" if signed_at else "preliminary",
        "type": {"text": "Letter of medical necessity"},
        "subject": ids.ref("patient"),
        "date": letter.created.isoformat(timespec="seconds"),
        "author": [ids.ref("practitioner")],
        "description": f"SHA-256 {letter.sha256}",
        "content": [{"attachment": attachment}],
    }
    if letter.version is not None:
        reference["description"] += f"; version {letter.version}"
    return reference


def _sha1_base64(data: bytes) -> str:
    """FHIR R4 Attachment.hash: base64 of the SHA-1 (an identifier, not a security control)."""
    return base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
