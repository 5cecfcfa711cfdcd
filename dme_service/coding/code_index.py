"""The compact ICD-10-CM index: a SQLite file built once from simple-icd-10-cm.

`import simple_icd_10_cm` parses the whole CDC tabular (about 1.7 s); a billing script that
calls `dme-service evaluate` per case cannot pay that. `build_index` reads the package once
and writes what the service looks up (validity, billable leaf, descriptor, parent, Excludes1
references, inclusion terms for search) to `$DME_CODE_INDEX_DIR` (default
`~/.cache/dme_service/`). The file name carries the package version, so a package bump makes
`connect` rebuild it on first use. Writes are atomic (temporary file, then `os.replace`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3

SCHEMA_VERSION = 2  # 2: the trigram search index (search_fts)
PACKAGE = "simple_icd_10_cm"

# A code token inside an Excludes1 note: "(M50.1)", "(M51.1-)", "(M50.-)", "(M50-M51)".
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REFERENCE = re.compile(rf"({_CODE})(?:\s*-\s*({_CODE})|\.?-)?")
_PARENTHESES = re.compile(r"\(([^()]*)\)")

_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE item (
    code TEXT PRIMARY KEY,      -- without dot, upper case: M50122; blocks as M50-M54
    dotted TEXT NOT NULL,       -- M50.122
    kind TEXT NOT NULL,         -- code | block | chapter
    descriptor TEXT NOT NULL,
    billable INTEGER NOT NULL,  -- 1 for a leaf code
    parent TEXT,                -- dotless code of the parent item
    first_leaf TEXT,            -- first and last billable descendant (dotted), for hints
    last_leaf TEXT,
    excludes1 TEXT NOT NULL,    -- JSON [[low, high, note], ...] from this item's own notes
    search TEXT NOT NULL        -- lower-case code, descriptor and inclusion terms
) WITHOUT ROWID;
-- The codes' search text by trigrams, so "every typed word somewhere in the text" reads a
-- few index pages instead of scanning every item (38 ms to under 3 ms). Trigrams
-- match substrings, as instr() does; detail=none keeps it small: a query asks for every
-- trigram of each word and instr() checks the few rows returned (coding/codes.py).
CREATE VIRTUAL TABLE search_fts USING fts5(
    code UNINDEXED, search, tokenize='trigram', detail='none'
);
-- Two-character needles a trigram cannot hold: a letter and a digit ("c6" typed alone is a
-- spinal level), each with the codes whose search text contains it.
CREATE TABLE letter_digit (gram TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (gram, code))
    WITHOUT ROWID;
"""


class CodeIndexError(RuntimeError):
    """The index cannot be found or built (simple-icd-10-cm missing, cache not writable)."""


def index_dir() -> str:
    """The cache folder: `$DME_CODE_INDEX_DIR`, else `~/.cache/dme_service`."""
    configured = os.environ.get("DME_CODE_INDEX_DIR")
    if configured:
        return configured
    return os.path.join(os.path.expanduser("~"), ".cache", "dme_service")


def package_version() -> str:
    """simple-icd-10-cm's installed version, read from its dist-info without importing it.

    Importing the package would cost the 1.7 s the index exists to avoid, and
    importlib.metadata scans every distribution; the dist-info folder name is enough.
    """
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.origin:
        raise CodeIndexError(f"{PACKAGE} is not installed; the ICD-10-CM index cannot be built")
    site = os.path.dirname(os.path.dirname(spec.origin))
    prefix = PACKAGE + "-"
    for name in os.listdir(site):
        if name.startswith(prefix) and name.endswith(".dist-info"):
            return name[len(prefix) : -len(".dist-info")]
    from importlib import metadata

    return metadata.version("simple-icd-10-cm")


def index_path(directory: str | None = None) -> str:
    """Where the index for the installed package version lives."""
    name = f"icd10cm-{package_version()}-s{SCHEMA_VERSION}.sqlite3"
    return os.path.join(directory or index_dir(), name)


def connect(path: str | None = None) -> sqlite3.Connection:
    """A read-only connection to the index, building it first if it is missing or unreadable.

    If the cache folder cannot be written, the index goes to the system's temporary folder
    instead, so a read-only home directory costs one build per boot, not a failure.
    """
    try:
        return _open(path or index_path())
    except CodeIndexError:
        if path is not None:
            raise
        return _open(index_path(_fallback_dir()))


def _fallback_dir() -> str:
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"dme_service-{os.getuid()}")


def _open(path: str) -> sqlite3.Connection:
    if not os.path.exists(path):
        build_index(path)
    try:
        return _checked(path)
    except sqlite3.DatabaseError:
        build_index(path)  # a damaged or foreign file: replace it atomically
        return _checked(path)


