"""The clinician's edit of a case: save one or several sections made on a version of it.

Each save owns its transaction. A section save rebuilds the whole dme-case/1 document
(the stored case with the section replaced), parses it once and decides it (`decide.check`)
before the write transaction, then writes only that section's rows and stores that decision,
in one commit with its audit row. Optimistic locking (docs/security.md DB-3): every edit
carries the version it was made on; an older version raises `StaleCase` with both versions
and what changed since, so nothing is overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dme_service import audit
from dme_service.case.parse import FieldError
from dme_service.case.patient_match import with_priors
from dme_service.db import run_with_retry
from dme_service.models import Case, User, utcnow
from dme_service.services import after_save, signed_order
from dme_service.services.cases import sections as case_sections
from dme_service.services.cases.decide import CaseInvalid, Checked, check, store_decision
from dme_service.services.cases.since_opened import ChangeSinceOpened, since_opened
from dme_service.store import case_versions
from dme_service.store import same_patient as same_patient_rows
from dme_service.store.cases import load_case, practitioner_document

SECTIONS = case_sections.SECTIONS
NOT_A_SIGNER = (
    "choose a practitioner of your clinic who may sign orders "
    "(MD, DO, DPM, PA, NP or CNS with an NPI)"
)


@dataclass(eq=False)
class StaleCase(Exception):
    """The edit was made on an older version of the case: both versions, for the 409 page."""

    case_id: int
    section: str
    your_version: int
    current_version: int
    yours: dict[str, Any]  # the section as the user submitted it (document part)
    theirs: dict[str, Any]  # the section as it is stored now
    changed_by: str | None = None
    changed_at: Any = None
    # What others changed since the user's page was loaded (services.cases.since_opened);
    # None when the case as it was then was not kept.
    since_opened: list[ChangeSinceOpened] | None = None

    def __str__(self) -> str:
        return (
            f"case {self.case_id} is at version {self.current_version}; "
            f"the edit was made on version {self.your_version}"
        )


@dataclass(frozen=True)
class SectionEdit:
    """One section's new content: its top-level document keys (see case_sections.SECTIONS).

    The order section names its treating practitioner by user id; the service turns the user
    row into the document's `treating_practitioner`, so only a signer of this clinic is used.
    """

    section: str
    part: dict[str, Any]
    practitioner_id: int | None = None
    # The trials section's short note per trial, in the part's order (kept beside the
    # document: docs/case-format.md); None leaves the stored notes as they are.
    trial_notes: tuple[str | None, ...] | None = None


def save_section(
    session: Session,
    user: User,
    case_id: int,
    version: int,
    edit: SectionEdit,
    *,
    confirm_void: bool = False,
):
    """Save one section of a case made on `version`; returns the case.

    Raises CaseNotFound, CaseInvalid (nothing written) or StaleCase (someone saved first).
    A repeat of a save that already went through (a double click) is not a conflict. A save
    that changes a fact the practitioner signed raises SignatureWouldVoid (nothing written)
    unless `confirm_void`, and OrderFrozen once the claim was submitted (services.signed_order).
    """
    return save_sections(session, user, case_id, version, [edit], confirm_void=confirm_void)


def save_sections(
    session: Session,
    user: User,
    case_id: int,
    version: int,
    edits: list[SectionEdit],
    *,
    confirm_void: bool = False,
):
    """Save several sections made on `version` together (the case page's one Save): one
    parse of the whole document, one decision, one commit with an audit row per section.

    Raises like `save_section`; a StaleCase names the first section that differs.
    """
    for edit in edits:
        if edit.section not in SECTIONS:
            raise ValueError(f"unknown section {edit.section!r}")
    try:
        early = _check_early(session, user, case_id, version, edits)
        return run_with_retry(
            session, lambda s: _save(s, user, case_id, version, edits, early, confirm_void)
        )
    except StaleDataError:
        session.rollback()
        raise _stale(session, user, case_id, version, edits[0], edits=edits) from None


def check_sections(
    session: Session, user: User, case_id: int, version: int, edits: list[SectionEdit]
) -> None:
    """Raise CaseInvalid as `save_sections` would for these edits, writing nothing: what a
    page shown again as typed says beside its fields."""
    for edit in edits:
        if edit.section not in SECTIONS:
            raise ValueError(f"unknown section {edit.section!r}")
    _check_early(session, user, case_id, version, edits)


def _check_early(
    session: Session, user: User, case_id: int, version: int, edits: list[SectionEdit]
) -> Checked | None:
    """The save's one parse and decision, worked out before the write transaction opens.

    Deciding inside the write transaction (on SQLite, BEGIN IMMEDIATE holds the database's
    write lock) would let a slow decision lock out every user. So the case is read in a short
    transaction that ends at once; then the merged document is parsed (bad input is refused
    without ever taking the write lock) and decided. `_save` rebuilds the document under the
    lock and uses this check when the document is the same. None when the case moved on.
    """
    try:
        case = load_case(session, user, case_id)
        if case.version != version:
            return None  # `_save` decides between a double click and a conflict
        document = case_sections.document_of(case)
        for edit in edits:
            document = case_sections.merged(
                document, edit.section, _resolved_part(session, user, case_id, edit)
            )
    finally:
        session.rollback()
    return check(document)


def _save(
    session: Session,
    user: User,
    case_id: int,
    version: int,
    edits: list[SectionEdit],
    early: Checked | None = None,
    confirm_void: bool = False,
) -> Case:
    case = load_case(session, user, case_id, for_update=True)
    parts = [(edit, _resolved_part(session, user, case_id, edit)) for edit in edits]
    document = case_sections.document_of(case)
    if case.version != version:
        for edit, part in parts:
            if not case_sections.same_part(edit.section, part, document):
                raise _stale(session, user, case_id, version, edit, case, edits=edits)
        return case  # the same save again (double click, back button): already stored
    for edit, part in parts:
        document = case_sections.merged(document, edit.section, part)
    # The same document as before the lock (nothing moved meanwhile): its check stands.
    checked = early if early is not None and early.document == document else check(document)
    signed = signed_order.standing(session, case)
    for edit, _ in parts:
        case_sections.apply(
            session,
            case,
            edit.section,
            checked.parsed,
            edit.practitioner_id,
            user=user,
            trial_notes=edit.trial_notes,
            history=checked.history,
        )
    case.updated_by_id = user.id
    case.updated_at = utcnow()  # always an UPDATE of the case row, so `version` moves on
    session.flush()
    store_decision(session, case, checked.decision)
    signed_order.guard(session, case, signed, confirm_void=confirm_void)
    for edit, _ in parts:
        audit.case_event(session, user, f"case.save.{edit.section}", case)
    after_save.case_changed(session, case, user)
    return case


def _resolved_part(session: Session, user: User, case_id: int, edit: SectionEdit) -> dict[str, Any]:
    """The section's document part; the order section's practitioner read from its user row
    and its prior devices with the carried ones kept."""
    part = dict(edit.part)
    if edit.section == "order":
        part["treating_practitioner"] = _practitioner_part(session, user, edit.practitioner_id)
        # A unit carried from the patient's earlier case stays a prior device whatever the
        # order form sends: it leaves only with a reason (services.cases.same_patient).
        part["prior_devices"] = with_priors(
            part.get("prior_devices") or [], same_patient_rows.kept_entries(session, case_id)
        )
    return part


def _practitioner_part(session: Session, user: User, practitioner_id: int | None):
    """The document's treating practitioner from a signer of the user's clinic, or None."""
    if practitioner_id is None:
        return None
    signer = session.get(User, practitioner_id)
    if signer is None or signer.clinic_id != user.clinic_id or not signer.active:
        signer = None
    if signer is None or not signer.may_sign:
        raise CaseInvalid([FieldError("treating_practitioner", NOT_A_SIGNER)])
    return practitioner_document(signer)


def _stale(
    session, user, case_id, version, edit, case: Case | None = None, *, edits=()
) -> StaleCase:
    case = case or load_case(session, user, case_id)
    changed_by = session.get(User, case.updated_by_id)
    yours = [(e.section, _typed_part(session, user, case_id, e)) for e in edits or [edit]]
    return StaleCase(
        case_id=case.id,
        section=edit.section,
        your_version=version,
        current_version=case.version,
        yours=dict(edit.part),
        theirs=case_sections.part_of(edit.section, case_sections.document_of(case)),
        changed_by=changed_by.name if changed_by else None,
        changed_at=case.updated_at,
        since_opened=since_opened(
            session, case.id, version, case_versions.kept_document(case), yours
        ),
    )


def _typed_part(session: Session, user: User, case_id: int, edit: SectionEdit) -> dict[str, Any]:
    """The section as the user typed it, as a document part (their practitioner as a name)."""
    try:
        return _resolved_part(session, user, case_id, edit)
    except CaseInvalid:
        return dict(edit.part)
