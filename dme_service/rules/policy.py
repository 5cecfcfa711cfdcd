"""Payer policy packs: `rules/payers/<payer>.toml` loaded into `PolicyPack` dataclasses.

A pack is the policy as data: its id, source and effective date, whether each home device
is covered, the criteria each covered device needs (with thresholds and comparison
operators) and the clause each criterion cites. The engine reads packs; no payer name
appears in Python. Adding a payer is adding a file (and its tests).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache

from dme_service.case.model import HOME_DEVICES
from dme_service.coding import payers

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")

# The tests a criterion may name (engine.CRITERION_TESTS implements each) and the
# parameters each one needs.
CRITERION_TESTS: dict[str, tuple[str, ...]] = {
    "diagnosis_in_list": ("code_list",),
    "trial_demonstrated_and_tolerated": (),
    "trial_improved": (),
    "screening_all_true": ("keys",),
    "request_force": ("operator", "threshold_lb"),
}
OPERATORS: tuple[str, ...] = (">", ">=")


class PolicyPackError(ValueError):
    """A payer file that does not describe a complete policy pack."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One clause of a policy: what it tests and how a reason cites it."""

    id: str
    test: str
    clause: str  # "LCD L33823 criterion C"
    summary: str  # "more than 20 lb ordered for home use"
    wording: str  # the policy's own words, quoted
    keys: tuple[str, ...] = ()
    operator: str | None = None
    threshold_lb: float | None = None
    code_list: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceRule:
    """Whether a home device is covered, and if so which criteria it needs."""

    hcpcs: str
    covered: bool
    criteria: tuple[str, ...] = ()  # all must be met
    any_of: tuple[str, ...] = ()  # at least one must be met (empty: no such group)
    modifiers: bool = False  # the pack's KX/GA/GZ scheme applies
    wording: str = ""  # for a device not covered: the policy's words
    source: str = ""


@dataclass(frozen=True, slots=True)
class ModifierScheme:
    """KX / GA / GZ (Policy Article A52476)."""

    all_met: str
    abn_on_file: str
    no_abn: str


@dataclass(frozen=True, slots=True)
class PolicyPack:
    payer: str
    policy_id: str
    title: str
    source_url: str | None
    effective: str | None  # ISO date, "unconfirmed", or None (no policy)
    source: str  # how reasons cite it: "LCD L33823"
    code_prefix: str  # reason codes: "L33823.criterion1"
    devices: dict[str, DeviceRule]
    criteria: dict[str, Criterion]
    modifiers: ModifierScheme | None = None
    notes: tuple[str, ...] = field(default=())
    patient_pays: bool = False  # no payer: the patient signs a financial-responsibility notice

    @property
    def effective_date(self) -> str | None:
        """The effective date for the decision's `policy.effective`: an ISO date or null.

        An unconfirmed date stays in the pack (for the reviewer) but never reaches integrations
        as a word in a date field.
        """
        return self.effective if self.effective and self.effective[:1].isdigit() else None


@dataclass(frozen=True, slots=True)
class CodeList:
    """A diagnosis list kept as data: exact codes plus category prefixes (M50.-)."""

    name: str
    prefixes: tuple[str, ...]  # dotless
    codes: frozenset[str]  # dotless
    descriptors: dict[str, str]

    def matches(self, dotless: str) -> bool:
        return dotless in self.codes or dotless.startswith(self.prefixes)


@cache
def load_pack(payer: str) -> PolicyPack:
    """The pack for `payer` (one of `payer_ids()`); parsed once per process."""
    if payer not in payers.payer_ids():
        raise PolicyPackError(f"no policy pack for payer {payer!r}")
    with open(os.path.join(payers.PAYERS_DIR, payer + ".toml"), "rb") as fh:
        data = tomllib.load(fh)
    try:
        return _pack(payer, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyPackError(f"payers/{payer}.toml: {exc}") from exc


@cache
def load_code_list(name: str) -> CodeList:
    """`rules/data/<name>.toml`: a diagnosis list with its descriptors."""
    with open(os.path.join(DATA_DIR, name + ".toml"), "rb") as fh:
        data = tomllib.load(fh)
    prefixes = tuple(p.replace(".", "").rstrip("-") for p in data["prefixes"])
    codes = frozenset(c.replace(".", "") for c in data["codes"])
    return CodeList(name, prefixes, codes, dict(data["descriptors"]))


def _pack(payer: str, data: dict) -> PolicyPack:
    if data["payer"] != payer:
        raise ValueError(f"payer = {data['payer']!r} but the file is {payer}.toml")
    criteria = {cid: _criterion(cid, raw) for cid, raw in data.get("criteria", {}).items()}
    devices = {code: _device(code, raw, data) for code, raw in data["devices"].items()}
    if set(devices) != set(HOME_DEVICES):
        raise ValueError(f"devices must be exactly {', '.join(HOME_DEVICES)}")
    for rule in devices.values():
        for cid in rule.criteria + rule.any_of:
            if cid not in criteria:
                raise ValueError(f"devices.{rule.hcpcs} names unknown criterion {cid!r}")
    raw_modifiers = data.get("modifiers")
    modifiers = ModifierScheme(**raw_modifiers) if raw_modifiers else None
    if modifiers is None and any(rule.modifiers for rule in devices.values()):
        raise ValueError("a device uses modifiers but the pack has no [modifiers] table")
    return PolicyPack(
        payer=payer,
        policy_id=data["policy_id"],
        title=data["title"],
        source_url=data.get("source_url"),
        effective=data.get("effective"),
        source=data["source"],
        code_prefix=data["code_prefix"],
        devices=devices,
        criteria=criteria,
        modifiers=modifiers,
        notes=tuple(data.get("notes", ())),
        patient_pays=bool(data.get("patient_pays", False)),
    )


def _criterion(cid: str, raw: dict) -> Criterion:
    test = raw["test"]
    if test not in CRITERION_TESTS:
        raise ValueError(f"criteria.{cid}: unknown test {test!r}")
    for name in CRITERION_TESTS[test]:
        if name not in raw:
            raise ValueError(f"criteria.{cid}: test {test} needs {name!r}")
    if raw.get("operator", ">") not in OPERATORS:
        raise ValueError(f"criteria.{cid}: operator must be one of {', '.join(OPERATORS)}")
    return Criterion(
        id=cid,
        test=test,
        clause=raw["clause"],
        summary=raw["summary"],
        wording=raw["wording"],
        keys=tuple(raw.get("keys", ())),
        operator=raw.get("operator"),
        threshold_lb=raw.get("threshold_lb"),
        code_list=raw.get("code_list"),
    )


def _device(code: str, raw: dict, pack: dict) -> DeviceRule:
    coverage = raw["coverage"]
    if coverage not in ("covered", "not_covered"):
        raise ValueError(f"devices.{code}.coverage must be covered or not_covered")
    return DeviceRule(
        hcpcs=code,
        covered=coverage == "covered",
        criteria=tuple(raw.get("criteria", ())),
        any_of=tuple(raw.get("any_of", ())),
        modifiers=bool(raw.get("modifiers", False)),
        wording=raw.get("wording", ""),
        source=raw.get("source", pack["source"]),
    )
