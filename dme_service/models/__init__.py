"""The data model (SQLAlchemy 2.0 typed); every class is importable from here."""

from dme_service.models.accounts import (
    CREDENTIALS,
    ROLES,
    SIGNING_CREDENTIALS,
    ApiToken,
    Clinic,
    LoginAttempt,
    PasswordLink,
    User,
    UserSession,
)
from dme_service.models.audit import AuditEvent, AuditSeal
from dme_service.models.base import Base, UTCDateTime, utcnow
from dme_service.models.billing import BillingEvent, ChecklistReview
from dme_service.models.case_history import (
    RETURN_KINDS,
    CaseVersion,
    OrderAmendment,
    OrderReturn,
)
from dme_service.models.cases import (
    CarriedPriorDevice,
    Case,
    CaseHistory,
    DecisionRecord,
    Diagnosis,
    HomePrescription,
    Patient,
    ScreeningAnswer,
    Trial,
)
from dme_service.models.claims import (
    ClaimFile,
    ClaimPosting,
    ClaimRecord,
    ClaimReopening,
    ClinicBilling,
    FeeScheduleEntry,
    RemittanceFile,
)
from dme_service.models.documents import DOCUMENT_KINDS, Document, Signature, SignatureScan
from dme_service.models.hooks import UsedHookToken
from dme_service.models.links import HomeLogEntry, IdempotencyKey, PatientLink
from dme_service.models.triggers import attach as _attach_triggers

_attach_triggers(Base.metadata.tables)

__all__ = [
    "CREDENTIALS",
    "DOCUMENT_KINDS",
    "RETURN_KINDS",
    "ROLES",
    "SIGNING_CREDENTIALS",
    "ApiToken",
    "AuditEvent",
    "AuditSeal",
    "Base",
    "BillingEvent",
    "CarriedPriorDevice",
    "CaseHistory",
    "Case",
    "CaseVersion",
    "ChecklistReview",
    "ClaimFile",
    "ClaimPosting",
    "ClaimRecord",
    "ClaimReopening",
    "ClinicBilling",
    "FeeScheduleEntry",
    "RemittanceFile",
    "Clinic",
    "DecisionRecord",
    "Diagnosis",
    "Document",
    "HomeLogEntry",
    "HomePrescription",
    "IdempotencyKey",
    "LoginAttempt",
    "OrderAmendment",
    "OrderReturn",
    "PasswordLink",
    "Patient",
    "PatientLink",
    "ScreeningAnswer",
    "Signature",
    "SignatureScan",
    "Trial",
    "UsedHookToken",
    "User",
    "UserSession",
    "UTCDateTime",
    "utcnow",
]
