"""The same patient again: who is the same patient, which delivered units count as prior
devices of a new case, and which open cases make a duplicate claim.

A patient is the same when the member id and the date of birth agree; the member id is
compared without regard to case, spaces or hyphens (an MBI is printed "1EG4-TE5-MK73" on the
card and typed "1eg4te5mk73"). The name is not compared: it is typed differently more often
than it differs. A unit the clinic delivered counts as a prior device with the contract's own
same-or-similar window (docs/case-format.md, clarification 8), applied by
`definitions.same_or_similar`, never a second copy of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dme_service.case.definitions import same_or_similar
from dme_service.coding.codes import CERVICAL_TRACTION_CODES

# Characters that are only formatting in a member id: spaces of any kind, and hyphens.
_FORMATTING = str.maketrans("", "", "-\u2010\u2011\u2012\u2013")


def member_key(member_id: str | None) -> str:
    """The member id as compared: upper case, without spaces or hyphens."""
    return "".join((member_id or "").translate(_FORMATTING).split()).upper()


def is_same_patient(
    member_id: str | None, born: date | None, other_member_id: str | None, other_born: date | None
) -> bool:
    """True when the member ids (normalised) and the dates of birth agree."""
    key = member_key(member_id)
    return (
        bool(key) and born is not None and born == other_born and key == member_key(other_member_id)
    )


@dataclass(frozen=True, slots=True)
class DeliveredUnit:
    """A home unit the clinic delivered on a case (proof of delivery recorded by billing)."""

    hcpcs: str
    date: date
    case_id: int


def prior_devices_from(units: Iterable[DeliveredUnit], on: date) -> list[DeliveredUnit]:
    """The delivered units that are prior devices of a case begun `on`: cervical traction
    units within the same-or-similar window (clarification 8), newest first."""
    return sorted(same_or_similar(units, on), key=lambda unit: (unit.date, unit.case_id))[::-1]


def prior_device(unit: DeliveredUnit) -> dict[str, str]:
    """The unit as a `prior_devices` entry of the case document (contract field names only)."""
    return {"hcpcs": unit.hcpcs, "date": unit.date.isoformat()}


def with_priors(entries: Iterable[dict], carried: Iterable[dict]) -> list[dict]:
    """`entries` with every carried prior device added once (same code and date = the same)."""
    result = [dict(entry) for entry in entries]
    seen = {(entry.get("hcpcs"), entry.get("date")) for entry in result}
    for entry in carried:
        key = (entry["hcpcs"], entry["date"])
        if key not in seen:
            seen.add(key)
            result.append(dict(entry))
    return result


def without_priors(entries: Iterable[dict], carried: Iterable[dict]) -> list[dict]:
    """`entries` without the carried ones (what a person typed in the order section)."""
    drop = {(entry["hcpcs"], entry["date"]) for entry in carried}
    return [dict(entry) for entry in entries if (entry.get("hcpcs"), entry.get("date")) not in drop]


def similar_units(hcpcs: str | None, other_hcpcs: str | None) -> bool:
    """True when two requested home units would be same-or-similar claims: the same code, or
    two cervical traction codes (clarification 8 counts any of them as similar)."""
    if not hcpcs or not other_hcpcs:
        return False
    return hcpcs == other_hcpcs or (
        hcpcs in CERVICAL_TRACTION_CODES and other_hcpcs in CERVICAL_TRACTION_CODES
    )
