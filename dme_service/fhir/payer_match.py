"""Which policy pack a FHIR Coverage points to: the plan class, then the payor.

A Coverage names its payer three ways, tried in this order:
1. a `class` of type `plan` whose value is a policy pack id (`anthem`): the clinic's EHR was
   set up to say so, the most exact answer;
2. the self-pay type (`coverage-selfpay#pay`), or a payor that is the Patient: `self_pay`;
3. the payor Organization, by an identifier whose value is a pack id (this service's own export
   writes `urn:dme-service:payer|medicare`) or an electronic payer id of the payer directory
   (an id two payers share decides nothing), else by its name.

The payer directory is the billing data file rules/data/payer_directory.toml, read here as data
(claims/directory.py reads it for claims; the two packages stay independent). Names come from
it, the names the service prints (rules.wording.PAYER_NAMES)
and the names EHRs commonly give the same payers (ALIASES). They are compared after folding
case, "&" and punctuation, never by a part of a name: "Independence Blue Cross Medicare
Advantage" must not become Medicare.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from functools import cache

from dme_service.coding.payers import payer_ids
from dme_service.fhir.systems import COVERAGE_CLASS, SELF_PAY
from dme_service.rules.policy import DATA_DIR
from dme_service.rules.wording import PAYER_NAMES

# Names EHRs give payers (Organization.name / payor display), folded by `fold`.
ALIASES: dict[str, str] = {
    "centers for medicare and medicaid services": "medicare",
    "cms": "medicare",
    "medicare part b": "medicare",
    "original medicare": "medicare",
    "unitedhealthcare": "uhc_commercial",
    "united healthcare": "uhc_commercial",
    "cigna healthcare": "cigna",
    "anthem blue cross": "anthem",
    "anthem blue cross and blue shield": "anthem",
    "aetna inc": "aetna",
    "premera": "premera",
    "self pay": "self_pay",
}

Resolve = Callable[[dict], dict | None]  # a Reference -> the resource it points to, or None


def fold(name: str) -> str:
    """A name for comparison: lower case, "&" as "and", punctuation dropped, spaces single."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@cache
def _directory_file() -> dict:
    with open(os.path.join(DATA_DIR, "payer_directory.toml"), "rb") as handle:
        return tomllib.load(handle)


@cache
def directory() -> dict[str, str]:
    """Folded payer name -> pack id: directory and printed names, pack ids and aliases."""
    payers = _directory_file().get("payers", {})
    names = {fold(entry["name"]): key for key, entry in payers.items() if entry.get("name")}
    names.update({fold(name): payer for payer, name in PAYER_NAMES.items()})
    names.update({fold(payer): payer for payer in payer_ids()})
    names.update(ALIASES)
    return {name: payer for name, payer in names.items() if payer in payer_ids()}


@cache
def electronic_ids() -> dict[str, str]:
    """Electronic payer id -> pack id, for the ids only one payer of the directory uses
    (Medicare: one id per DME MAC jurisdiction)."""
    data = _directory_file()
    seen: dict[str, set[str]] = {}
    for key, entry in data.get("payers", {}).items():
        if entry.get("payer_id"):
            seen.setdefault(str(entry["payer_id"]), set()).add(key)
    for entry in data.get("jurisdictions", {}).values():
        if entry.get("payer_id"):
            seen.setdefault(str(entry["payer_id"]), set()).add("medicare")
    return {
        pid: next(iter(keys))
        for pid, keys in seen.items()
        if len(keys) == 1 and next(iter(keys)) in payer_ids()
    }


def by_name(name: str | None) -> str | None:
    """The pack id a payer's name stands for, or None."""
    return directory().get(fold(name)) if name else None


def payer_of(coverage: dict, resolve: Resolve) -> str | None:
    """The pack id the Coverage points to, or None when none of its names is known."""
    return _plan_class(coverage) or _self_pay(coverage, resolve) or _payor(coverage, resolve)


def _plan_class(coverage: dict) -> str | None:
    for item in coverage.get("class") or []:
        codings = (item.get("type") or {}).get("coding") or []
        is_plan = any(
            c.get("code") == "plan" and c.get("system", COVERAGE_CLASS) == COVERAGE_CLASS
            for c in codings
        )
        value = str(item.get("value") or "").strip().lower()
        if is_plan and value in payer_ids():
            return value
    return None


def _self_pay(coverage: dict, resolve: Resolve) -> str | None:
    codings = (coverage.get("type") or {}).get("coding") or []
    if any(c.get("system") == SELF_PAY and c.get("code") == "pay" for c in codings):
        return "self_pay"
    for reference in coverage.get("payor") or []:
        target = resolve(reference) or {}
        if target.get("resourceType") == "Patient" or str(
            reference.get("reference", "")
        ).startswith("Patient/"):
            return "self_pay"
    return None


def _payor(coverage: dict, resolve: Resolve) -> str | None:
    for reference in coverage.get("payor") or []:
        organization = resolve(reference) or {}
        for identifier in organization.get("identifier") or []:
            value = str(identifier.get("value") or "").strip()
            if value.lower() in payer_ids():
                return value.lower()
            if value in electronic_ids():
                return electronic_ids()[value]
        found = by_name(organization.get("name")) or by_name(reference.get("display"))
        if found:
            return found
    return None
