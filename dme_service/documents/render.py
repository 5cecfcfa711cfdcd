"""`render(kind, case, decision)`: every document, the packet included, from one call.

The dispatcher sits above what it dispatches to: the engine (renderer.py), the single
documents (sources.py) and the packet (packet.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from dme_service.case.history import ClinicalHistory
from dme_service.case.model import Case
from dme_service.documents import availability, packet
from dme_service.documents.renderer import Renderer, gc_paused, get_renderer
from dme_service.documents.sources import source_for
from dme_service.documents.types import (
    KINDS,
    LANGUAGES,
    DocumentRefused,
    PatientPlan,
    RenderedDocument,
    RenderOptions,
)
from dme_service.documents.wording import Clinic, Signature, TrialRecord
from dme_service.rules.decision import Decision


def render(
    kind: str,
    case: Case,
    decision: Decision,
    *,
    lang: str = "en",
    signature: Signature | None = None,
    now: datetime | None = None,
    clinic: Clinic | None = None,
    link_url: str | None = None,
    wet_ink: bool = False,
    reason: str | None = None,
    purchase_or_rental: str | None = None,
    signed_pdfs: dict[str, bytes] | None = None,
    case_number: int | str | None = None,
    trial_records: tuple[TrialRecord, ...] = (),
    checklist: tuple | None = None,
    plan_changing: bool = False,
    history: ClinicalHistory | None = None,
    patient_plan: PatientPlan | None = None,
) -> RenderedDocument:
    """Render one document of `KINDS`, when availability.py allows it for this decision
    (DocumentRefused, naming the field, when it does not)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r} (one of {', '.join(KINDS)})")
    if lang not in LANGUAGES:
        raise DocumentRefused("lang", f"{lang!r} is not a language we print (en, es)")
    reason = (reason or "").strip() or None
    refused = availability.refusal(kind, case, decision, reason=reason)
    if refused:
        raise DocumentRefused(refused.field, refused.message)
    options = RenderOptions(
        now=now or datetime.now(UTC),
        lang=lang,
        signature=signature,
        clinic=clinic,
        link_url=link_url,
        wet_ink=wet_ink,
        reason=reason,
        purchase_or_rental=purchase_or_rental,
        signed_pdfs=signed_pdfs or None,
        case_number=case_number,
        trial_records=tuple(trial_records),
        checklist=checklist,
        plan_changing=plan_changing,
        history=history,
        patient_plan=patient_plan,
    )
    with gc_paused():
        return render_kind(get_renderer(), kind, case, decision, options)


def render_kind(
    renderer: Renderer, kind: str, case: Case, decision: Decision, options: RenderOptions
) -> RenderedDocument:
    """One document of any kind, the packet included, by this renderer."""
    if kind in ("packet", "submission"):
        return packet.render_packet(
            renderer, case, decision, options, submission=kind == "submission"
        )
    return renderer.render_source(source_for(kind, case, decision, options))[1]


def warm_up(renderer: Renderer | None = None) -> None:
    """Warm the renderer's engine, then lay out the specimen documents (specimen.py), once.

    The specimen fills the line cache with every template's fixed sentences.
    documents/bounded.py calls this in the parent, so that every forked render starts warm.
    """
    from dme_service.documents.specimen import specimen_renders

    renderer = renderer or get_renderer()
    if renderer.warmed_up:
        return
    renderer.warm_engine()
    with gc_paused():
        for kind, case, decision, options in specimen_renders():
            render_kind(renderer, kind, case, decision, RenderOptions(**options))
    renderer.warmed_up = True
