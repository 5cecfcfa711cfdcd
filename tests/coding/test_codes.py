"""ICD-10-CM index, HCPCS table, NPI check digit and the diagnosis picker's search."""

from __future__ import annotations

import os
import sqlite3

import pytest
from stdnum import luhn

from dme_service.coding import code_index, codes


@pytest.mark.parametrize(
    ("text", "dotted", "billable"),
    [
        ("M50.122", "M50.122", True),
        ("M50122", "M50.122", True),
        ("m50.122", "M50.122", True),
        (" m50122 ", "M50.122", True),
        ("M50.12", "M50.12", False),
        ("S13.4XXA", "S13.4XXA", True),
        ("S13.4", "S13.4", False),
        ("M54.2", "M54.2", True),
    ],
)
def test_lookup_accepts_dots_optional_any_case(text, dotted, billable):
    found = codes.lookup(text)
    assert found.code == dotted
    assert found.billable is billable


@pytest.mark.parametrize("text", ["X99.99", "M50.9999", "13", "M50-M54", "", "E0860", "M5O.122"])
def test_lookup_refuses_what_is_not_a_code(text):
    assert codes.lookup(text) is None


def test_descriptor_matches_the_april_2026_tabular():
    assert codes.lookup("M50.122").descriptor == (
        "Cervical disc disorder at C5-C6 level with radiculopathy"
    )


@pytest.mark.parametrize(
    ("parent", "hint"),
    [("M50.12", "M50.120-M50.123"), ("M50", "M50.00-M50.93"), ("S13.4", "S13.4XXA-S13.4XXS")],
)
def test_billable_hint_spans_the_parents_leaves(parent, hint):
    assert codes.billable_hint(codes.lookup(parent)) == hint


def test_exclusions_walk_the_ancestors():
    owners = {e.owner for e in codes.exclusions("M54.12")}
    assert "M54.1" in owners


def test_excludes1_pairs_finds_m54_12_with_m50_122():
    pairs = codes.excludes1_pairs(("M54.12", "M50.122"))
    assert [(a, b, e.owner) for a, b, e in pairs] == [("M54.12", "M50.122", "M54.1")]


@pytest.mark.parametrize(
    ("notes", "references"),
    [
        (["radiculopathy with cervical disc disorder (M50.1)"], [["M501", "M501"]]),
        (["radiculopathy with spondylosis (M47.2-)"], [["M472", "M472"]]),
        (["cervicalgia due to intervertebral cervical disc disorder (M50.-)"], [["M50", "M50"]]),
        (["intervertebral disc disorders (M50-M51)"], [["M50", "M51"]]),
        (["current injury - see injury of spine by body region"], []),
    ],
)
def test_excludes1_notes_are_parsed_into_code_ranges(notes, references):
    assert [r[:2] for r in code_index.parse_references(notes)] == references


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("M50122", "M50.122"),
        ("m50.12", "M50.12"),
        ("c5-c6 radic", "M50.122"),
        ("cervicalgia", "M54.2"),
    ],
)
def test_search_codes_by_prefix_or_words(query, first):
    results = codes.search_codes(query)
    assert results[0]["code"] == first
    assert set(results[0]) == {"code", "descriptor", "billable"}


def test_search_respects_the_limit_and_empty_queries():
    assert len(codes.search_codes("M5", limit=3)) == 3
    assert codes.search_codes("   ") == []


def test_hcpcs_descriptors_cover_every_home_device():
    from dme_service.case.model import HOME_DEVICES

    assert set(codes.HCPCS_DESCRIPTORS) == set(HOME_DEVICES)
    assert codes.HCPCS_DESCRIPTORS["E0860"] == "Traction equipment, overdoor, cervical"


@pytest.mark.parametrize("first_nine", [f"{n:09d}" for n in range(123456780, 123456800)])
def test_npi_check_agrees_with_stdnum_luhn(first_nine):
    for digit in "0123456789":
        npi = first_nine + digit
        assert codes.npi_is_valid(npi) is luhn.is_valid("80840" + npi)


@pytest.mark.parametrize("npi", ["123456789", "12345678931", "12345678a3", "１２３４５６７８９３"])
def test_npi_must_be_ten_ascii_digits(npi):
    assert codes.npi_is_valid(npi) is False


@pytest.mark.slow
def test_the_index_is_rebuilt_for_a_new_package_version(tmp_path, monkeypatch):
    monkeypatch.setenv("DME_CODE_INDEX_DIR", str(tmp_path))
    monkeypatch.setattr(code_index, "package_version", lambda: "9.9.9")
    codes.reset_index_connection()
    try:
        assert codes.lookup("M50.122").billable
        built = tmp_path / f"icd10cm-9.9.9-s{code_index.SCHEMA_VERSION}.sqlite3"
        assert built.exists()
        meta = dict(sqlite3.connect(built).execute("SELECT key, value FROM meta"))
        assert meta["package_version"] == "9.9.9"
        assert oct(os.stat(built).st_mode & 0o777) == "0o644"
        assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    finally:
        codes.reset_index_connection()


