"""`evaluate(case) -> Decision`: the status precedence of case-format.md, policy as data.

Steps, first match wins (case-format.md "status" and clarification 1):
contraindicated -> incomplete -> not_covered -> not_eligible -> eligible.
Trials (clarification 13, revision 2): the latest trial of any device gives the response and
TRIAL_WORSENED; the latest home-unit trial (criteria.py) decides criterion 2.
What a payer covers and requires comes from its PolicyPack (rules/payers/*.toml); the
criterion tests live in rules/criteria.py. No payer name appears here.

Reasons, one per criterion (`met` true/false), for billing staff:
- contraindicated: one per absolute contraindication found (met false);
- incomplete: one per missing fact, coded MISSING.<dotted path> (met false);
- not_covered: the device clause (met false), then the covered alternative E0860 if the
  payer covers it (met = whether the patient meets every E0860 criterion);
- not_eligible / eligible: each criterion of the requested device; of an "one of"
  group (A, B or C) only the met alternatives when one is met, else all of them; then
  TRIAL_WORSENED (met false) after a worse trial; then the alternative as above.
"""

from __future__ import annotations

from functools import lru_cache

from dme_service.case.model import ABSOLUTE_CONTRAINDICATIONS, SCREENING_KEYS, Case, Trial
from dme_service.case.response import WORSE, trial_response, worse_because
from dme_service.coding import codes
from dme_service.rules import wording
from dme_service.rules.criteria import CRITERION_TESTS
from dme_service.rules.decision import Decision, PolicyRef, Reason
from dme_service.rules.policy import DeviceRule, PolicyPack, load_pack
from dme_service.rules.warnings import case_warnings

ALTERNATIVE = "E0860"  # clarification 2: the covered alternative is the over-door unit
SCREENING_SOURCE = "Cervical traction contraindication screening"
SIGNER_SOURCE = "42 CFR 410.38(c)(2)"
TRIAL_SOURCE = "Supervised trial response"


def evaluate(case: Case) -> Decision:
    """The dme-decision/1 decision for a parsed case."""
    pack = load_pack(case.payer)
    index = case.latest_trial_index
    trial = None if index is None else case.trials[index]
    response = None if trial is None else trial_response(trial)
    warnings = case_warnings(case, trial)
    hcpcs = case.request.hcpcs

    def decide(status, reasons, recommended=None, modifiers=(), contra=(), missing=()):
        return Decision(
            status, hcpcs, recommended, modifiers, response, contra, missing, warnings,
            tuple(reasons), _policy_ref(case.payer),
        )  # fmt: skip

    contra = tuple(k for k in ABSOLUTE_CONTRAINDICATIONS if case.screening.get(k) is True)
    if contra:
        return decide("contraindicated", [_contraindication(k) for k in contra], contra=contra)
    missing = missing_facts(case, case.latest_home_trial_index)
    if missing:
        return decide("incomplete", [_missing(p, case, pack) for p in missing], missing=missing)
    rule = pack.devices[hcpcs]
    if not rule.covered:
        alternative, alt_reasons = _alternative(pack, case, trial, response)
        return decide("not_covered", [_not_covered(rule, pack), *alt_reasons], alternative)
    reasons = _device_reasons(pack, rule, case, trial)
    if response == WORSE:
        reasons.append(_worsened(trial))
    if all(reason.met for reason in reasons):
        return decide("eligible", reasons, hcpcs, _modifiers(pack, rule, True, case))
    alternative, alt_reasons = _alternative(pack, case, trial, response)
    modifiers = _modifiers(pack, rule, False, case)
    return decide("not_eligible", reasons + alt_reasons, alternative, modifiers)


def missing_facts(case: Case, home_index: int | None) -> tuple[str, ...]:
    """Dotted paths of the facts needed to decide that the case lacks (status step 2).

    Clarification 13: only the latest home-unit trial (`home_index`) must record whether the
    unit was demonstrated and tolerated; clinic trials never do, and trials without any
    home-unit trial are not incomplete (criterion 2 is then unmet).
    """
    missing = []
    answers = case.screening
    for key in SCREENING_KEYS if None in answers.values() else ():
        if answers.get(key) is None:
            # Clarification 4: tmj_treated only matters when tmj_dysfunction is true.
            if key == "tmj_treated" and answers.get("tmj_dysfunction") is False:
                continue
            missing.append(f"screening.{key}")
    if not case.trials:
        missing.append("trials")
    elif home_index is not None:
        trial = case.trials[home_index]
        if trial.tolerated is None:
            missing.append(f"trials[{home_index}].tolerated")
        if trial.use_demonstrated is None:
            missing.append(f"trials[{home_index}].use_demonstrated")
    if not case.treating_practitioner.may_sign:
        missing.append("treating_practitioner.credential")
    return tuple(missing)


@lru_cache(maxsize=64)
def _policy_ref(payer: str) -> PolicyRef:
    pack = load_pack(payer)
    return PolicyRef(pack.payer, pack.policy_id, pack.effective_date)


