"""Bounds on a dme-case/1 document, shared by every door (CLI, JSON API, web forms).

docs/security.md IN-2 asks for a length limit on every text field, and the limits belong in
the parser rather than in one door: a
57 KB list of repeated diagnoses sent to the API kept a worker busy for 30 s, and a 60 KB
patient name made every signing render time out. So the parser refuses, with a message in
the contract's words (docs/case-format.md style: what is allowed, what was sent):

- at most 12 diagnoses (an 837P claim carries 12), each listed once;
- at most 30 trials and 20 prior devices (far more than any episode records);
- names at most 200 characters, member ids 64, the order's frequency 200;
- no control characters (tab, line feed, NUL...) or bidirectional overrides in one-line text,
  and text is stored in Unicode NFC so the same name is the same string everywhere;
- a Medicare Beneficiary Identifier for the payers that use one (`medicare`, `ibx_ma`).

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata

MAX_DIAGNOSES = 12  # ASC X12 837P: at most 12 diagnosis codes on a professional claim
MAX_TRIALS = 30
MAX_PRIOR_DEVICES = 20
MAX_NAME = 200
MAX_MEMBER_ID = 64
MAX_FREQUENCY_TEXT = 200
MAX_CODE = 20  # longer than any ICD-10-CM or HCPCS code, typed with dots and spaces
# The parser stops collecting after this many problems (a 1 MiB list of bad items would
# otherwise be answered with 53 MB of errors); one last entry at `$` says that more were left out.
MAX_ERRORS = 50

# Payers whose member id is a Medicare Beneficiary Identifier.
MBI_PAYERS = frozenset({"medicare", "ibx_ma"})
# CMS MBI format: 11 characters, C A AN N A AN N A A N N; letters exclude S, L, O, I, B, Z.
_A = "[AC-HJKMNP-RT-Y]"
_AN = "[AC-HJKMNP-RT-Y0-9]"
MBI = re.compile(f"[1-9]{_A}{_AN}[0-9]{_A}{_AN}[0-9]{_A}{_A}[0-9][0-9]")

# Bidirectional embedding, override and isolate characters: they reorder how a name is shown
# (a "Trojan Source" spoof) and have no place in a name, an id or an order's frequency.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown(value: str, limit: int = 40) -> str:
    """`value` quoted for a message, cut to `limit` characters (never echo a megabyte back)."""
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def line_problem(text: str, limit: int) -> str | None:
    """Why `text` is not acceptable one-line text of at most `limit` characters, or None."""
    if len(text) > limit:
        return f"must be at most {limit} characters, not {len(text)}"
    for char in text:
        if unicodedata.category(char) == "Cc":
            return (
                f"must not contain control characters such as tab, line feed or NUL "
                f"(found U+{ord(char):04X})"
            )
        if char in _BIDI:
            return f"must not contain bidirectional override characters (found U+{ord(char):04X})"
    return None


def normal_text(text: str) -> str:
    """The stored form of one-line text: Unicode NFC, surrounding space removed."""
    return unicodedata.normalize("NFC", text).strip()


def normal_mbi(text: str) -> str:
    """'1eg4-te5-mk73 ' -> '1EG4TE5MK73' (cards print MBIs with dashes)."""
    return re.sub(r"[\s-]", "", text or "").upper()


def mbi_problem(member_id: str) -> str | None:
    """Why a member id is not a Medicare Beneficiary Identifier, or None if it is one."""
    mbi = normal_mbi(member_id)
    if len(mbi) != 11:
        return f"A Medicare MBI has 11 characters; this has {len(mbi)}. Example: 1EG4-TE5-MK73."
    if not MBI.fullmatch(mbi):
        return (
            "This is not a Medicare MBI: the 1st, 4th, 7th, 10th and 11th characters are "
            "digits, the 2nd, 5th, 8th and 9th letters (not S, L, O, I, B or Z). "
            "Example: 1EG4-TE5-MK73."
        )
    return None
