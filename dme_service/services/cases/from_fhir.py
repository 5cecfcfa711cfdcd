"""Creating a case from a FHIR R4 Bundle (`POST /api/v1/cases`, `dme-service import-fhir`).

The Bundle is turned into a case document by the pure fhir.intake, then created exactly like a
case document (services.case_import: the patient found or made, the practitioner a user of the
clinic, the decision, the audit row, the Idempotency-Key). Field problems name FHIR elements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dme_service.case.parse import FieldError
from dme_service.fhir import intake
from dme_service.models import User
from dme_service.services.cases import from_document as case_import
from dme_service.services.cases.decide import CaseInvalid

__all__ = ["CaseInvalid", "import_bundle", "is_bundle"]

is_bundle = intake.is_bundle


def import_bundle(
    session: Session, user: User, bundle: Any, idempotency_key: str | None = None
) -> case_import.Imported:
    """Create the case the Bundle describes; commits, or raises CaseInvalid and writes nothing."""
    try:
        document = intake.case_document(bundle)
    except intake.BundleInvalid as invalid:
        raise CaseInvalid([FieldError(e.field, e.message) for e in invalid.errors]) from None
    try:
        return case_import.import_case(session, user, document, idempotency_key)
    except CaseInvalid as invalid:
        errors = [FieldError(intake.fhir_field(e.field), e.message) for e in invalid.errors]
        raise CaseInvalid(errors) from None
