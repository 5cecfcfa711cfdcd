"""The decision's `warnings` (case-format.md "warnings"; clarifications 5, 8, 9).

Warnings never change the status. Every decision carries INVERSION_TABLE_UNSUPERVISED;
the others appear when the case gives them a reason, in the contract's order, each code
at most once.
"""

from __future__ import annotations

from functools import lru_cache

from dme_service.case.definitions import same_or_similar, says_prn
from dme_service.case.model import INVERSION_HIGH_RISK, Case, Trial
from dme_service.coding import codes
from dme_service.rules import wording
from dme_service.rules.decision import Warning

ALWAYS = Warning("INVERSION_TABLE_UNSUPERVISED", wording.INVERSION_TABLE_UNSUPERVISED)
_REQUESTED = Warning("INVERSION_TABLE_REQUESTED", wording.INVERSION_TABLE_REQUESTED)
_LUMBAR = Warning("HOME_LUMBAR_TRACTION", wording.HOME_LUMBAR_TRACTION)

OVER_DOOR_LIMIT_LB = 20  # domain.md §7: over-door units are built for up to 20 lb
OVER_DOOR = "E0860"
INVERSION_DEVICE = "E0941"


def case_warnings(case: Case, trial: Trial | None) -> tuple[Warning, ...]:
    """Every warning that applies to the case, INVERSION_TABLE_UNSUPERVISED first."""
    found = [ALWAYS]
    screening = case.screening
    high_risk = [k for k in INVERSION_HIGH_RISK if screening.get(k) is True]
    if high_risk:
        found.append(Warning("INVERSION_HIGH_RISK", wording.inversion_high_risk(high_risk)))
    hcpcs = case.request.hcpcs
    if "inversion_table" in case.also_requested or hcpcs == INVERSION_DEVICE:
        found.append(_REQUESTED)
    if "home_lumbar_traction" in case.also_requested:
        found.append(_LUMBAR)
    precautions = _precautions(case)
    if precautions:
        found.append(Warning("PRECAUTION", wording.precaution(precautions)))
    force = case.request.force_lb
    if hcpcs == OVER_DOOR and force is not None and force > OVER_DOOR_LIMIT_LB:
        found.append(Warning("OVER_DOOR_FORCE", wording.over_door_force(force)))
    frequency = case.request.frequency_text
    if says_prn(frequency):
        found.append(Warning("ORDER_FREQUENCY_PRN", wording.order_frequency_prn(frequency)))
    same = _same_or_similar(case, trial)
    if same:
        found.append(same)
    differs = _demonstrated_differs(case)
    if differs:
        found.append(differs)
    excludes = _excludes1(case.diagnoses) if len(case.diagnoses) > 1 else None
    if excludes:
        found.append(excludes)
    return tuple(found)


def _precautions(case: Case) -> list[str]:
    screening = case.screening
    keys = [k for k in ("pregnancy", "uncontrolled_hypertension") if screening.get(k) is True]
    # Clarification 9: the TMJ precaution is about the chin-halter (over-door) unit.
    if screening.get("tmj_dysfunction") is True and case.request.hcpcs == OVER_DOOR:
        keys.append("tmj_dysfunction")
    return keys


def _same_or_similar(case: Case, trial: Trial | None) -> Warning | None:
    for prior in same_or_similar(case.prior_devices, trial.date if trial else None):
        text = wording.same_or_similar(prior.hcpcs, prior.date.isoformat(), trial.date.isoformat())
        return Warning("SAME_OR_SIMILAR", text)
    return None


def _demonstrated_differs(case: Case) -> Warning | None:
    """DEMONSTRATED_DEVICE_DIFFERS (revision 2): a cervical unit is ordered and the latest
    home-unit trial demonstrated another one. Never for E0941, never without such a trial."""
    ordered = case.request.hcpcs
    shown = case.latest_home_trial
    if ordered not in codes.CERVICAL_TRACTION_CODES or shown is None or shown.device == ordered:
        return None
    text = wording.demonstrated_device_differs(shown.device, shown.date.isoformat(), ordered)
    return Warning("DEMONSTRATED_DEVICE_DIFFERS", text)


@lru_cache(maxsize=4096)
def _excludes1(diagnoses: tuple[str, ...]) -> Warning | None:
    """The Excludes1 warning for a set of diagnoses (cached: a pure function of the codes)."""
    pairs, seen = [], set()
    for code, other, exclusion in codes.excludes1_pairs(diagnoses):
        key = frozenset((code, other))
        if key not in seen:
            seen.add(key)
            pairs.append((code, other, exclusion.owner, exclusion.note))
    if not pairs:
        return None
    return Warning("DIAGNOSIS_EXCLUDES1", wording.diagnosis_excludes1(pairs))
