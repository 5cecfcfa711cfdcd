"""Two definitions the contract gives once and several layers apply (docs/case-format.md,
"Clarifications"): what counts as a PRN order frequency, and the same-or-similar window.

The decision warns with them (rules.warnings), the SWO refuses a PRN frequency with the first
(documents.swo), and the packet cover and the billing checklist report both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from dme_service.coding.codes import CERVICAL_TRACTION_CODES

# Clarification 5: PRN as a word, any case: PRN, p.r.n., as needed, as-needed. "As a word":
# not run on from a letter or digit before it ("2prn") nor into a word character after it
# ("prn2", "prn_"); the decision's warning and the SWO's refusal both read this one pattern.
PRN = re.compile(r"(?<![a-z0-9])(?:p\.?\s?r\.?\s?n\b\.?|as[\s-]+needed\b)", re.IGNORECASE)
SAME_OR_SIMILAR_DAYS = 1826  # clarification 8: less than 5 years


@lru_cache(maxsize=1024)
def says_prn(frequency: str | None) -> bool:
    """True when an order frequency says PRN / as needed (not an acceptable order)."""
    return bool(frequency) and PRN.search(frequency) is not None


def same_or_similar(priors: Iterable, latest_trial: date | None) -> list:
    """The prior cervical traction units that make this a same-or-similar claim (clarification
    8): any cervical traction code dated less than 1826 days before the latest trial. A unit
    dated after the trial is within the window too: the patient has one already."""
    if latest_trial is None:
        return []
    return [
        prior
        for prior in priors
        if prior.hcpcs in CERVICAL_TRACTION_CODES
        and (latest_trial - prior.date).days < SAME_OR_SIMILAR_DAYS
    ]
