"""The decision (dme-decision/1) as frozen dataclasses, and its JSON form.

Field names and order follow docs/case-format.md, "Decision". Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES: tuple[str, ...] = (
    "contraindicated",
    "incomplete",
    "not_covered",
    "not_eligible",
    "eligible",
)
# A stored case's status: "draft" until its document parses, then its latest decision's.
CASE_STATUSES: tuple[str, ...] = ("draft", *STATUSES)


@dataclass(frozen=True, slots=True)
class Warning:
    code: str
    text: str

    def as_json(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class Reason:
    """One criterion of the payer's policy, met or not, with the clause it cites."""

    code: str
    met: bool
    text: str
    source: str

    def as_json(self) -> dict:
        return {"code": self.code, "met": self.met, "text": self.text, "source": self.source}


@dataclass(frozen=True, slots=True)
class PolicyRef:
    payer: str
    id: str
    effective: str | None

    def as_json(self) -> dict:
        return {"payer": self.payer, "id": self.id, "effective": self.effective}


@dataclass(frozen=True, slots=True)
class Decision:
    status: str
    requested_hcpcs: str
    recommended_hcpcs: str | None
    modifiers: tuple[str, ...]
    trial_response: str | None
    contraindications: tuple[str, ...]
    missing: tuple[str, ...]
    warnings: tuple[Warning, ...]
    reasons: tuple[Reason, ...]
    policy: PolicyRef

    def as_json(self) -> dict:
        """The dme-decision/1 document, keys in the contract's order."""
        return {
            "format": "dme-decision/1",
            "status": self.status,
            "requested_hcpcs": self.requested_hcpcs,
            "recommended_hcpcs": self.recommended_hcpcs,
            "modifiers": list(self.modifiers),
            "trial_response": self.trial_response,
            "contraindications": list(self.contraindications),
            "missing": list(self.missing),
            "warnings": [w.as_json() for w in self.warnings],
            "reasons": [r.as_json() for r in self.reasons],
            "policy": self.policy.as_json(),
        }
