"""The billing packet: one PDF/A-3u with bookmarks, the decision JSON attached.

Order: cover sheet (readiness checklist and contents), SWO, LMN, trial note, patient
instructions, manifest. Each part is laid out once; its pages go into the packet as they
are, and its SHA-256 on the manifest is the hash of that same part written on its own, which
is byte for byte what `render(kind, ...)` returns for the same case, decision, time and
signature. So the manifest ties the packet to the LMN and SWO the practitioner signed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from weasyprint.document import Document

from dme_service.case import Case
from dme_service.documents import wording as w
from dme_service.documents.checklist import readiness
from dme_service.documents.renderer import (
    LETTER_VARIANT,
    PACKET_VARIANT,
    DocumentSource,
    RenderedDocument,
    Renderer,
    RenderOptions,
    source_for,
)
from dme_service.rules.decision import Decision

PARTS: tuple[tuple[str, str], ...] = (
    ("swo", "Standard written order"),
    ("lmn", "Letter of medical necessity"),
    ("trial_note", "Supervised trial note"),
    ("instructions", "Patient instructions"),
)
ATTACHMENT_NAME = "decision.json"


@dataclass(frozen=True, slots=True)
class Part:
    kind: str
    label: str
    document: Document
    rendered: RenderedDocument
    first_page: int = 0  # 1-based page in the packet, set once the cover is laid out

    @property
    def pages(self) -> str:
        last = self.first_page + self.rendered.pages - 1
        return str(self.first_page) if last == self.first_page else f"{self.first_page}-{last}"


def decision_json(decision: Decision) -> bytes:
    return json.dumps(decision.as_json(), indent=2, ensure_ascii=False).encode("utf-8")


def render_packet(
    renderer: Renderer, case: Case, decision: Decision, options: RenderOptions
) -> RenderedDocument:
    parts = [lay_out_part(renderer, kind, label, case, decision, options) for kind, label in PARTS]
    attachment = decision_json(decision)
    cover = lay_out_cover(renderer, case, decision, options, parts)
    parts = number_parts(parts, start=len(cover.pages) + 1)
    manifest = renderer.layout(
        renderer.html(manifest_source(case, options, parts, attachment, len(cover.pages)))
    )
    pages = list(cover.pages)
    for part in parts:
        pages += part.document.pages
    pages += manifest.pages
    packet = cover.copy(pages)
    pdf = renderer.write(
        packet,
        variant=PACKET_VARIANT,
        attachments=[
            renderer.attachment(
                attachment,
                name=ATTACHMENT_NAME,
                description="The coverage decision (dme-decision/1) this packet was built on",
                when=options.now,
            )
        ],
    )
    return renderer.finish("packet", packet, pdf, packet_title(case), "en")


def lay_out_part(renderer, kind, label, case, decision, options) -> Part:
    """Lay the part out once and write it alone for its hash (= render(kind) bytes)."""
    source = source_for(kind, case, decision, options)
    document = renderer.layout(renderer.html(source))
    pdf = renderer.write(document, variant=LETTER_VARIANT)
    rendered = renderer.finish(kind, document, pdf, source.title, source.lang)
    return Part(kind, label, document, rendered)


def number_parts(parts: list[Part], start: int) -> list[Part]:
    numbered, page = [], start
    for part in parts:
        numbered.append(Part(part.kind, part.label, part.document, part.rendered, page))
        page += part.rendered.pages
    return numbered


def packet_title(case: Case) -> str:
    return f"Billing packet: {case.patient.name}"


def lay_out_cover(renderer, case, decision, options, parts) -> Document:
    """The cover lists page numbers that depend on its own length: lay out until stable."""
    cover_pages = 1
    while True:
        numbered = number_parts(parts, start=cover_pages + 1)
        cover = renderer.layout(renderer.html(cover_source(case, decision, options, numbered)))
        if len(cover.pages) == cover_pages:
            return cover
        cover_pages = len(cover.pages)


def common_context(case: Case, options: RenderOptions) -> dict:
    return {
        "case": case,
        "clinic": options.clinic,
        "dob": w.long_date(case.patient.date_of_birth),
        "payer_name": w.payer_name(case.payer),
        "member_label": w.member_id_label(case.payer),
        "prepared": w.date_time(options.now),
    }


def cover_source(case, decision, options, parts) -> DocumentSource:
    return DocumentSource(
        kind="packet",
        template="packet_cover.html",
        title=packet_title(case),
        lang="en",
        created=options.now,
        author=options.clinic.name if options.clinic else case.treating_practitioner.name,
        context={
            **common_context(case, options),
            "decision": decision,
            "checklist": readiness(case, decision, options.signature),
            "parts": parts,
            "device": f"{case.request.hcpcs} ({w.hcpcs_descriptor(case.request.hcpcs)})",
        },
    )


def manifest_source(case, options, parts, attachment: bytes, cover_pages: int):
    last = parts[-1].first_page + parts[-1].rendered.pages
    return DocumentSource(
        kind="packet",
        template="packet_manifest.html",
        title=packet_title(case),
        lang="en",
        created=options.now,
        context={
            **common_context(case, options),
            "parts": parts,
            "cover_pages": "1" if cover_pages == 1 else f"1-{cover_pages}",
            "manifest_page": last,
            "attachment_name": ATTACHMENT_NAME,
            "attachment_sha256": hashlib.sha256(attachment).hexdigest(),
            "attachment_bytes": len(attachment),
        },
    )
