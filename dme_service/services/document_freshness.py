"""Whether a stored document is current: made from the case and the signature as they are now.

Every render records what it was made from (`Document.source_sha256`): the SHA-256 of the case
document (dme-case/1: patient, payer, diagnoses, trials, screening, order, practitioner), who
ran each trial and its note (kept beside the document), the standing signature, the
clinician's reason for an order against the payer's criteria, the claim's purchase-or-rental
choice and the clinic's letterhead. A document is current while it
is not superseded and that digest is the one the case gives now; the moment the case or the
signature changes, every older document reads as superseded, wherever it is listed, and a
"Download current" (a POST) makes a new one first (`services.documents.current_document`);
a GET of the current one sends it only when it is stored (`services.documents.stored_current`).

The signed SWO and LMN are the exception: they are what the practitioner signed and are never
made again, so they are current exactly while the signature that covers them stands
(docs/security.md RET-2).

The case version counter is not the test: claim moves (ready, submitted, paid) count a version
too and change nothing a document prints.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service.models import Case, ClaimRecord, Clinic, Document
from dme_service.services.billing import readiness as billing_readiness
from dme_service.services.clinic.printed import printed_clinic
from dme_service.services.order_reason import order_reason
from dme_service.store import signed_content
from dme_service.store.cases import case_document, trial_records
from dme_service.store.history import history_document
from dme_service.store.signed_content import canonical_sha256

# Bumped when what goes into the digest changes, so older digests never match by accident.
SOURCE_FORMAT = "dme-document-source/2"  # 2: who ran each trial and its note


@dataclass(frozen=True)
class Freshness:
    """What the case's documents must have been made from to be current now."""

    case_version: int
    source_sha256: str
    signature_id: int | None
    signed_ids: frozenset[int]
    # The billing packet's cover prints the stored claim's checklist (reviews, delivery,
    # submission), so a packet is also made from it. Read only when a packet is judged or
    # made (the checklist runs the rules, which nothing else here needs).
    read_checklist: Callable[[], tuple] = tuple

    @functools.cached_property
    def checklist(self) -> tuple:
        return tuple(self.read_checklist())

    @functools.cached_property
    def packet_sha256(self) -> str:
        return _with_checklist(self.source_sha256, self.checklist)

    def digest_for(self, kind: str) -> str:
        """What a document of `kind` made now records as made from."""
        return self.packet_sha256 if kind == "packet" else self.source_sha256

    def is_current(self, document) -> bool:
        """True for a not-superseded document made from the case as it is now, or signed
        under the standing signature. `document` is a Document row or anything with its
        `id`, `superseded_at` and `source_sha256`."""
        if document.superseded_at is not None:
            return False
        if document.id in self.signed_ids:
            return True
        return document.source_sha256 == self.digest_for(document.kind)


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_PURCHASE_OR_RENTAL = select(ClaimRecord.purchase_or_rental).where(
    ClaimRecord.case_id == bindparam("case_id")
)


def source_sha256(session: Session, case: Case, signature_id: int | None) -> str:
    """SHA-256 of everything a render of the case reads, the clock apart."""
    clinic = session.get(Clinic, case.clinic_id)
    purchase_or_rental = session.scalar(_PURCHASE_OR_RENTAL, {"case_id": case.id})
    source = {
        "format": SOURCE_FORMAT,
        "case_id": case.id,
        "case": case_document(case),
        # Kept beside the document and printed on the trial note (docs/case-format.md)
        "trials_beside": [dataclasses.asdict(record) for record in trial_records(case)],
        "signature_id": signature_id,
        "reason": order_reason(session, case),
        **_history_source(case),
        "purchase_or_rental": purchase_or_rental or "NU",
        "clinic": None if clinic is None else _letterhead(clinic),
    }
    return canonical_sha256(source)


def _history_source(case: Case) -> dict:
    """The recorded history the letter prints (case/history.py), once any is recorded: a case
    without history keeps the digest its documents were made with."""
    history = history_document(case)
    return {"history": history} if history else {}


def _letterhead(clinic: Clinic) -> dict:
    """Every clinic fact the documents print (services/clinic/printed.py), and its zone. A
    clinic without a legal name of its own keeps the digest its documents were made with."""
    printed = dataclasses.asdict(printed_clinic(clinic))
    if printed["legal_name"] is None:
        del printed["legal_name"]
    return {**printed, "timezone": clinic.timezone}


def freshness(session: Session, case: Case) -> Freshness:
    """What is current for the case now (reads the standing signature and checks it)."""
    check = signed_content.check_signature(session, case)
    signature = check.signature if check.valid else None
    return freshness_with(session, case, signature)


def freshness_with(session: Session, case: Case, signature) -> Freshness:
    """As `freshness`, with the valid standing signature (or None) already read."""
    signed_ids = frozenset()
    if signature is not None:
        entries = (signature.document_hashes or {}).values()
        signed_ids = frozenset(
            e["document_id"] for e in entries if isinstance(e, dict) and "document_id" in e
        )
    signature_id = signature.id if signature is not None else None
    return Freshness(
        case_version=case.version,
        source_sha256=source_sha256(session, case, signature_id),
        signature_id=signature_id,
        signed_ids=signed_ids,
        read_checklist=lambda: billing_readiness.checklist(session, case),
    )


def _with_checklist(common: str, checklist: tuple) -> str:
    """The packet's digest: what every document is made from, and the cover's checklist as
    printed (label, status, detail of each line)."""
    lines = [[item.key, item.label, item.met, item.detail, item.needed_for] for item in checklist]
    return canonical_sha256([common, lines])


def current_of(session: Session, case: Case, kind: str, lang: str, fresh: Freshness):
    """The newest current stored version of (kind, lang), or None when there is none."""
    query = (
        select(Document)
        .where(
            Document.case_id == case.id,
            Document.kind == kind,
            Document.lang == lang,
            Document.superseded_at.is_(None),
        )
        .order_by(Document.version.desc())
    )
    return next((row for row in session.scalars(query) if fresh.is_current(row)), None)
