"""How documents cite a payer's policy and its criteria: from the decision, in plain words.

Every rule's citation travels from the policy pack into `decision.reasons` and `policy`
(architecture.md); the letter quotes them, spelling out units and Latin abbreviations.
"""

from __future__ import annotations

from datetime import date

from dme_service.documents import wording as w
from dme_service.rules.decision import PolicyRef, Reason


def effective_date(text: str) -> str | None:
    """A policy's ISO effective date in words, or None when the pack records no date."""
    try:
        return w.long_date(date.fromisoformat(text))
    except ValueError:
        return None


def cite(reason: Reason) -> str:
    """A criterion as the decision states it, with its source unless the text names it."""
    text = w.plain_words(reason.text).rstrip(".")
    return text if text.startswith(reason.source) else f"{text} ({reason.source})"


def policy_name(payer: str, policy: PolicyRef) -> str:
    """The policy as a letter names it, with its effective date when the pack records one:
    Medicare policy L33823 / A52476, effective January 1, 2020."""
    payer_name = w.payer_name(payer)
    name = policy.id if policy.id.startswith(payer_name) else f"{payer_name} policy {policy.id}"
    effective = effective_date(policy.effective) if policy.effective else None
    return f"{name}, effective {effective}" if effective else name
