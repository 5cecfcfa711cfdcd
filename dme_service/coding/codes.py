"""Code lookups: ICD-10-CM (through the compact index), HCPCS descriptors, NPI check digit.

Everything here is cheap to import: the ICD-10-CM data comes from the SQLite index that
`code_index` builds once, never from `simple_icd_10_cm` itself (see code_index's docstring).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from dme_service.coding import code_index

# domain.md §2 (CMS HCPCS long descriptors, release of about 2020; unconfirmed).
HCPCS_DESCRIPTORS: dict[str, str] = {
    "E0860": "Traction equipment, overdoor, cervical",
    "E0849": (
        "Traction equipment, cervical, free-standing stand/frame, pneumatic, "
        "applying traction force to other than mandible"
    ),
    "E0855": "Cervical traction equipment not requiring additional stand or frame",
    "E0840": "Traction frame, attached to headboard, cervical traction",
    "E0850": "Traction stand, free standing, cervical traction",
    "E0856": "Cervical traction device, with inflatable air bladder(s)",
    "E0941": "Gravity assisted traction device, any type",
}
# Clarification 8: the codes that count for same-or-similar.
CERVICAL_TRACTION_CODES: frozenset[str] = frozenset(
    ("E0840", "E0849", "E0850", "E0855", "E0856", "E0860")
)

_DOTLESS = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class IcdCode:
    """One ICD-10-CM code from the index."""

    code: str  # dotted, upper case: M50.122
    descriptor: str
    billable: bool
    parent: str | None  # dotless key of the parent item (a code, block or chapter)
    first_leaf: str | None  # for a parent code: its first and last billable descendants
    last_leaf: str | None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An Excludes1 reference: codes from `low` to `high` (dotless prefixes), with its note."""

    owner: str  # dotted code (or block) whose note it is
    low: str
    high: str
    note: str

    def covers(self, dotless: str) -> bool:
        return dotless[: len(self.low)] >= self.low and dotless[: len(self.high)] <= self.high


_lock = threading.RLock()
_connection = None
_connection_pid = None


def _db():
    """The index connection of this process (reopened after a fork: SQLite connections must
    not cross one)."""
    global _connection, _connection_pid
    if _connection is None or _connection_pid != os.getpid():
        with _lock:
            if _connection is None or _connection_pid != os.getpid():
                _connection = code_index.connect()
                _connection_pid = os.getpid()
    return _connection


def _query(sql: str, params: tuple) -> list[tuple]:
    # One connection per process, shared by threads: queries take turns.
    with _lock:
        return _db().execute(sql, params).fetchall()


def reset_index_connection() -> None:
    """Forget the open index (tests that point DME_CODE_INDEX_DIR elsewhere call this)."""
    global _connection
    with _lock:
        if _connection is not None and _connection_pid == os.getpid():
            _connection.close()
        _connection = None
    lookup.cache_clear()
    exclusions.cache_clear()


def normalize(text: str) -> str:
    """`m50122`, `M50.122 ` -> `M50122`: upper case, no dot, no surrounding space."""
    return text.strip().upper().replace(".", "")


@lru_cache(maxsize=4096)
def lookup(code: str) -> IcdCode | None:
    """The ICD-10-CM code (dots optional, any case), or None if it is not a code."""
    key = normalize(code)
    if not _DOTLESS.match(key):
        return None
    rows = _query(
        "SELECT dotted, descriptor, billable, parent, first_leaf, last_leaf "
        "FROM item WHERE code = ? AND kind = 'code'",
        (key,),
    )
    row = rows[0] if rows else None
    if row is None:
        return None
    return IcdCode(row[0], row[1], bool(row[2]), row[3], row[4], row[5])


def billable_hint(code: IcdCode) -> str:
    """'M50.120-M50.123' for a parent code: the billable codes to choose from."""
    if code.first_leaf is None:
        return ""
    if code.first_leaf == code.last_leaf:
        return code.first_leaf
    return f"{code.first_leaf}-{code.last_leaf}"


