"""The new-case form filled from a CDS Hooks card's app link (`/cases/new?ehr=...`).

The link carries what the EHR's hook sent, sealed (cds_hooks/prefill.py): the patient's name,
date of birth and member id and the payer go into the form; the ordered code and the diagnoses
are shown beside it and, when the draft is created, saved to it
(services/cases/from_ehr_link.py). A token that is altered, foreign or older than an hour fills
nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from dme_service.cds_hooks import prefill
from dme_service.coding.payers import payer_ids


@dataclass(frozen=True)
class FromEhr:
    """What the page shows about the EHR's order (nothing when the link did not open)."""

    opened: bool
    hcpcs: str = ""
    diagnoses: tuple[str, ...] = ()


def fill(form, token: str | None) -> FromEhr | None:
    """Fill the blank new-case form from the sealed token; None when there is no token."""
    if not token:
        return None
    part = _opened(token)
    if part is None:
        return FromEhr(opened=False)
    form.ehr.data = token  # sent back with the form, so the order's facts reach the case
    patient = part.get("patient") if isinstance(part.get("patient"), dict) else {}
    for name in ("name", "date_of_birth", "member_id"):
        if isinstance(patient.get(name), str):
            getattr(form, name).data = patient[name]
    if part.get("payer") in payer_ids():
        form.payer.data = part["payer"]
    hcpcs, diagnoses = _order(part)
    return FromEhr(True, hcpcs or "", tuple(diagnoses))


def order_facts(token: str | None) -> tuple[str | None, list[str]] | None:
    """The ordered code and the diagnoses of a sealed link sent back with the form, or None."""
    part = _opened(token) if token else None
    return _order(part) if part is not None else None


def _opened(token: str) -> dict | None:
    return prefill.unseal(token[:4096], current_app.config["SECRET_KEY"])


def _order(part: dict) -> tuple[str | None, list[str]]:
    request = part.get("request") if isinstance(part.get("request"), dict) else {}
    hcpcs = request.get("hcpcs") if isinstance(request.get("hcpcs"), str) else None
    diagnoses = [d for d in part.get("diagnoses") or [] if isinstance(d, str)]
    return hcpcs, diagnoses[:20]
