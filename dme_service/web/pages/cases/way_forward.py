"""The decision panel's way forward for a case the payer will not pay as it stands (not eligible
or not covered): send it for signature with a reason, record the ABN where Medicare's GA/GZ
scheme applies, and what else could change the outcome, in words from the unmet criteria.

Read from the stored decision only; no rule lives here (the criteria are the engine's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dme_service.rules.wording import PAYER_NAMES, without_field_paths

WAY_FORWARD_STATUSES = ("not_eligible", "not_covered")
# Policy Article A52476: the ABN decides GA (on file) or GZ (none); Medicare and IBX Medicare
# Advantage packs carry that scheme (rules/payers/medicare.toml, ibx_ma.toml [modifiers]).
ABN_PAYERS = ("medicare", "ibx_ma")
ABN_MODIFIERS = ("GA", "GZ")


@dataclass(frozen=True)
class WayForward:
    """What the panel offers: `abn` is None, "record" (GZ: none on file) or "on_file" (GA)."""

    status: str
    abn: str | None
    could_change: list[str] = field(default_factory=list)


def way_forward(case, decision: dict[str, Any] | None) -> WayForward | None:
    """The way forward for a not-eligible or not-covered decision; None for any other."""
    if not decision or decision.get("status") not in WAY_FORWARD_STATUSES:
        return None
    return WayForward(decision["status"], _abn(case, decision), _could_change(case, decision))


def _abn(case, decision: dict[str, Any]) -> str | None:
    modifiers = set(decision.get("modifiers") or ())
    if case.payer not in ABN_PAYERS or not modifiers & set(ABN_MODIFIERS):
        return None
    return "on_file" if "GA" in modifiers else "record"


def _could_change(case, decision: dict[str, Any]) -> list[str]:
    """One sentence per unmet criterion: what, once true and recorded, changes the decision."""
    payer = PAYER_NAMES.get(case.payer or "", "The payer")
    hcpcs = decision.get("requested_hcpcs") or "this unit"
    found = []
    for reason in decision.get("reasons") or ():
        if reason.get("met"):
            continue
        code = reason.get("code") or ""
        if ".device." in code:
            found.append(
                f"{payer} does not cover {hcpcs} for home use under any criterion. Another "
                "unit the plan covers, a second insurer, or self-pay with a signed notice of "
                "the patient's financial responsibility could change that."
            )
        elif code == "TRIAL_WORSENED":
            found.append(
                "The latest supervised trial made things worse. A later supervised trial "
                "that improves the symptoms, recorded on the case, is decided again on save."
            )
        elif code.startswith("MISSING."):
            continue  # "What to do next" already links to each missing fact
        else:
            found.append(
                f"{_criterion_words(reason)}. Once it is met and recorded on the case, "
                "the decision is made again when you save."
            )
    if decision.get("recommended_hcpcs") and decision["recommended_hcpcs"] != hcpcs:
        found.append(
            f"The policy's criteria point to {decision['recommended_hcpcs']} instead of "
            f"{hcpcs}: ordering that unit could change the outcome."
        )
    return found


def _criterion_words(reason: dict[str, Any]) -> str:
    """The reason's text without the contract's dotted field paths."""
    return without_field_paths(reason.get("text")).rstrip(".")