def children(code: str) -> list[IcdCode]:
    """The codes one level below `code` (M50.12 -> M50.120 ... M50.123), in tabular order."""
    key = normalize(code)
    # A code's children share its characters as a prefix: a primary-key range, then parent.
    rows = _query(
        "SELECT dotted, descriptor, billable, parent, first_leaf, last_leaf FROM item "
        "WHERE code > ? AND code < ? AND parent = ? AND kind = 'code' ORDER BY code",
        (key, key + "~", key),
    )
    return [IcdCode(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]


@lru_cache(maxsize=4096)
def exclusions(code: str) -> tuple[Exclusion, ...]:
    """Every Excludes1 reference that applies to `code`: its own and its ancestors' notes.

    ICD-10-CM guidelines I.A.12.a: an Excludes1 note at a category applies to every code
    below it, so M54.12 inherits M54.1's "radiculopathy with cervical disc disorder (M50.1)".
    """
    found: list[Exclusion] = []
    key: str | None = normalize(code)
    seen: set[str] = set()
    while key and key not in seen:
        seen.add(key)
        rows = _query("SELECT dotted, parent, excludes1 FROM item WHERE code = ?", (key,))
        row = rows[0] if rows else None
        if row is None:
            break
        for low, high, note in json.loads(row[2]):
            found.append(Exclusion(row[0], low, high, note))
        key = row[1]
    return tuple(found)


def excludes1_pairs(codes: tuple[str, ...]) -> list[tuple[str, str, Exclusion]]:
    """(code, excluded code, note) for each pair of `codes` that Excludes1 forbids together.

    Linear in the codes and their notes (a pairwise loop takes 30 s for 6,000 repeated
    codes): each code is normalized once, repeats are dropped, and each
    note's range is looked up by bisection in the sorted codes. Order: by code, then by the
    excluded code, both in the order given; per pair, the first note that covers it.
    """
    unique = list(dict.fromkeys(codes))
    keyed = sorted((normalize(code), index) for index, code in enumerate(unique))
    keys = [key for key, _ in keyed]
    pairs = []
    for index, code in enumerate(unique):
        found: dict[int, Exclusion] = {}
        for exclusion in exclusions(code):
            # covers(k) <=> low <= k and k[:len(high)] <= high <=> low <= k < high + "~"
            start = bisect.bisect_left(keys, exclusion.low)
            stop = bisect.bisect_left(keys, exclusion.high + "~")
            for _, other in keyed[start:stop]:
                if other != index and other not in found:
                    found[other] = exclusion
        pairs.extend((code, unique[other], found[other]) for other in sorted(found))
    return pairs


def search_codes(query: str, limit: int = 20) -> list[dict]:
    """Codes for a diagnosis picker: by code prefix (`M50122`, `m50.12`) or by words
    in descriptors and inclusion terms (`c5-c6 radic`). Each: code, descriptor, billable."""
    query = query.strip()
    if not query or limit <= 0:
        return []
    key = normalize(query)
    sql = "SELECT dotted, descriptor, billable FROM item WHERE kind = 'code' AND "
    if _DOTLESS.match(key) or re.fullmatch(r"[A-Z][0-9]?", key):
        rows = _query(sql + "code >= ? AND code < ? ORDER BY code LIMIT ?", (key, key + "~", limit))
    else:
        words = [w.lower() for w in _WORD.findall(query)][:8]
        where = " AND ".join("instr(search, ?) > 0" for _ in words)
        rows = _query(sql + where + " ORDER BY billable DESC, code LIMIT ?", (*words, limit))
    return [{"code": r[0], "descriptor": r[1], "billable": bool(r[2])} for r in rows]


def codes_under(prefix: str, limit: int = 200) -> list[tuple[str, str, bool, str]]:
    """(dotted, descriptor, billable, search text) of `prefix` itself and every code below
    it, in code order (a primary-key range)."""
    key = normalize(prefix).rstrip("-")
    sql = (
        "SELECT dotted, descriptor, billable, search FROM item WHERE kind = 'code' "
        "AND code >= ? AND code < ? ORDER BY code LIMIT ?"
    )
    return [(r[0], r[1], bool(r[2]), r[3]) for r in _query(sql, (key, key + "~", limit))]


_LETTER_DIGIT = re.compile(r"[a-z][0-9]")


def codes_with_words(words: list[str], limit: int = 500) -> list[tuple[str, str, bool, str]]:
    """(dotted, descriptor, billable, search text) of the codes whose code, descriptor or
    inclusion terms contain every one of `words` (lower case), in code order."""
    if not words:
        return []
    where = " AND ".join("instr(search, ?) > 0" for _ in words)
    sql = "SELECT dotted, descriptor, billable, search FROM item WHERE kind = 'code' AND "
    indexed = [word for word in words if len(word) >= 3]  # a trigram needs three characters
    if indexed:
        # The trigram index narrows to the codes holding every trigram of every long word;
        # instr() then checks each word exactly (trigrams in another order match too).
        trigrams = sorted({word[i : i + 3] for word in indexed for i in range(len(word) - 2)})
        match = " AND ".join('"' + gram.replace('"', '""') + '"' for gram in trigrams)
        sql += "code IN (SELECT code FROM search_fts WHERE search_fts MATCH ?) AND "
        rows = _query(sql + where + " ORDER BY code LIMIT ?", (match, *words, limit))
    elif any(_LETTER_DIGIT.fullmatch(word) for word in words):
        gram = next(word for word in words if _LETTER_DIGIT.fullmatch(word))
        sql += "code IN (SELECT code FROM letter_digit WHERE gram = ?) AND "
        rows = _query(sql + where + " ORDER BY code LIMIT ?", (gram, *words, limit))
    else:  # one or two characters of another kind: rare, and a scan
        rows = _query(sql + where + " ORDER BY code LIMIT ?", (*words, limit))
    return [(r[0], r[1], bool(r[2]), r[3]) for r in rows]


def npi_is_valid(npi: str) -> bool:
    """Ten digits whose check digit passes Luhn over '80840' + NPI (the NPI standard).

    Same algorithm as stdnum.luhn.is_valid (the tests check they agree); written out here
    because importing stdnum costs about 50 ms, a third of a cold `evaluate`.
    """
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
