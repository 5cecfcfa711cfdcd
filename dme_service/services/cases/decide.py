"""A case document judged: parsed once with the one parser (`case_format.parse`), decided once
with `rules.evaluate`, and the decision kept on the case.

Every parse error, in any section or the clinical history, refuses the save with `CaseInvalid`
and nothing is written (docs/security.md IN-1). A draft (a document that needs stand-ins for its
missing parts, sections.for_validation) is parsed but not decided: it stays a draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dme_service.case import parse as case_format
from dme_service.case.history import ClinicalHistory, HistoryInvalid, parse_history
from dme_service.case.model import Case as ParsedCase
from dme_service.case.parse import CaseFormatError, FieldError
from dme_service.models import Case
from dme_service.rules.decision import Decision
from dme_service.rules.engine import evaluate
from dme_service.services.cases import sections as case_sections
from dme_service.store.cases import CaseIncomplete, parsed_and_decided, to_document
from dme_service.store.decisions import record_decision


class CaseInvalid(ValueError):
    """The edited document fails `case_format.parse`; nothing was written."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    """A save's document, parsed once and decided once.

    `parsed` may hold a draft's stand-ins (sections.for_validation): only the saved sections
    are written from it. `decision` is None for a draft (stand-ins were needed), else the
    engine's decision on exactly this document, which the save stores without parsing again.
    `history` is the clinical history kept beside the document, judged by its own parser; the
    engine never reads it.
    """

    document: dict[str, Any]
    parsed: ParsedCase
    decision: Decision | None
    history: ClinicalHistory = ClinicalHistory()


def check(document: dict[str, Any]) -> Checked:
    """Parse the document once; every error (in any section, the history too) refuses the
    save (IN-1). `document` is the page's document (sections.document_of)."""
    errors: list[FieldError] = []
    try:
        history = parse_history(document.get(case_sections.HISTORY))
    except HistoryInvalid as invalid:
        history, errors = ClinicalHistory(), list(invalid.errors)
    case_document = case_sections.case_document(document)
    filled = case_sections.for_validation(case_document)
    try:
        parsed = case_format.parse(filled)
    except CaseFormatError as error:
        raise CaseInvalid(error.errors + errors) from None
    if errors:
        raise CaseInvalid(errors)
    whole = filled == case_document  # no stand-in was needed: this parse is the case itself
    return Checked(document, parsed, evaluate(parsed) if whole else None, history)


def validate(document: dict[str, Any]) -> ParsedCase:
    """Parse the document (a draft's missing parts stood in); every error refuses (IN-1)."""
    return check(document).parsed


def store_decision(session: Session, case: Case, decision: Decision | None) -> None:
    """Keep a decision made on the case as now written; None keeps a draft a draft."""
    if decision is None:
        case.status = "draft"
    else:
        record_decision(session, case, decision)


def decide(session: Session, case: Case):
    """Decide the stored case from its rows and keep the decision; a draft that does not
    parse stays a draft. For a change not made through a parsed document (a carried or
    removed prior device). Returns the Decision, or None for a draft (`draft_gaps`).
    """
    try:
        _, decision = parsed_and_decided(case)
    except CaseIncomplete:
        decision = None
    store_decision(session, case, decision)
    return decision


def draft_gaps(case: Case) -> list[FieldError]:
    """Why a draft cannot be decided yet: the parser's errors on the stored document."""
    try:
        case_format.parse(to_document(case))
    except CaseFormatError as error:
        return error.errors
    return []
