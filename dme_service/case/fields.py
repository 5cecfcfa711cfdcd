"""Typed field readers for `case_format`: each checks one JSON value and records errors.

Kept apart from case_format so the document's shape (which keys, which paths) reads on
its own. The rules here are the contract's clarifications 4, 10 and 11: booleans are JSON
true/false only (not 0/1, not strings), `true` is not a number, pain is a whole number
0-10, forces and minutes are finite numbers above 0, counts are whole numbers of at least
1, dates are real ISO dates not after today.
"""

from __future__ import annotations

import math
import re
from datetime import date

from dme_service.case.limits import MAX_ERRORS, line_problem, normal_text, shown

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HCPCS = re.compile(r"[A-V][0-9]{4}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")
# Larger than any force, minute count or weight; keeps formatting and arithmetic finite.
MAX_NUMBER = 1e9
# A list of a few named values (also_requested) never needs more items than this (IN-2).
MAX_LIST_ITEMS = 20


class Reader:
    """Collects (path, message) errors while reading values out of decoded JSON."""

    def __init__(self, today: date):
        self.today = today
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        """Record a problem; past MAX_ERRORS only one closing note is kept, so that a huge bad
        document cannot make a huge answer."""
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((path, message))
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append(("$", f"more than {MAX_ERRORS} problems: the rest are not listed"))

    @property
    def full(self) -> bool:
        """True once no further problem would be listed: readers may stop looking."""
        return len(self.errors) > MAX_ERRORS

    @staticmethod
    def kind(value: object) -> str:
        """How a JSON value reads in a message: 'a string ("x")', 'true', 'an object'."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            shown = value if len(value) <= 40 else value[:37] + "..."
            return f"a string ({shown!r})"
        if isinstance(value, int | float):
            return f"the number {value!r}" if math.isfinite(value) else "an out-of-range number"
        if isinstance(value, list):
            return "a list"
        if isinstance(value, dict):
            return "an object"
        return type(value).__name__

    def object(
        self, value: object, path: str, keys: tuple[str, ...], *, what: str, required=False
    ) -> dict | None:
        """`value` as an object with only `keys`; unknown keys are errors (typos)."""
        if value is None:
            if required:
                self.error(path, f"{what} is required (an object)")
            return None
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a JSON object, not {self.kind(value)}")
            return None
        for key in value:
            if self.full:
                break
            if key not in keys:
                self.error(_key_path(path, str(key)[:40]), _unknown_key(str(key)[:40], keys))
        return value

    def string(self, obj: dict, key: str, path: str, *, required=True) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.error(path, "is required (a string)")
            return None
        if not isinstance(value, str):
            self.error(path, f"must be a string, not {self.kind(value)}")
            return None
        return value

    def text(self, obj: dict, key: str, path: str, *, limit: int) -> str | None:
        """A required one-line string that is not blank, at most `limit` characters (IN-2)."""
        value = self.line(obj, key, path, limit=limit)
        if value is not None and not value:
            self.error(path, "must not be empty")
            return None
        return value

    def line(self, obj: dict, key: str, path: str, *, limit: int, required=True) -> str | None:
        """One-line text in NFC without control characters, at most `limit` characters."""
        value = self.string(obj, key, path, required=required)
        if value is None:
            return None
        problem = line_problem(value, limit)
        if problem:
            self.error(path, problem)
            return None
        return normal_text(value)

    def choice(
        self,
        obj: dict,
        key: str,
        path: str,
        allowed: tuple[str, ...],
        *,
        what: str = "value",
        required=True,
        upper=False,
    ) -> str | None:
        value = self.string(obj, key, path, required=required)
        if value is None:
            return None
        candidate = value.strip().upper() if upper else value
        if candidate not in allowed:
            self.error(
                path, f"{shown(value)} is not a valid {what} (use one of {', '.join(allowed)})"
            )
            return None
        return candidate

    def hcpcs(self, obj: dict, key: str, path: str) -> str | None:
        value = self.string(obj, key, path)
        if value is None:
            return None
        code = value.strip().upper()
        if not _HCPCS.fullmatch(code):
            self.error(path, f"{shown(value)} is not a HCPCS Level II code (a letter and 4 digits)")
            return None
        return code

    def string_list(self, obj: dict, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(key, f"must be a list of {', '.join(allowed)}, not {self.kind(value)}")
            return ()
        if len(value) > MAX_LIST_ITEMS:
            self.error(key, f"must list at most {MAX_LIST_ITEMS} items, not {len(value)}")
            return ()
        found = []
        for i, item in enumerate(value):
            if item in allowed:
                found.append(item)
            else:
                self.error(f"{key}[{i}]", f"{self.kind(item)} is not one of {', '.join(allowed)}")
        return tuple(found)

    def boolean(self, obj: dict, key: str, path: str, *, required=True) -> bool | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.error(path, "is required (true or false)")
            return None
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, not {self.kind(value)}")
            return None
        return value

    def _finite(self, obj: dict, key: str, path: str, required: bool, shape: str):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(path, f"is required ({shape})")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be {shape}, not {self.kind(value)}")
            return None
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            self.error(path, f"must be {shape}, not an out-of-range number")
            return None
        return value

    def number(self, obj: dict, key: str, path: str, *, required=True) -> float | None:
        """A finite number greater than 0; decimals allowed (clarification 10)."""
        shape = "a number greater than 0"
        value = self._finite(obj, key, path, required, shape)
        if value is not None and value <= 0:
            self.error(path, f"must be {shape}, not {value!r}")
            return None
        return value

    def _whole(self, obj: dict, key: str, path: str, required: bool, low: int, high: int | None):
        shape = f"a whole number from {low} to {high}" if high else f"a whole number of {low}+"
        value = self._finite(obj, key, path, required, shape)
        if value is None:
            return None
        # 3.0 is the same JSON number as 3 (JSON Schema "integer"); 7.5 is not whole.
        if value != int(value) or value < low or (high is not None and value > high):
            self.error(path, f"must be {shape}, not {value!r}")
            return None
        return int(value)

    def pain(self, obj: dict, key: str, path: str) -> int | None:
        """NPRS: a whole number 0-10 (clarification 10)."""
        return self._whole(obj, key, path, True, 0, 10)

    def count(self, obj: dict, key: str, path: str) -> int | None:
        """An optional whole number of at least 1 (sessions per day, months of need)."""
        return self._whole(obj, key, path, False, 1, None)

    def date(self, obj: dict, key: str, path: str, *, required=True) -> date | None:
        """An ISO YYYY-MM-DD date that exists and is not after today (clarification 11)."""
        value = self.string(obj, key, path, required=required)
        if value is None:
            return None
        if not _ISO_DATE.fullmatch(value):
            self.error(path, f"{shown(value)} is not a date in the form YYYY-MM-DD")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(path, f"{value} is not a real date")
            return None
        if parsed > self.today:
            self.error(path, f"{value} is after today ({self.today.isoformat()})")
            return None
        return parsed


def _key_path(parent: str, key: str) -> str:
    """`patient.nmae`; a key that is not a plain name is quoted: `patient[""]`, `["a.b"]`."""
    if _PLAIN_KEY.fullmatch(key):
        return key if parent == "$" else f"{parent}.{key}"
    import json

    return f"{'' if parent == '$' else parent}[{json.dumps(key)}]"


def _unknown_key(key: str, keys: tuple[str, ...]) -> str:
    import difflib  # only on this error path: keep the parser's import light

    close = difflib.get_close_matches(key, keys, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key; {hint}valid keys: {', '.join(keys)}"
