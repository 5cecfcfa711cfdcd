"""Requirement ids in the code point at the repository's own docs/security.md.

Comments such as "(docs/security.md PDF-3)" name the requirement a line of code keeps; an id that
docs/security.md does not define, or a path outside the repository (a reviewer's notes next to
it), leaves a reader with nothing to open.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECURITY = ROOT / "docs" / "security.md"
REQUIREMENT = re.compile(r"\b(?:AUTH|AC|IN|OUT|PDF|LOG|DB|LOAD|RET|CI)-\d+\b")
OUTSIDE = re.compile(r"\.\./shared|shared/docs|shared/reviews")


def sources() -> list[Path]:
    """The code, templates, configuration and documents a reader follows ids from."""
    found = [ROOT / name for name in ("README.md", "SECURITY.md", "gunicorn.conf.py", "Makefile")]
    for folder, pattern in (
        ("dme_service", "*.py"),
        ("templates", "*.html"),
        ("deploy", "*"),
        ("docs", "*.md"),
        ("bench", "*.py"),
    ):
        found += [path for path in (ROOT / folder).rglob(pattern) if path.is_file()]
    return found


def test_every_cited_requirement_id_is_defined_in_docs_security_md():
    defined = set(
        re.findall(r"\*\*((?:AUTH|AC|IN|OUT|PDF|LOG|DB|LOAD|RET|CI)-\d+) ", SECURITY.read_text())
    )
    undefined = sorted(
        f"{path.relative_to(ROOT)}: {requirement}"
        for path in sources()
        for requirement in set(REQUIREMENT.findall(path.read_text(errors="replace")))
        if requirement not in defined
    )
    assert len(defined) > 30
    assert undefined == []


def test_no_file_points_outside_the_repository_for_its_requirements():
    outside = [
        str(path.relative_to(ROOT))
        for path in sources()
        if OUTSIDE.search(path.read_text(errors="replace"))
    ]
    assert outside == []
