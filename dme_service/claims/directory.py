"""The payer directory (`rules/data/payer_directory.toml`): payer ids, contacts, DME MACs.

Pure. Every field a person reads carries whether it was confirmed from a public source;
pages show the unconfirmed ones marked so (the data file says how to confirm one).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache

DATA_FILE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "rules", "data", "payer_directory.toml"
)
CONTACT_FIELDS = ("payer_id", "phone", "fax", "portal", "address")


@dataclass(frozen=True)
class Fact:
    """One directory value and whether a public source confirmed it."""

    value: str
    confirmed: bool

    def __str__(self) -> str:
        return self.value if self.confirmed or not self.value else f"{self.value} (unconfirmed)"


@dataclass(frozen=True)
class PayerEntry:
    """Where a claim for this payer goes (for Medicare: the DME MAC of the patient's state)."""

    key: str
    name: str
    claim_filing_code: str
    payer_id: Fact
    phone: Fact
    fax: Fact
    portal: Fact
    address: Fact
    jurisdiction: str = ""  # DME MAC jurisdiction letter, Medicare only
    contractor: Fact | None = None
    purchase_or_rental: Fact = Fact("", False)  # the payer's NU/RR rule, in words
    # Medicare: where the DME MAC takes reopening requests (its page) and its telephone line.
    reopening_page: Fact = Fact("", False)
    reopening_phone: Fact = Fact("", False)

    def contacts(self) -> list[tuple[str, Fact]]:
        """(label, fact) for each contact that has a value, for the claim page."""
        labels = {
            "payer_id": "Payer id",
            "phone": "Phone",
            "fax": "Fax",
            "portal": "Portal",
            "address": "Claims address",
        }
        return [(labels[f], getattr(self, f)) for f in CONTACT_FIELDS if getattr(self, f).value]


@cache
def _raw() -> dict:
    with open(DATA_FILE, "rb") as handle:
        return tomllib.load(handle)


def _fact(entry: dict, field: str) -> Fact:
    return Fact(str(entry.get(field, "")), field not in entry.get("unconfirmed", ()))


def jurisdiction_of(state: str) -> str:
    """The DME MAC jurisdiction letter ('A'..'D') for a USPS state code, or ''."""
    for letter, entry in _raw()["jurisdictions"].items():
        if state.upper() in entry["states"]:
            return letter
    return ""


def entry(payer: str, state: str = "") -> PayerEntry | None:
    """The payer's directory entry; for Medicare the DME MAC of `state` (None if unknown)."""
    raw = _raw()["payers"].get(payer)
    if raw is None:
        return None
    if payer != "medicare":
        return PayerEntry(
            payer,
            raw["name"],
            raw["claim_filing_code"],
            *(_fact(raw, f) for f in CONTACT_FIELDS),
            purchase_or_rental=_fact(raw, "purchase_or_rental"),
        )
    letter = jurisdiction_of(state)
    if not letter:
        return PayerEntry(
            payer,
            raw["name"],
            raw["claim_filing_code"],
            *(Fact("", False) for _ in CONTACT_FIELDS),
            purchase_or_rental=_fact(raw, "purchase_or_rental"),
        )
    mac = _raw()["jurisdictions"][letter]
    return PayerEntry(
        payer,
        f"Medicare DME MAC Jurisdiction {letter}",
        raw["claim_filing_code"],
        *(_fact(mac, f) for f in CONTACT_FIELDS),
        jurisdiction=letter,
        contractor=_fact(mac, "contractor"),
        purchase_or_rental=_fact(raw, "purchase_or_rental"),
        reopening_page=_fact(mac, "reopening_page"),
        reopening_phone=_fact(mac, "reopening_phone"),
    )


def states() -> frozenset[str]:
    """Every state and territory a DME MAC jurisdiction serves."""
    return frozenset(s for j in _raw()["jurisdictions"].values() for s in j["states"])


def source_note() -> str:
    return f"{_raw()['source']}. {_raw()['status']}."