def test_index_path_carries_the_installed_version():
    assert code_index.package_version() == "1.5.0"
    assert os.path.basename(code_index.index_path()) == "icd10cm-1.5.0-s2.sqlite3"


@pytest.mark.slow
def test_a_damaged_index_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("DME_CODE_INDEX_DIR", str(tmp_path))
    damaged = tmp_path / os.path.basename(code_index.index_path())
    damaged.write_bytes(b"not a database" * 100)
    codes.reset_index_connection()
    try:
        assert codes.lookup("M54.2").billable
        assert damaged.read_bytes().startswith(b"SQLite format 3")
    finally:
        codes.reset_index_connection()


def test_an_unwritable_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    real = code_index.index_path()
    code_index.connect(real).close()  # the real index exists (built if missing)
    monkeypatch.setenv("DME_CODE_INDEX_DIR", str(tmp_path / "cache"))
    fallback = tmp_path / "tmp"
    built = []

    def fake_build(path=None):
        if str(tmp_path / "cache") in path:
            raise code_index.CodeIndexError("cannot write")
        built.append(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(real, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
        return path

    monkeypatch.setattr(code_index, "build_index", fake_build)
    monkeypatch.setattr(code_index, "_fallback_dir", lambda: str(fallback))
    connection = code_index.connect()
    try:
        assert connection.execute("SELECT count(*) FROM item").fetchone()[0] > 90000
        assert built == [code_index.index_path(str(fallback))]
    finally:
        connection.close()


def test_children_are_the_codes_one_level_down():
    assert [c.code for c in codes.children("M50.12")] == [
        "M50.120",
        "M50.121",
        "M50.122",
        "M50.123",
    ]
    assert [c.code for c in codes.children("M50.1")] == ["M50.10", "M50.11", "M50.12", "M50.13"]
    assert codes.children("M50.122") == []


def _pairs_by_every_pair(diagnoses):
    """The definition, pair by pair (the quadratic loop H1 replaced), as the reference."""
    pairs = []
    for code in dict.fromkeys(diagnoses):
        for other in dict.fromkeys(diagnoses):
            if other == code:
                continue
            for exclusion in codes.exclusions(code):
                if exclusion.covers(codes.normalize(other)):
                    pairs.append((code, other, exclusion))
                    break
    return pairs


@pytest.mark.parametrize(
    "diagnoses",
    [
        ("M54.12", "M50.122"),
        ("M50.122", "M54.12", "M54.2", "M50.120", "M47.812", "G54.2", "M54.13"),
        ("M54.2", "M50.20", "M54.12", "M50.30", "M50.121", "M54.12"),
    ],
)
def test_excludes1_pairs_agree_with_the_pairwise_definition(diagnoses):
    assert codes.excludes1_pairs(diagnoses) == _pairs_by_every_pair(diagnoses)
    assert codes.excludes1_pairs(("M54.12", "M50.122"))  # the contract's example is found


def test_pentest_h1_excludes1_pairs_looks_each_code_up_once(monkeypatch):
    """H1: 4,000 codes took 17.8 s; the notes of each distinct code are read once."""
    calls = []
    real = codes.exclusions
    monkeypatch.setattr(codes, "exclusions", lambda code: calls.append(code) or real(code))
    repeated = ("M50.120", "M54.12", "M54.2", "M47.812", "G54.2") * 40
    codes.excludes1_pairs(repeated)
    assert sorted(calls) == sorted(set(repeated))


@pytest.mark.parametrize(
    "words",
    [
        ["radiculopathy", "cervical"],
        ["c6"],
        ["c5-c6", "disc"],
        ["neck", "pa"],
        ["x"],
        ['o"brien'],
        ["whiplash"],
    ],
)
def test_the_search_index_finds_exactly_what_a_scan_of_every_code_finds(words):
    """The trigram and letter-digit indexes only narrow; the answer is the full scan's."""
    where = " AND ".join("instr(search, ?) > 0" for _ in words)
    scan = codes._query(
        "SELECT dotted, descriptor, billable, search FROM item WHERE kind = 'code' AND "
        + where
        + " ORDER BY code LIMIT 500",
        tuple(words),
    )
    expected = [(r[0], r[1], bool(r[2]), r[3]) for r in scan]
    assert codes.codes_with_words(words, 500) == expected
