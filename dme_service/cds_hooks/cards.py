"""CDS Hooks cards for a traction order: the advice in plain words, links and a suggestion.

Shapes follow CDS Hooks 2.0 "Card" and the Da Vinci CRD card checks (summary under 140
characters, indicator info / warning / critical, source with label and topic, absolute links).
The service is not a payer: no card carries a coverage-information extension or a
coverage-assertion-id, and every detail says it is advice, not a coverage determination.
"""

from __future__ import annotations

import copy
import uuid

from dme_service.cds_hooks.advice import MET, NOT_MET, OPEN, Advice
from dme_service.coding import codes
from dme_service.fhir import resources
from dme_service.fhir.systems import HCPCS_SYSTEMS

SUMMARY_LIMIT = 139  # CDS Hooks: "<140 characters"
CARD_TYPES = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"
SOURCE_LABEL = "dme_service traction advice (not the payer)"
# Extensions only a payer may write on an order (CRD coverage-information): never echoed back.
PAYER_ONLY_EXTENSIONS = frozenset(
    {"http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"}
)
ADVICE_ONLY = (
    "This is advice from dme_service, read from the payer's published policy. It is not a "
    "coverage determination or prior authorization by the payer."
)
_NAMESPACE = uuid.UUID("0b3f4c52-6a0e-5d7e-8c1a-3e9b2f7d4a61")


def card(advice: Advice, order: dict, hook_instance: str, app_url: str) -> dict:
    """The card for one ordered code; `app_url` opens a new case prefilled in the service."""
    key = f"{hook_instance}/{order.get('id', '')}/{advice.hcpcs}"
    body: dict = {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": _fit(summary(advice)),
        "indicator": indicator(advice),
        "detail": detail(advice),
        "source": {
            "label": SOURCE_LABEL,
            "topic": {"system": CARD_TYPES, "code": "guideline", "display": "Guideline"},
        },
        "links": links(advice, app_url),
    }
    suggestion = alternative(advice, order, key)
    if suggestion is not None:
        body["suggestions"] = [suggestion]
        body["selectionBehavior"] = "at-most-one"
    return body


def summary(advice: Advice) -> str:
    code, payer = advice.hcpcs, advice.payer_name
    if advice.covered is None:
        return f"Home traction {code}: payer not recognised, so coverage was not checked"
    if not advice.covered and advice.payer is None:
        return f"No payer covers {code} (gravity/inversion traction); it is not recommended"
    if not advice.covered:
        if advice.alternative:
            return (
                f"{payer} does not cover {code} at home; over-door {advice.alternative} is covered"
            )
        return f"{payer} does not cover {code} for home use"
    if advice.unmet:
        return f"{payer}: {code} criteria not met by what the order carries"
    if advice.trial_open:
        return f"{payer} may cover {code} if criteria are met; the supervised trial is still needed"
    if advice.open_lines:
        count = len(advice.open_lines)
        return f"{payer} may cover {code}: {count} of its criteria still to document"
    return f"{payer} may cover {code}: the criteria the order carries are met"


def indicator(advice: Advice) -> str:
    if advice.hcpcs == "E0941":
        return "critical"  # an unsupervised inversion device: a safety matter, not only cost
    if advice.covered is False or advice.unmet:
        return "warning"
    return "info"


def detail(advice: Advice) -> str:
    """Markdown in plain words: requires, known, missing, the inversion warning, advice only."""
    parts = [_heading(advice)]
    if advice.covered is None or (not advice.covered and advice.pack is None):
        parts.append(
            "The order's Coverage does not name a payer this service knows. Open the case in "
            "dme_service and choose the payer to see what its policy requires."
        )
    elif not advice.covered:
        parts.append(_not_covered(advice))
    else:
        parts.extend(_criteria(advice))
    parts.extend(advice.inversion)
    parts.append(ADVICE_ONLY)
    return "\n\n".join(p for p in parts if p)


def links(advice: Advice, app_url: str) -> list[dict]:
    found = []
    pack = advice.pack
    if pack is not None and pack.source_url:
        found.append(
            {"label": _fit(f"Policy: {pack.title}", 80), "url": pack.source_url, "type": "absolute"}
        )
    found.append({"label": "Open a new case in dme_service", "url": app_url, "type": "absolute"})
    return found


def alternative(advice: Advice, order: dict, key: str) -> dict | None:
    """Order E0860 instead: an update of the draft order, validated before it is offered."""
    if not advice.alternative or not order.get("id"):
        return None
    replacement = copy.deepcopy(order)
    kept = [e for e in order.get("extension") or [] if e.get("url") not in PAYER_ONLY_EXTENSIONS]
    replacement.pop("extension", None)
    if kept:
        replacement["extension"] = kept
    concept = order.get("codeCodeableConcept") or {}
    system = next(
        (c["system"] for c in concept.get("coding") or [] if c.get("system") in HCPCS_SYSTEMS),
        sorted(HCPCS_SYSTEMS)[0],
    )
    descriptor = codes.HCPCS_DESCRIPTORS.get(advice.alternative, advice.alternative)
    replacement["codeCodeableConcept"] = {
        "coding": [{"system": system, "code": advice.alternative, "display": descriptor}],
        "text": descriptor,
    }
    if resources.problems(replacement):
        return None
    return {
        "label": f"Order {advice.alternative} ({descriptor}) instead",
        "uuid": str(uuid.uuid5(_NAMESPACE, key + "/alternative")),
        "isRecommended": False,
        "actions": [
            {
                "type": "update",
                "description": f"Change the draft order to {advice.alternative}",
                "resource": replacement,
            }
        ],
    }


def _heading(advice: Advice) -> str:
    descriptor = codes.HCPCS_DESCRIPTORS.get(advice.hcpcs, "")
    ordered = f"**Ordered:** {advice.hcpcs}" + (f" ({descriptor.lower()})" if descriptor else "")
    if advice.pack is None:
        return ordered + "."
    return f"{ordered}. **Payer:** {advice.payer_name}, policy {advice.pack.source}."


def _not_covered(advice: Advice) -> str:
    text = f"{advice.payer_name} does not cover {advice.hcpcs} for home use"
    text += f' ("{advice.not_covered_wording}").' if advice.not_covered_wording else "."
    if advice.alternative:
        text += (
            f" {advice.alternative} (over-door cervical traction) is covered when its criteria "
            "are met: a cervical diagnosis and a supervised trial showing the patient uses and "
            "tolerates the unit. Open the case in dme_service to record them."
        )
    return text


def _criteria(advice: Advice) -> list[str]:
    required = [f"- {line.summary} ({line.clause})" for line in advice.required]
    text = f"**What the policy requires for {advice.hcpcs}:**\n" + "\n".join(required)
    if advice.one_of:
        text += "\n- and one of:\n" + "\n".join(
            f"  - {line.summary} ({line.clause})" for line in advice.one_of
        )
    parts = [text]
    known = [line for line in advice.lines if line.state in (MET, NOT_MET)]
    if known:
        parts.append(
            "**Already known:**\n"
            + "\n".join(f"- {line.state}: {line.summary} ({line.because})" for line in known)
        )
    missing = [line for line in advice.lines if line.state == OPEN]
    if missing:
        parts.append(
            "**Still missing:**\n"
            + "\n".join(f"- {line.summary}: {line.because}" for line in missing)
        )
    return parts


def _fit(text: str, limit: int = SUMMARY_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
