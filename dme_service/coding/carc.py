"""Claim adjustment codes (CARC) and remark codes (RARC) with their meanings, read from data.

The table lives in `coding/data/carc_rarc.toml` so billing staff can check each meaning
against the current X12 list without reading Python. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "carc_rarc.toml")
KINDS = ("carc", "rarc")


@dataclass(frozen=True, slots=True)
class AdjustmentCode:
    """One CARC or RARC: its code, what it means and what usually fixes it."""

    kind: str
    code: str
    meaning: str
    hint: str

    @property
    def label(self) -> str:
        return f"{self.code}: {self.meaning}"


@cache
def _table() -> dict[str, dict[str, AdjustmentCode]]:
    with open(DATA_FILE, "rb") as handle:
        raw = tomllib.load(handle)
    return {
        kind: {
            str(code): AdjustmentCode(kind, str(code), entry["meaning"], entry.get("hint", ""))
            for code, entry in raw[kind].items()
        }
        for kind in KINDS
    }


def source_note() -> str:
    """Where the meanings come from and that they must be checked (shown beside the table)."""
    with open(DATA_FILE, "rb") as handle:
        raw = tomllib.load(handle)
    return f"{raw['source']}. {raw['status']}."


def normalize(code: str) -> str:
    """' m3 ' -> 'M3'; CARC numbers keep their digits ('016' stays '016': not a known code)."""
    return code.strip().upper()


def lookup(kind: str, code: str) -> AdjustmentCode | None:
    """The code's entry, or None when it is not in the table."""
    return _table()[kind].get(normalize(code))


def all_codes(kind: str) -> list[AdjustmentCode]:
    """Every code of a kind, in numeric-then-text order (4 before 16 before 252)."""
    return sorted(_table()[kind].values(), key=_sort_key)


def _sort_key(entry: AdjustmentCode) -> tuple[str, int, str]:
    letters = entry.code.rstrip("0123456789")
    digits = entry.code[len(letters) :]
    return (letters, int(digits) if digits else 0, entry.code)


def unknown(kind: str, codes) -> list[str]:
    """The codes of `codes` that the table does not hold."""
    return [code for code in codes if lookup(kind, code) is None]