def _checked(path: str) -> sqlite3.Connection:
    uri = "file:" + path.replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError:
        db.close()
        raise
    if row is None or row[0] != str(SCHEMA_VERSION):
        db.close()
        raise sqlite3.DatabaseError(f"{path} is not a schema {SCHEMA_VERSION} code index")
    return db


def parse_references(notes: list[str]) -> list[list[str]]:
    """[[low, high, note], ...] for every code or range an Excludes1 note names."""
    found = []
    for note in notes:
        for group in _PARENTHESES.findall(note):
            for low, high in _REFERENCE.findall(group):
                low = low.replace(".", "")
                found.append([low, high.replace(".", "") if high else low, note])
    return found


def build_index(path: str | None = None) -> str:
    """Read simple-icd-10-cm once and write the index atomically; returns its path."""
    import tempfile  # only when building: keeps the evaluate path's imports short

    path = path or index_path()
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".icd10cm-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CodeIndexError(f"cannot write the ICD-10-CM index in {directory}: {exc}") from exc
    os.close(fd)
    try:
        _write(tmp, _rows())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the index is public data
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _write(tmp: str, rows: list[tuple]) -> None:
    db = sqlite3.connect(tmp)
    try:
        db.executescript(_DDL)
        db.executemany("INSERT INTO item VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        db.execute("INSERT INTO search_fts SELECT code, search FROM item WHERE kind = 'code'")
        db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        db.executemany("INSERT INTO letter_digit VALUES (?, ?)", _letter_digit_rows(rows))
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("package_version", package_version()), ("schema", str(SCHEMA_VERSION))],
        )
        db.commit()
    finally:
        db.close()


_LETTER_DIGIT = re.compile(r"(?=([a-z][0-9]))")


def _letter_digit_rows(rows: list[tuple]):
    """(gram, code) for every letter-digit pair inside each code's search text."""
    for row in rows:
        if row[2] == "code":
            for gram in set(_LETTER_DIGIT.findall(row[9])):
                yield gram, row[0]


def _rows() -> list[tuple]:
    import warnings

    with warnings.catch_warnings():
        # 1.5.0 reads its data with importlib.resources' deprecated read_text.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    items: dict[str, dict] = {}
    for dotted in icd.get_all_codes(True):
        if dotted in items:
            # A single-category block shares its category's name (B10): keep one row, as a
            # code, with both nodes' Excludes1 notes and the block's parent.
            items[dotted]["excludes1"] += icd.get_excludes1(dotted, prioritize_blocks=True)
            items[dotted]["parent"] = icd.get_parent(dotted, prioritize_blocks=True)
            continue
        items[dotted] = _item(icd, dotted)
    _mark_leaf_ranges(items)
    return [_row(dotted, item) for dotted, item in items.items()]


def _item(icd, dotted: str) -> dict:
    kind = "chapter" if icd.is_chapter(dotted) else "block" if icd.is_block(dotted) else "code"
    parent = icd.get_parent(dotted) or None
    terms = icd.get_inclusion_term(dotted) if kind == "code" else []
    return {
        "kind": kind,
        "descriptor": icd.get_description(dotted),
        "billable": kind == "code" and icd.is_leaf(dotted),
        "parent": parent if parent != dotted else None,
        "excludes1": list(icd.get_excludes1(dotted)),
        "terms": terms,
        "first": None,
        "last": None,
    }


def _mark_leaf_ranges(items: dict[str, dict]) -> None:
    # The tabular lists codes in order, so each item's leaves are first..last in that order.
    for dotted, item in items.items():
        if not item["billable"]:
            continue
        parent = item["parent"]
        seen = set()
        while parent and parent not in seen and parent in items:
            seen.add(parent)
            ancestor = items[parent]
            ancestor["first"] = ancestor["first"] or dotted
            ancestor["last"] = dotted
            parent = ancestor["parent"]


def _row(dotted: str, item: dict) -> tuple:
    # Blocks (M50-M54) and chapters (13) have no dot, so one rule makes every key dotless.
    code = dotted.replace(".", "")
    parent = item["parent"].replace(".", "") if item["parent"] else None
    search = " ".join([code.lower(), dotted.lower(), item["descriptor"].lower()] + item["terms"])
    return (
        code,
        dotted,
        item["kind"],
        item["descriptor"],
        int(item["billable"]),
        parent,
        item["first"],
        item["last"],
        json.dumps(parse_references(item["excludes1"])),
        search.lower(),
    )
