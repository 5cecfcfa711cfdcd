"""Editing a stored case with part of its dme-case/1 document (`PATCH /api/v1/cases/{id}`).

The changes name top-level keys of the document (docs/case-format.md, never renamed). Each key
belongs to one section of the case page (services.cases.sections); a section named only in part
keeps its other keys as stored, and a key given as null is removed. The save is the case page's
own (`edit.save_sections`): on the version the caller read (else StaleCase), one parse and one
decision, an audit row per section, and `after_save`. So a change to a fact the practitioner
signed is refused with SignatureWouldVoid (nothing written) unless `confirm_void`, and then voids
the signature and returns the order to its practitioner; once the claim was submitted the signed
facts are frozen (OrderFrozen), confirmed or not. The treating practitioner is named by NPI, as
on create (services.cases.from_document): an active user of the clinic who may sign.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dme_service.case.model import TOP_KEYS
from dme_service.case.parse import FieldError
from dme_service.models import Case, User
from dme_service.services.cases import sections as case_sections
from dme_service.services.cases.decide import CaseInvalid
from dme_service.services.cases.edit import SectionEdit, save_sections
from dme_service.services.cases.from_document import practitioner_by_npi
from dme_service.store.cases import load_case

FORMAT = "dme-case/1"
# Every top-level key of the document but its format marker can be changed, and the clinical
# history kept beside it (`history`, case/history.py: replaced whole, null removes it).
EDITABLE_KEYS = (*(key for key in TOP_KEYS if key != "format"), case_sections.HISTORY)


def edit_case(
    session: Session,
    user: User,
    case_id: int,
    expected_version: int,
    changes: dict[str, Any],
    *,
    confirm_void: bool = False,
) -> Case:
    """Apply `changes` (top-level document keys) to the case read at `expected_version`.

    Raises CaseNotFound, CaseInvalid (field paths of the document; nothing written),
    StaleCase, SignatureWouldVoid or OrderFrozen (services.signed_order). Commits.
    """
    _check_keys(changes)
    case = load_case(session, user, case_id)
    document = case_sections.document_of(case)  # with the history kept beside it
    practitioner_id = case.treating_practitioner_id
    session.rollback()  # a read only: the save opens its own transaction
    if "treating_practitioner" in changes:
        practitioner_id = _practitioner_id(session, user, changes["treating_practitioner"])
    edits = _section_edits(document, changes, practitioner_id)
    return save_sections(session, user, case_id, expected_version, edits, confirm_void=confirm_void)


def _check_keys(changes: dict[str, Any]) -> None:
    errors = [
        FieldError(key, f"not a key of the case document; use one of {', '.join(EDITABLE_KEYS)}")
        for key in changes
        if key not in EDITABLE_KEYS and key != "format"
    ]
    if "format" in changes and changes["format"] != FORMAT:
        errors.append(FieldError("format", f"must be {FORMAT!r}"))
    if not any(key in EDITABLE_KEYS for key in changes):
        errors.append(FieldError("$", "name at least one key of the case document to change"))
    if errors:
        raise CaseInvalid(errors)


def _practitioner_id(session: Session, user: User, value: Any) -> int | None:
    """The user the document's treating practitioner names by NPI (None removes it)."""
    if value is None:
        return None
    npi = value.get("npi") if isinstance(value, dict) else None
    if not isinstance(npi, str):
        raise CaseInvalid(
            [FieldError("treating_practitioner.npi", "required: the practitioner's NPI")]
        )
    practitioner = practitioner_by_npi(session, user, npi)
    if not practitioner.may_sign:
        raise CaseInvalid(
            [
                FieldError(
                    "treating_practitioner.npi",
                    f"the user with NPI {npi} may not sign orders (MD, DO, DPM, PA, NP or CNS)",
                )
            ]
        )
    return practitioner.id


def _section_edits(
    document: dict[str, Any], changes: dict[str, Any], practitioner_id: int | None
) -> list[SectionEdit]:
    """One edit per section the changes touch: its stored part with the changed keys."""
    edits = []
    for section, keys in case_sections.SECTIONS.items():
        touched = [key for key in keys if key in changes]
        if not touched:
            continue
        part = case_sections.part_of(section, document)
        for key in touched:
            part[key] = changes[key]
        chosen = practitioner_id if section == "order" else None
        edits.append(SectionEdit(section, part, practitioner_id=chosen))
    return edits
