"""What the payer's policy pack says about one ordered code, given what the hook carried.

A hook carries the order, the coverage and the diagnoses, never the supervised trial or the
screening, so the engine's full decision (rules.engine.evaluate) would only say `incomplete`.
Here each criterion of the pack for the code is read on its own: met or not met by what was
sent, or still open. This is advice for the ordering clinician, not a coverage determination.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dme_service.rules import wording
from dme_service.rules.policy import Criterion, PolicyPack, load_code_list, load_pack

OVER_DOOR = "E0860"
INVERSION_DEVICE = "E0941"
MET, NOT_MET, OPEN = "met", "not met", "open"

# ICD-10-CM categories that stand for the inversion high-risk groups of the contract's
# INVERSION_HIGH_RISK warning (docs/case-format.md "warnings"), as screening keys.
HIGH_RISK_PREFIXES: dict[str, tuple[str, ...]] = {
    "uncontrolled_hypertension": ("I10", "I11", "I12", "I13", "I15", "I16"),
    "glaucoma": ("H40", "H42"),
    "retinal_detachment": ("H33",),
    "heart_disease": ("I20", "I21", "I22", "I23", "I24", "I25", "I50"),
    "anticoagulant_use": ("Z7901",),
    "hernia": ("K40", "K41", "K42", "K43", "K44", "K45", "K46"),
    "pregnancy": ("O", "Z33", "Z34"),
}


@dataclass(frozen=True, slots=True)
class Line:
    """One criterion as it stands: its summary, clause and state (met / not met / open)."""

    summary: str
    clause: str
    state: str
    because: str = ""
    trial: bool = False  # the criterion reads the supervised trial


@dataclass(frozen=True, slots=True)
class Advice:
    """The policy's answer for one ordered code, from what the hook carried."""

    hcpcs: str
    payer: str | None
    pack: PolicyPack | None
    covered: bool | None  # None: the payer is not known
    required: tuple[Line, ...] = ()
    one_of: tuple[Line, ...] = ()
    not_covered_wording: str = ""
    alternative: str | None = None  # E0860, when the code is not covered and E0860 is
    inversion: tuple[str, ...] = field(default=())  # warning sentences, when called for

    @property
    def payer_name(self) -> str:
        return wording.PAYER_NAMES.get(self.payer or "", "The payer")

    @property
    def trial_open(self) -> bool:
        return any(line.state == OPEN and line.trial for line in self.lines)

    @property
    def lines(self) -> tuple[Line, ...]:
        return self.required + self.one_of

    @property
    def open_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.state == OPEN)

    @property
    def unmet(self) -> bool:
        """A required criterion, or every one of the one-of group, is not met."""
        if any(line.state == NOT_MET for line in self.required):
            return True
        return bool(self.one_of) and all(line.state == NOT_MET for line in self.one_of)


def advise(hcpcs: str, payer: str | None, diagnoses: list[str], force_lb) -> Advice:
    """The advice for ordering `hcpcs` under `payer` (a pack id, or None when not known)."""
    inversion = inversion_warning(hcpcs, diagnoses)
    if payer is None:
        # E0941 is not covered under any payer (docs/case-format.md "not_covered").
        covered = False if hcpcs == INVERSION_DEVICE else None
        return Advice(hcpcs, None, None, covered, inversion=inversion)
    pack = load_pack(payer)
    rule = pack.devices[hcpcs]
    if not rule.covered:
        over_door = pack.devices.get(OVER_DOOR)
        alternative = OVER_DOOR if hcpcs != OVER_DOOR and over_door and over_door.covered else None
        return Advice(
            hcpcs,
            payer,
            pack,
            False,
            not_covered_wording=rule.wording,
            alternative=alternative,
            inversion=inversion,
        )
    required = tuple(_line(pack.criteria[c], diagnoses, force_lb) for c in rule.criteria)
    one_of = tuple(_line(pack.criteria[c], diagnoses, force_lb) for c in rule.any_of)
    return Advice(hcpcs, payer, pack, True, required, one_of, inversion=inversion)


def _line(criterion: Criterion, diagnoses: list[str], force_lb) -> Line:
    base = {"summary": criterion.summary, "clause": criterion.clause}
    if criterion.test == "diagnosis_in_list":
        if not diagnoses:
            return Line(**base, state=OPEN, because="no diagnosis came with the order")
        codes = load_code_list(criterion.code_list or "")
        matching = [d for d in diagnoses if codes.matches(d.replace(".", ""))]
        if matching:
            return Line(**base, state=MET, because=f"diagnosis {', '.join(matching)}")
        return Line(**base, state=NOT_MET, because=f"none of {', '.join(diagnoses)} qualifies")
    if criterion.test == "request_force":
        if force_lb is None:
            return Line(**base, state=OPEN, because="the order gives no force")
        limit = criterion.threshold_lb or 0
        met = force_lb > limit if criterion.operator == ">" else force_lb >= limit
        return Line(**base, state=MET if met else NOT_MET, because=f"{force_lb:g} lb ordered")
    if criterion.test in ("trial_demonstrated_and_tolerated", "trial_improved"):
        because = "the supervised in-clinic trial is not recorded"
        return Line(**base, state=OPEN, because=because, trial=True)
    return Line(**base, state=OPEN, because="the screening is not recorded")


def inversion_warning(hcpcs: str, diagnoses: list[str]) -> tuple[str, ...]:
    """The inversion-table sentences when the order is E0941 or a diagnosis is high-risk."""
    dotless = [d.replace(".", "").upper() for d in diagnoses]
    risky = [
        key
        for key, prefixes in HIGH_RISK_PREFIXES.items()
        if any(code.startswith(prefixes) for code in dotless)
    ]
    sentences = []
    if hcpcs == INVERSION_DEVICE:
        sentences.append(wording.INVERSION_TABLE_REQUESTED)
    if risky:
        sentences.append(wording.inversion_high_risk(risky))
    if sentences:
        sentences.append(wording.INVERSION_TABLE_UNSUPERVISED)
    return tuple(sentences)
