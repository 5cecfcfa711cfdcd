"""Claim files overtaken by another file: a claim confirmed sent in one 837P file must not go
again in another, unsent file that also holds it.

Pressing Export twice puts the same claim in two files. Once the biller confirms one of them
sent, every other unsent file made before that confirmation still holds the claim; sending it
too would reach the payer as an exact duplicate (CARC 18, denied). Such a file is "replaced":
its page says which file carried the claim and when, its download is refused and it cannot be
confirmed sent. A file made after the confirmation (a corrected claim, a resubmission after a
rejection) is a new decision of the biller and is not replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import ClaimFile
from dme_service.services.billing.records import control_number
from dme_service.services.clinic.clinic_time import human_date


@dataclass(frozen=True)
class Replacement:
    """One claim of an unsent file that already went to the payer in another file."""

    case_id: int
    file_id: int
    file_number: int  # the other file's control number, as its page shows it
    sent_on: date

    @property
    def words(self) -> str:
        return (
            f"Replaced: claim {control_number(self.case_id)} went to the payer in file "
            f"{self.file_number} on {human_date(self.sent_on)}; do not send this file."
        )


def replacements(session: Session, claim_file: ClaimFile) -> list[Replacement]:
    """The claims of an unsent file already confirmed sent in a file confirmed after it was made."""
    if claim_file.confirmed_at is not None or not claim_file.case_ids:
        return []
    query = select(ClaimFile).where(
        ClaimFile.clinic_id == claim_file.clinic_id,
        ClaimFile.id != claim_file.id,
        ClaimFile.confirmed_at.is_not(None),
        ClaimFile.confirmed_at >= claim_file.created_at,
    )
    mine = set(claim_file.case_ids)
    found: dict[int, Replacement] = {}
    for other in session.scalars(query.order_by(ClaimFile.confirmed_at)):
        for case_id in sorted(mine.intersection(other.case_ids)):
            found.setdefault(
                case_id, Replacement(case_id, other.id, other.control_number, other.sent_on)
            )
    return [found[case_id] for case_id in sorted(found)]