def _judge(pack: PolicyPack, cid: str, case: Case, trial: Trial | None) -> Reason:
    criterion = pack.criteria[cid]
    inputs = CRITERION_TESTS[criterion.test][0](criterion, case, trial)
    return _reason(pack.payer, cid, inputs)


@lru_cache(maxsize=16384)
def _reason(payer: str, cid: str, inputs: tuple) -> Reason:
    """The reason for one clause given the facts it reads (cached: a pure function)."""
    pack = load_pack(payer)
    criterion = pack.criteria[cid]
    met, fact = CRITERION_TESTS[criterion.test][1](criterion, *inputs)
    clause = criterion.clause if met else f"{criterion.clause} not met"
    text = f"{clause}: {criterion.summary}: {fact}"
    return Reason(f"{pack.code_prefix}.{criterion.id}", met, text, pack.source)


def _device_reasons(pack: PolicyPack, rule: DeviceRule, case: Case, trial) -> list[Reason]:
    reasons = [_judge(pack, cid, case, trial) for cid in rule.criteria]
    if rule.any_of:
        group = [_judge(pack, cid, case, trial) for cid in rule.any_of]
        met = [reason for reason in group if reason.met]
        reasons.extend(met or group)
    return reasons


def _alternative(pack: PolicyPack, case: Case, trial, response) -> tuple[str | None, list]:
    """Clarification 2: E0860 when another code was asked for, the payer covers E0860 and
    the patient meets every E0860 criterion with a trial that was not worse."""
    rule = pack.devices[ALTERNATIVE]
    if case.request.hcpcs == ALTERNATIVE or not rule.covered:
        return None, []
    unmet = [r for r in _device_reasons(pack, rule, case, trial) if not r.met]
    if response == WORSE:
        unmet.append(_worsened(trial))
    descriptor = codes.HCPCS_DESCRIPTORS[ALTERNATIVE]
    code = f"{pack.code_prefix}.alternative.{ALTERNATIVE}"
    if not unmet:
        text = (
            f"{pack.source}: {ALTERNATIVE} ({descriptor}) is covered and this patient meets "
            f"every {ALTERNATIVE} criterion: recommend {ALTERNATIVE} instead"
        )
        return ALTERNATIVE, [Reason(code, True, text, pack.source)]
    text = (
        f"{pack.source}: {ALTERNATIVE} ({descriptor}) is covered but this patient does not "
        f"meet its criteria: {unmet[0].text}"
    )
    return None, [Reason(code, False, text, pack.source)]


def _not_covered(rule: DeviceRule, pack: PolicyPack) -> Reason:
    descriptor = codes.HCPCS_DESCRIPTORS[rule.hcpcs]
    text = f"{rule.source}: {rule.hcpcs} ({descriptor}) is not covered for home use: {rule.wording}"
    return Reason(f"{pack.code_prefix}.device.{rule.hcpcs}", False, text, rule.source)


def _worsened(trial: Trial) -> Reason:
    text = (
        f"Trial response worse on the {trial.date.isoformat()} trial ({worse_because(trial)}): "
        "a home unit is not recommended after a trial that made things worse"
    )
    return Reason("TRIAL_WORSENED", False, text, TRIAL_SOURCE)


def _modifiers(pack: PolicyPack, rule: DeviceRule, all_met: bool, case: Case) -> tuple:
    """Clarification 6 / A52476: KX when every criterion is met, else GA (ABN) or GZ."""
    scheme = pack.modifiers
    if not rule.modifiers or scheme is None:
        return ()
    if all_met:
        return (scheme.all_met,)
    return (scheme.abn_on_file if case.abn_on_file else scheme.no_abn,)


def _contraindication(key: str) -> Reason:
    text = (
        f"Absolute contraindication to cervical traction: {wording.SCREENING_LABELS[key]} "
        f"(screening.{key} is true); no home traction unit can be recommended"
    )
    return Reason(f"CONTRAINDICATION.{key}", False, text, SCREENING_SOURCE)


def _missing(path: str, case: Case, pack: PolicyPack) -> Reason:
    code = f"MISSING.{path}"
    if path.startswith("screening."):
        label = wording.SCREENING_LABELS[path.split(".", 1)[1]]
        text = (
            f"Screening not answered: {label} ({path}); every screening question needs a yes or no"
        )
        return Reason(code, False, text, SCREENING_SOURCE)
    if path == "trials":
        text = (
            "No supervised in-clinic trial is recorded: the policy needs the home device "
            "demonstrated and tolerated in a trial"
        )
        return Reason(code, False, text, pack.source)
    if path.startswith("trials["):
        fact = "the device was tolerated" if path.endswith("tolerated") else "use was demonstrated"
        text = f"The latest home-unit trial does not record whether {fact} ({path})"
        return Reason(code, False, text, pack.source)
    credential = case.treating_practitioner.credential
    text = (
        f"A {credential} may author the trial but not sign the order: a home traction unit needs "
        "an order signed by an MD, DO, DPM, PA, NP or CNS"
    )
    return Reason(code, False, text, SIGNER_SOURCE)
