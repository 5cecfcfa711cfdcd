"""The payers that have a policy pack: the valid values of a case's `payer`.

The packs are the rules' data (rules/payers/*.toml); the case contract needs only their
names, so the list lives down here and the parser does not import the rules.
"""

from __future__ import annotations

import os
from functools import lru_cache

PAYERS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "rules", "payers")


@lru_cache(maxsize=1)
def payer_ids() -> tuple[str, ...]:
    """Every payer with a pack, sorted."""
    names = (n[:-5] for n in os.listdir(PAYERS_DIR) if n.endswith(".toml"))
    return tuple(sorted(names))
