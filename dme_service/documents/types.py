"""The value types of the document layer: what a render takes and gives, and its refusal.

Apart from the engine (renderer.py), so that a service or a view can name them, or catch
DocumentRefused, without importing WeasyPrint. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dme_service.case.history import ClinicalHistory
from dme_service.documents import availability
from dme_service.documents.wording import Clinic, Signature, TrialRecord

KINDS: tuple[str, ...] = availability.KINDS
LANGUAGES: tuple[str, ...] = ("en", "es")
# PDF/UA-1 for what people read on screen and print (tagged, with /Lang and /Title);
# PDF/A-3u for the billing packet, which is archived and carries the decision JSON.
LETTER_VARIANT = "pdf/ua-1"
PACKET_VARIANT = "pdf/a-3u"
GENERATOR = "dme_service"


class DocumentRefused(ValueError):
    """The facts cannot make this document (e.g. a PRN order). `field` names the fact."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class PatientPlan:
    """The order the patient follows, for the billing packet's instructions part: the request
    facts last signed (`request`, a case/model Request), the signature they were signed with,
    and which order version that was. `changing` while a change to the order waits for the
    practitioner's signature: the packet's order is then the change, its instructions are not."""

    request: object
    signature: Signature | None
    changing: bool
    order_version: int


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a document needs besides the case and its decision."""

    now: datetime
    lang: str = "en"
    signature: Signature | None = None
    clinic: Clinic | None = None
    link_url: str | None = None
    wet_ink: bool = False  # the SWO/LMN printed with lines for a signature in ink
    # The clinician's written reason for ordering against the payer's criteria (availability.py)
    reason: str | None = None
    # The claim's purchase (NU) or rental (RR) modifier, chosen by billing
    purchase_or_rental: str | None = None
    # The stored PDFs the standing signature covers, by kind ("swo", "lmn"): a packet carries
    # these pages unchanged instead of laying the order and letter out again
    signed_pdfs: dict[str, bytes] | None = None
    # The service's case number: the PDF's title names the document and the case, never the
    # patient (wording.document_title)
    case_number: int | str | None = None
    # The stored claim's readiness checklist (rules.readiness), printed on the packet's cover
    checklist: tuple | None = None
    # Beside each trial of the case, in the case's order: who ran it and the note
    trial_records: tuple[TrialRecord, ...] = ()
    # The patient's instructions while a changed order waits for signature: the case carries
    # the order last signed (`signature`, now voided), and the page says the plan is changing
    plan_changing: bool = False
    # The clinical history recorded beside the case (case/history.py), which the letter states
    history: ClinicalHistory | None = None
    # The billing packet's instructions part: the order the patient follows (services/
    # followed_order.py), which is not the packet's order while a change waits for signature
    patient_plan: PatientPlan | None = None


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """A document before layout: its template, its variables and its metadata."""

    kind: str
    template: str
    title: str
    lang: str
    context: dict = field(default_factory=dict)
    created: datetime | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    kind: str
    pdf: bytes
    sha256: str
    pages: int
    title: str
    lang: str
