"""A US postal address typed on one or two lines ("2 Lake St, Springfield, IL 62701-1234"),
split into the parts a claim's address has: street, city, state and ZIP; and parts joined
back into one typed address.

The clinic profile keeps its address as one text, as the administrator typed it (the
letterhead prints it); the claim's billing provider (loop 2010AA N3/N4) needs the parts, and
billing's supplier page writes the parts it edits back into that same text (`joined`). What
cannot be told apart is left empty for the biller to give, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dme_service.claims import directory

_STATE_ZIP = re.compile(r"^(?P<state>[A-Za-z]{2})\.?(?:\s+(?P<zip>\d{5}(?:-?\d{4})?))?$")


@dataclass(frozen=True)
class PostalAddress:
    line1: str = ""
    city: str = ""
    state: str = ""  # USPS two-letter code
    zip: str = ""  # 5 or 9 digits, no dash


def split(text: str | None) -> PostalAddress:
    """The parts of a typed address: street first, then city, then "ST 12345[-6789]"
    (on the city's line or on its own)."""
    parts = [p.strip() for p in re.split(r"[,\n]", text or "") if p.strip()]
    if len(parts) < 2:
        return PostalAddress(line1=parts[0] if parts else "")
    state = zip_code = ""
    found = _state_and_zip(parts[-1])
    if found is not None:
        state, zip_code = found
        parts = parts[:-1]
    else:
        words = parts[-1].rsplit(" ", 2)
        for cut in (1, 2):  # "Springfield IL" or "Springfield IL 62701" at the city's end
            tail = _state_and_zip(" ".join(words[-cut:])) if len(words) > cut else None
            if tail is not None:
                state, zip_code = tail
                parts[-1] = " ".join(words[:-cut])
                break
    # With the state found, everything before the city is the street: a suite or floor typed
    # after a comma stays on it (dropping it would send an address the payer does not have).
    street = ", ".join(parts[:-1]) if state and len(parts) > 1 else parts[0]
    return PostalAddress(street, parts[-1] if len(parts) > 1 else "", state, zip_code)


def joined(address: PostalAddress) -> str:
    """The parts as one typed address ("2 Lake St, Springfield, IL 62701-1234"), which
    `split` gives back part for part when the city holds no comma."""
    zip_code = address.zip
    if len(zip_code) == 9 and zip_code.isdigit():
        zip_code = f"{zip_code[:5]}-{zip_code[5:]}"
    region = " ".join(part for part in (address.state, zip_code) if part)
    return ", ".join(part for part in (address.line1, address.city, region) if part)


def same(first: PostalAddress, second: PostalAddress) -> bool:
    """The same address as a clerk reads it: letter case and the ZIP's dash aside."""
    return all(
        a.upper().replace("-", "") == b.upper().replace("-", "")
        for a, b in zip(_parts(first), _parts(second), strict=True)
    )


def _parts(address: PostalAddress) -> tuple[str, str, str, str]:
    return (address.line1, address.city, address.state, address.zip)


def _state_and_zip(text: str) -> tuple[str, str] | None:
    found = _STATE_ZIP.match(text.strip())
    if found is None or found.group("state").upper() not in directory.states():
        return None
    return found.group("state").upper(), (found.group("zip") or "").replace("-", "")
