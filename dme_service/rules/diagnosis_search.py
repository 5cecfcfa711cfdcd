"""Diagnosis search in a therapist's words: "herniated disc neck", "disc herniation c5-c6",
"neck pain", "pinched nerve", "whiplash", "C6".

Three sources of candidates, then one ranking (domain.md §11):
- the reviewed table of clinical terms (`data/diagnosis_synonyms.toml`): a term whose words
  are all typed brings its codes;
- the ICD-10-CM descriptors and inclusion terms containing every typed word (`codes`);
- a code typed by its start (`M50122`, `m50.12`); but "C1".."C8" alone is a spinal level
  (C6 means the sixth cervical nerve root to a PT, not the C60-C63 cancers).
Ranking, best first: codes a term of the table brought; the contract's cervical impairment
codes (criterion 1), then other codes that name the neck, then the rest; among those, the
codes that name the typed level (C5-C6) on its own, then inside a pair (C6 in C5-C6); codes
that name a typed word only after "without", and myelopathy codes unless it was typed,
after the others; then the table's order; billable codes before categories. `more` says
that more codes match than are shown.
The ranking is a pure function of the candidates (`rank`), apart from the index queries.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dme_service.coding import codes
from dme_service.rules.policy import load_code_list

SYNONYMS_FILE = Path(__file__).parent / "data" / "diagnosis_synonyms.toml"
FETCH = 500  # text matches read for ranking; reaching it means there are more
_LEVEL = re.compile(r"(?<![a-z0-9])c([1-8])(?:\s*[-/]\s*c?([1-8]))?(?![a-z0-9])")
_WORD = re.compile(r"[a-z0-9][a-z0-9.'-]*")
_CODE_LIKE = re.compile(r"^[A-Z][0-9][0-9A-Z]{0,5}$|^[A-Z]$")
_LEVEL_ONLY = re.compile(r"^C[1-8]$")
_FILLER = frozenset({"of", "the", "in", "at", "with", "and", "a", "on", "my", "level", "lvl"})
_NECK = re.compile(r"cervic|neck")


@dataclass(frozen=True)
class Term:
    words: frozenset[str]
    codes: tuple[str, ...]  # dotted; "M50.2-" = every billable code under M50.2


@dataclass(frozen=True)
class Synonyms:
    forms: dict[str, str]
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Candidate:
    code: str
    descriptor: str
    billable: bool
    text: str  # lower-case code, descriptor and inclusion terms
    term: int | None = None  # position of the table term (and code) that brought it


@dataclass(frozen=True)
class Matches:
    results: list[dict]
    more: bool


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # what is left once the levels are taken out, lower case
    levels: tuple[str, ...]  # "c5-c6" or "c6"


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    """The reviewed table of clinical terms."""
    with open(SYNONYMS_FILE, "rb") as fh:
        data = tomllib.load(fh)
    terms = tuple(
        Term(frozenset(raw["words"]), tuple(raw["codes"])) for raw in data.get("term", [])
    )
    return Synonyms(dict(data.get("forms", {})), terms)


def parse_query(text: str) -> Query:
    """Levels (c5-c6, C5/6, c6) and the other words of a search."""
    lowered = text.lower()
    levels = []
    for match in _LEVEL.finditer(lowered):
        low, high = match.group(1), match.group(2)
        levels.append(f"c{low}-c{high}" if high else f"c{low}")
    rest = _LEVEL.sub(" ", lowered)
    words = tuple(w.strip(".'-") for w in _WORD.findall(rest) if w.strip(".'-"))
    return Query(words, tuple(levels))


def term_hits(query: Query, table: Synonyms) -> list[tuple[int, str]]:
    """(term position, code pattern) for every table term whose words were all typed."""
    typed = {table.forms.get(word, word) for word in query.words if word not in _FILLER}
    hits = []
    for position, term in enumerate(table.terms):
        if term.words <= typed:
            hits.extend((position, code) for code in term.codes)
    return hits


def level_rank(text: str, levels: tuple[str, ...]) -> int:
    """0 when the code names the typed level on its own, 1 inside a pair (C6 in C5-C6),
    2 when it does not name it (no levels typed: 0)."""
    if not levels:
        return 0
    best = 2
    for level in levels:
        if re.search(rf"(?<![a-z0-9/-]){level}(?![0-9/-])", text):
            return 0
        if "-" not in level and re.search(rf"(?<![a-z0-9]){level}(?![0-9])", text):
            best = 1
    return best


def cervical_rank(code: str, text: str) -> int:
    """0 for the contract's cervical impairment codes (criterion 1), 1 for codes that name
    the neck, 2 for the rest."""
    if load_code_list("cervical_impairment").matches(code.replace(".", "")):
        return 0
    return 1 if _NECK.search(text) else 2


def said_without(descriptor: str, words: tuple[str, ...]) -> bool:
    """True when the code names a typed word only to exclude it ("Spondylosis without
    myelopathy or radiculopathy" for "radiculopathy"): such a code is not what was meant."""
    _, found, excluded = descriptor.lower().partition("without ")
    return bool(found) and any(word in excluded for word in words if len(word) > 3)


def unasked_myelopathy(descriptor: str, words: tuple[str, ...]) -> bool:
    """True for a "with myelopathy" code when myelopathy was not typed. Myelopathy is an
    absolute contraindication to traction (case-format.md status 1): a therapist who means it
    types it, so those codes follow the others of the same level."""
    text = descriptor.lower()
    return "with myelopathy" in text and not any(w.startswith("myelop") for w in words)


def rank(candidates: list[Candidate], query: Query) -> list[Candidate]:
    """Best first (see the module docstring); each code once, at its best place."""

    def key(candidate: Candidate) -> tuple:
        return (
            candidate.term is None,
            cervical_rank(candidate.code, candidate.text),
            level_rank(candidate.text, query.levels),
            said_without(candidate.descriptor, query.words),
            unasked_myelopathy(candidate.descriptor, query.words),
            candidate.term if candidate.term is not None else 0,
            not candidate.billable,
            candidate.code,
        )

    best: dict[str, Candidate] = {}
    for candidate in sorted(candidates, key=key):
        best.setdefault(candidate.code, candidate)
    return list(best.values())


def find_codes(text: str, limit: int = 20) -> Matches:
    """The codes for a search as a therapist types it, best first, and whether there are more."""
    text = (text or "").strip()[:100]
    if not text or limit <= 0:
        return Matches([], False)
    key = codes.normalize(text)
    if _CODE_LIKE.match(key) and not _LEVEL_ONLY.match(key):
        rows = codes.codes_under(key, limit + 1)
        found = [_result(code, words, billable) for code, words, billable, _ in rows]
        return Matches(found[:limit], len(found) > limit)
    query = parse_query(text)
    from_text = _from_text(query)
    ranked = rank(_from_terms(query) + from_text, query)
    more = len(ranked) > limit or len(from_text) >= FETCH
    return Matches([_result(c.code, c.descriptor, c.billable) for c in ranked[:limit]], more)


def _from_terms(query: Query) -> list[Candidate]:
    found = []
    # The position in the flattened (term, code) list keeps both the term and the code order.
    for position, (_, pattern) in enumerate(term_hits(query, synonyms())):
        found.extend(
            Candidate(code, words, billable, text, position)
            for code, words, billable, text in _term_rows(pattern)
        )
    return found


@lru_cache(maxsize=256)
def _term_rows(pattern: str) -> tuple[tuple[str, str, bool, str], ...]:
    """The billable codes a table entry names: "M50.2-" every one below M50.2, else the code."""
    rows = codes.codes_under(pattern)
    if not pattern.endswith("-"):
        rows = [row for row in rows if row[0] == pattern]
    return tuple(row for row in rows if row[2])


def _from_text(query: Query) -> list[Candidate]:
    words = [w for w in query.words if w not in _FILLER]
    if not words and not query.levels:
        return []
    needles = words + list(query.levels)
    rows = codes.codes_with_words(needles, FETCH)
    if not rows and words and query.levels:
        rows = codes.codes_with_words(words, FETCH)  # the level ranks, it need not filter
    found = [Candidate(code, d, billable, text) for code, d, billable, text in rows]
    if query.levels and not words:
        # "c6" is in "c60.0" too: keep the codes that name the level as a level.
        found = [c for c in found if level_rank(c.text, query.levels) < 2]
    return found


def _result(code: str, descriptor: str, billable: bool) -> dict:
    return {"code": code, "descriptor": descriptor, "billable": billable}
