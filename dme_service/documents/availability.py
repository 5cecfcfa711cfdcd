"""Which document exists for which decision: the one rule the web, the API and the command
line share (domain.md §3.4, §5 and §10).

- A contraindicated patient, an incomplete case, a latest trial that made things worse, a
  gravity or inversion device (E0941) and a treating practitioner who may not sign an order:
  no written order, no letter of medical necessity, no patient instructions, no packet.
- `not_eligible` / `not_covered` (trial not worse): the order, the instructions and the packet
  only when the case was sent for signature with the clinician's written reason for ordering
  against the payer's criteria; never a letter of medical necessity ("meets criteria" is for
  `eligible` only, domain.md §5). The coverage summary takes its place.
- The coverage summary and the trial note exist for every decision.
- The ABN (CMS-R-131) exists for Medicare and IBX Medicare Advantage claims that the decision
  bills with GA or GZ (Policy Article A52476), when nothing above stops the order.

Each refusal is one sentence that says why and what to do, with the field it concerns.
Pure: no WeasyPrint, no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from dme_service.case.model import Case, Trial
from dme_service.rules.decision import Decision
from dme_service.rules.wording import PAYER_NAMES, SCREENING_LABELS

KINDS: tuple[str, ...] = (
    "lmn",
    "swo",
    "instructions",
    "trial_note",
    "packet",
    "submission",
    "summary",
    "abn",
)
# What is not printed, by kind, in the refusal's words.
NOT_PRINTED = {
    "swo": "no written order is printed",
    "lmn": "no letter of medical necessity is printed",
    "instructions": "no patient instructions are printed",
    "packet": "no billing packet is printed",
    "submission": "no submission packet is printed",
    "abn": "no ABN is printed",
}
# Documents that put a unit in the patient's home, or ask for payment for one.
ORDER_KINDS = frozenset({"swo", "instructions", "packet", "submission", "abn"})
CHOSEN_STATUSES = ("not_eligible", "not_covered")
ABN_PAYERS = ("medicare", "ibx_ma")
REASON_MAX = 500


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a document is not printed: the field it concerns and one readable sentence."""

    field: str
    message: str


def refusal(
    kind: str, case: Case, decision: Decision, *, reason: str | None = None
) -> Refusal | None:
    """None when `kind` may be printed for this case and decision; else why not."""
    if kind in ("summary", "trial_note"):
        return None
    stop = safety_stop(kind, case, decision)
    if stop:
        return stop
    if kind == "abn":
        return abn_refusal(case, decision)
    if decision.status == "eligible":
        return None
    if kind == "lmn":
        return Refusal(
            "decision.status",
            f"the decision is {status_words(decision.status)} under {policy_words(decision)}, "
            "so no letter of medical necessity is printed; print the coverage summary for the "
            "practitioner (summary) instead",
        )
    if not (reason or "").strip():
        what = {
            "swo": "a written order is",
            "instructions": "patient instructions are",
            "packet": "a billing packet is",
            "submission": "a submission packet is",
        }[kind]
        return Refusal(
            "reason",
            f"the decision is {status_words(decision.status)} under {policy_words(decision)}, "
            f"so {what} printed only with the clinician's written reason for ordering against "
            "the payer's criteria, given when the case is sent for signature",
        )
    return None


def safety_stop(kind: str, case: Case, decision: Decision) -> Refusal | None:
    """The stops that no reason overrides: the unit must not reach the patient's home."""
    if kind not in NOT_PRINTED:
        return None
    not_printed = NOT_PRINTED[kind]
    if decision.status == "contraindicated":
        found = ", ".join(SCREENING_LABELS.get(k, k) for k in decision.contraindications)
        return Refusal(
            "screening",
            f"traction is contraindicated for this patient ({found}), so {not_printed}; "
            "do not dispense a home traction unit",
        )
    if case.request.hcpcs == "E0941":
        instead = (
            "E0860 meets this patient's criteria, so order the over-door unit instead"
            if decision.recommended_hcpcs == "E0860"
            else "order a cervical home unit instead"
        )
        return Refusal(
            "request.hcpcs",
            f"{not_printed} for a gravity or inversion device (E0941); {instead}",
        )
    signer = case.treating_practitioner
    if not signer.may_sign:
        return Refusal(
            "treating_practitioner.credential",
            f"a {signer.credential} may not sign an order, so {not_printed}; name the treating "
            "MD, DO, DPM, PA, NP or CNS",
        )
    if decision.status == "incomplete":
        missing = [m for m in decision.missing if m != "treating_practitioner.credential"]
        return Refusal(
            missing[0] if missing else "decision.missing",
            f"the case is incomplete ({'; '.join(missing_words(m) for m in missing)}), so "
            f"{not_printed}; record it and decide again",
        )
    index = case.latest_trial_index
    if decision.trial_response == "worse" and index is not None:
        return Refusal(
            f"trials[{index}]",
            f"the latest supervised trial made symptoms worse ({worse_words(case.trials[index])}),"
            f" so {not_printed}; a home unit is not recommended after a trial that made things "
            "worse",
        )
    return None


def abn_refusal(case: Case, decision: Decision) -> Refusal | None:
    if case.payer in ABN_PAYERS and {"GA", "GZ"} & set(decision.modifiers):
        return None
    return Refusal(
        "decision.modifiers",
        "an ABN (form CMS-R-131) is printed only for a Medicare or IBX Medicare Advantage "
        f"claim the decision bills with GA or GZ, and this one ({PAYER_NAMES.get(case.payer)}, "
        f"{decision.requested_hcpcs}, {status_words(decision.status)}) has neither",
    )


def status_words(status: str) -> str:
    return status.replace("_", " ")


def policy_words(decision: Decision) -> str:
    if decision.policy.payer == "self_pay":
        return "the clinical criteria for a self-paid unit"
    payer = PAYER_NAMES.get(decision.policy.payer, decision.policy.payer)
    return f"{payer} policy {decision.policy.id}"


def missing_words(path: str) -> str:
    """`screening.vertebrobasilar_insufficiency` -> "vertebrobasilar insufficiency not
    answered"; `trials` -> "no supervised trial"; `trials[0].tolerated` -> "trial 1: tolerated
    not recorded"."""
    if path.startswith("screening."):
        key = path.split(".", 1)[1]
        return f"{SCREENING_LABELS.get(key, key.replace('_', ' '))} not answered"
    if path == "trials":
        return "no supervised trial recorded"
    if path.startswith("trials["):
        number = int(path[len("trials[") : path.index("]")]) + 1
        fact = path.rsplit(".", 1)[-1].replace("_", " ")
        return f"trial {number}: {fact} not recorded"
    return f"{path} not recorded"


def worse_words(trial: Trial) -> str:
    found = []
    if trial.pain_after > trial.pain_before:
        found.append(f"pain {trial.pain_before} → {trial.pain_after}")
    if trial.peripheralization:
        found.append("arm symptoms spread further down the arm")
    if trial.new_neuro_signs:
        found.append("new neurological signs")
    return ", ".join(found) or "worse"


def available(case: Case, decision: Decision, *, reason: str | None = None) -> dict:
    """Every kind -> its Refusal, or None when it may be printed (the case page's buttons)."""
    return {kind: refusal(kind, case, decision, reason=reason) for kind in KINDS}
