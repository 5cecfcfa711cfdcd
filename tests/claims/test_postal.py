"""A typed US address split into the parts a claim's address has; what cannot be told apart
is left empty, never guessed."""

from __future__ import annotations

import pytest

from dme_service.claims.postal import PostalAddress, split


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("2 Lake St, Springfield, IL 62701-1234", ("2 Lake St", "Springfield", "IL", "627011234")),
        ("2 Lake St\nSpringfield IL 62701", ("2 Lake St", "Springfield", "IL", "62701")),
        ("2 Lake St, Springfield", ("2 Lake St", "Springfield", "", "")),
        ("2 Lake St, Springfield, ZZ 62701", ("2 Lake St", "ZZ 62701", "", "")),
        ("1 Main St, Suite 2, Philadelphia, PA", ("1 Main St", "Philadelphia", "PA", "")),
        ("Somewhere", ("Somewhere", "", "", "")),
        ("", ("", "", "", "")),
        (None, ("", "", "", "")),
    ],
)
def test_split(typed, parts):
    assert split(typed) == PostalAddress(*parts)
