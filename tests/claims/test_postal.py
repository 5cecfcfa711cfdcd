"""A typed US address split into the parts a claim's address has; what cannot be told apart
is left empty, never guessed."""

from __future__ import annotations

import pytest

from dme_service.claims.postal import PostalAddress, joined, same, split


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("2 Lake St, Springfield, IL 62701-1234", ("2 Lake St", "Springfield", "IL", "627011234")),
        ("2 Lake St\nSpringfield IL 62701", ("2 Lake St", "Springfield", "IL", "62701")),
        ("2 Lake St, Springfield", ("2 Lake St", "Springfield", "", "")),
        ("2 Lake St, Springfield, ZZ 62701", ("2 Lake St", "ZZ 62701", "", "")),
        # The suite is part of the street the payer has on file: never dropped.
        ("1 Main St, Suite 2, Philadelphia, PA", ("1 Main St, Suite 2", "Philadelphia", "PA", "")),
        ("Somewhere", ("Somewhere", "", "", "")),
        ("", ("", "", "", "")),
        (None, ("", "", "", "")),
    ],
)
def test_split(typed, parts):
    assert split(typed) == PostalAddress(*parts)


@pytest.mark.parametrize(
    "parts",
    [
        ("410 River Road, Suite 200", "Springfield", "PA", "190641234"),
        ("2 Lake St", "Springfield", "IL", "62701"),
        ("PO Box 7", "Springfield", "IL", ""),
    ],
)
def test_joined_parts_split_back_part_for_part(parts):
    """Billing's supplier page writes the parts it edits into the profile's one address text."""
    address = PostalAddress(*parts)
    assert split(joined(address)) == address


def test_joined_writes_the_zip_plus_4_with_its_dash():
    address = PostalAddress("2 Lake St", "Springfield", "IL", "627011234")
    assert joined(address) == "2 Lake St, Springfield, IL 62701-1234"


def test_the_same_address_in_another_letter_case_or_zip_dash_is_the_same():
    first = PostalAddress("2 Lake St", "Springfield", "IL", "62701-1234")
    assert same(first, PostalAddress("2 LAKE ST", "springfield", "il", "627011234"))
    assert not same(first, PostalAddress("2 Lake St", "Springfield", "IL", "62701"))
