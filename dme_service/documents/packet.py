"""The billing packet: one PDF/A-3u with bookmarks, the decision JSON attached.

Order: cover sheet (readiness checklist and contents), SWO, LMN, trial note, patient
instructions, manifest. Each part is that document's own PDF exactly as the service delivers
it for the same case, decision, time and signature (renders are byte-for-byte reproducible),
its pages carried unchanged: so the manifest can list each enclosed PDF's SHA-256, which
anyone holding the SWO or letter as delivered can check with sha256sum, and the service can
check by rendering the part again. Once the order and letter are signed electronically, the
enclosed SWO and LMN are the signed PDFs themselves (`RenderOptions.signed_pdfs`), never a new
layout of them; their SHA-256 is the one the signature covers (docs/security.md RET-2). The
manifest also lists the attached decision JSON's SHA-256.

The packet is laid out as two documents whose pages are then joined (`packet_layout`): the
parts document, where empty stand-in pages hold each part's place and bookmark, and the
cover and manifest with the parts' real first pages written in. The parts' PDFs are then
drawn onto their stand-ins (`enclosed_pages`), so bookmarks and contents links keep pointing
at the same pages; each stand-in prints the packet's own page number at the foot of the page,
below the part's own footer. The contents used to come from CSS `target-counter` in one
document, which made WeasyPrint lay the cover and the manifest out three times each.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, replace

from dme_service.case.model import Case
from dme_service.documents import availability, citing
from dme_service.documents import packet_layout as layout
from dme_service.documents import wording as w
from dme_service.documents.checklist import decision_words, readiness
from dme_service.documents.renderer import Renderer
from dme_service.documents.sources import source_for
from dme_service.documents.types import (
    PACKET_VARIANT,
    DocumentSource,
    RenderedDocument,
    RenderOptions,
)
from dme_service.rules.decision import Decision

PARTS: tuple[tuple[str, str], ...] = (
    ("swo", "Standard written order"),
    ("lmn", "Letter of medical necessity"),
    ("trial_note", "Supervised trial note"),
    ("instructions", "Patient instructions"),
)
# An order against the payer's criteria carries the coverage summary, never a letter
# (documents/availability.py).
SUMMARY_PART = ("summary", "Coverage summary for the treating practitioner")
ATTACHMENT_NAME = "decision.json"
WET_REPLACES = ("swo", "lmn")
WET_LABEL = "Order and letter signed in ink (scan at the end)"


SIGNED_LABEL = "{label}, as signed (the signed PDF, unchanged)"


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the packet: its anchor, its label and the HTML laid out for it. A document
    part's body is empty stand-in pages for `pdf`, the document's own PDF as delivered, and its
    hash is that file's; the note standing for pages signed in ink is laid out, and its hash
    is the uploaded scan's (enclosed after the manifest)."""

    kind: str
    label: str
    lang: str
    body: str
    pdf: bytes | None = None
    signed: bool = False
    enclosed_sha256: str | None = None
    # Which order the part was made from, when that may not be the packet's own order (the
    # patient's instructions: `plan_note`); printed in the manifest, and shorter at the foot
    # of each of the part's pages
    note: str | None = None

    @property
    def sha256(self) -> str:
        if self.pdf is not None:
            return hashlib.sha256(self.pdf).hexdigest()
        return self.enclosed_sha256 or ""


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def enclosed_part(
    kind: str,
    label: str,
    lang: str,
    pdf: bytes,
    signed: bool = False,
    pages: int | None = None,
    note: str | None = None,
    foot: str | None = None,
) -> Part:
    """Empty pages standing for the part's PDF while the packet is laid out, the first one
    carrying the part's anchor and bookmark (for the contents and the manifest); with a
    `foot`, every one of them prints it at the foot of the page beside the packet's page
    number (the manifest prints `note`)."""
    from markupsafe import escape

    classes = "part placeholder stand-in" + (" noted" if foot else "")
    noted = f' data-note="{escape(foot)}"' if foot else ""
    stand_in = f'<section class="{classes}"{noted}></section>'
    first = (
        f'<section class="{classes} first" id="{kind}" '
        f'data-label="{escape(label)}"{noted}></section>'
    )
    rest = [stand_in] * ((pages or page_count(pdf)) - 1)
    listed = SIGNED_LABEL.format(label=label) if signed else label
    return Part(kind, listed, lang, "\n".join([first, *rest]), pdf, signed, note=note)


def followed_instructions(case: Case, options: RenderOptions) -> tuple[Case, RenderOptions]:
    """The instructions part as the patient has them (services/followed_order.py): while a
    change to the order waits for the practitioner's signature, the dose last signed, with
    that signature and the words that the plan is being changed; a dose nobody signed is
    never taught, in the patient's copy or in the packet's. Otherwise the packet's case."""
    plan = options.patient_plan
    if plan is None or not plan.changing:
        return case, options
    followed = replace(case, request=plan.request)
    return followed, replace(options, signature=plan.signature, plan_changing=True)


def plan_note(options: RenderOptions) -> tuple[str, str] | tuple[None, None]:
    """Which order version the instructions part teaches, in a biller's words: a sentence for
    the manifest and a short one for the foot of its pages; None when the packet was not told
    (a render outside the service)."""
    plan = options.patient_plan
    if plan is None:
        return None, None
    version = f"order version {plan.order_version}"
    if plan.signature is None:
        return (
            f"Instructions from {version}, not signed yet",
            f"Instructions: {version}, not signed",
        )
    on = w.long_date(plan.signature.signed_at.date())
    if plan.changing:
        return (
            f"Instructions keep the dose of {version} as signed on {on}: the change to the "
            "order in this packet waits for the practitioner's signature",
            f"Instructions: {version} as signed {on}; the order's change awaits signature",
        )
    return (
        f"Instructions from {version} as signed on {on}",
        f"Instructions: {version} as signed {on}",
    )


def enclosed_pages(packet_pdf: bytes, parts, first_page: dict[str, int]) -> bytes:
    """The packet with each part's stand-in pages carrying that part's PDF pages, drawn
    under them unchanged (each page as a form XObject with its own content and resources), so
    the packet's bookmarks, contents links and page tree keep pointing at the same page
    objects. qpdf (pikepdf) does this in a few milliseconds; pypdf parsed every part's object
    streams in Python, about 25 ms a part. The file /ID is computed from the content, so the
    same packet has the same bytes."""
    enclosed = [part for part in parts if part.pdf is not None]
    if not enclosed:
        return packet_pdf
    import pikepdf

    with pikepdf.open(io.BytesIO(packet_pdf)) as packet:
        for part in enclosed:
            start = first_page[part.kind] - 1
            with pikepdf.open(io.BytesIO(part.pdf)) as source:
                for offset, page in enumerate(source.pages):
                    underlay(packet, packet.pages[start + offset], page, start + offset)
        out = io.BytesIO()
        packet.save(out, deterministic_id=True)
    return out.getvalue()


def underlay(packet, target, page, number: int) -> None:
    """Draw `page` (of another PDF) under `target`'s own content, as a form XObject named
    /Part<number>: a fixed name, so the saved file's object order never varies (pikepdf's
    add_underlay picks a random one)."""
    import pikepdf

    form = packet.copy_foreign(page.as_form_xobject())
    name = pikepdf.Name(f"/Part{number}")
    target.add_resource(form, pikepdf.Name.XObject, name)
    target.contents_add(pikepdf.Stream(packet, f"q {name} Do Q\n".encode()), prepend=True)


def wet_part(case: Case, options: RenderOptions) -> Part:
    """The packet's note in place of the unsigned SWO and LMN when they were signed in ink."""
    from markupsafe import escape

    footer = escape(f"Signed order and letter · {case.patient.name}")
    statement = escape(options.signature.statement())
    digest = escape(options.signature.scan_sha256 or "")
    body = (
        f'<section class="part" id="signed_scan" lang="en" data-footer="{footer}">'
        "<h1>Standard written order and letter of medical necessity, signed in ink</h1>"
        f"<p>{statement}</p>"
        f'<p>SHA-256 of the uploaded file: <span class="hash">{digest}</span></p>'
        "<p>The signed pages follow the manifest at the end of this packet, as images of "
        "the uploaded file's pages. They are the order and letter of this case version; the "
        "file itself, with the SHA-256 above, is kept unchanged in the signature history.</p>"
        "</section>"
    )
    return Part("signed_scan", WET_LABEL, "en", body, enclosed_sha256=options.signature.scan_sha256)


def decision_json(decision: Decision) -> bytes:
    return json.dumps(decision.as_json(), indent=2, ensure_ascii=False).encode("utf-8")


def body_of(html: str) -> str:
    """The inside of <body>: user text is escaped, so these tags occur exactly once."""
    head, rest = html.split("<body>", 1)
    inside, tail = rest.split("</body>", 1)
    return inside.strip()


# What goes to the payer: the order, the letter, the trial values and
# the ABN; not the internal checklist, the decision JSON, the coverage summary or the patient's
# instructions (HIPAA minimum necessary).
ABN_PART = ("abn", "Advance Beneficiary Notice (CMS-R-131)")


def part_kinds(case: Case, decision: Decision, submission: bool = False):
    """The packet's parts for this decision: the letter only for an eligible one; the
    submission packet leaves out what is internal or the patient's."""
    if submission:
        parts = [part for part in PARTS if part[0] in ("swo", "trial_note")]
        if decision.status == "eligible":
            parts.insert(1, PARTS[1])
        if availability.refusal("abn", case, decision) is None:
            parts.append(ABN_PART)
        return tuple(parts)
    if decision.status == "eligible":
        return PARTS
    return tuple(SUMMARY_PART if kind == "lmn" else (kind, label) for kind, label in PARTS)


def parts_of(
    renderer: Renderer,
    case: Case,
    decision: Decision,
    options: RenderOptions,
    submission: bool = False,
):
    parts = []
    wet = options.signature is not None and options.signature.method == "wet"
    for kind, label in part_kinds(case, decision, submission):
        if wet and kind in WET_REPLACES:
            # The pages signed in ink replace the unsigned SWO and LMN; the scan
            # itself is appended after the manifest (services.wet_signing.append_scan).
            if kind == WET_REPLACES[0]:
                parts.append(wet_part(case, options))
            continue
        if options.signed_pdfs and kind in options.signed_pdfs:
            # What the practitioner signed, never laid out again (docs/security.md RET-2).
            parts.append(enclosed_part(kind, label, "en", options.signed_pdfs[kind], True))
            continue
        note, foot = None, None
        part_case, part_options = case, options
        if kind == "instructions":
            part_case, part_options = followed_instructions(case, options)
            note, foot = plan_note(options)
        source = source_for(kind, part_case, decision, part_options)
        _, delivered = renderer.render_source(source)
        parts.append(
            enclosed_part(
                kind, label, source.lang, delivered.pdf, pages=delivered.pages, note=note, foot=foot
            )
        )
    return parts


def skeleton(
    renderer: Renderer, options: RenderOptions, submission: bool = False
) -> tuple[str, str]:
    """The packet's HTML before and after the body (the parts document's metadata is
    discarded; its <html lang> is the packet's)."""
    title = packet_title(options, submission)
    html = renderer.html(
        DocumentSource(kind="packet", template="base.html", title=title, lang="en")
    )
    head, tail = html.split("</body>", 1)
    return head, f"</body>{tail}"


def render_packet(
    renderer: Renderer,
    case: Case,
    decision: Decision,
    options: RenderOptions,
    submission: bool = False,
) -> RenderedDocument:
    """The billing packet, or with `submission` the packet for the payer (no checklist, no
    decision JSON, no coverage summary, no patient instructions)."""
    # The patient's private link (a QR code in the instructions) never goes into a packet that
    # billing sends on: it is the patient's key, not the payer's business.
    options = replace(options, link_url=None)
    parts = parts_of(renderer, case, decision, options, submission)
    attachment = None if submission else decision_json(decision)
    head, tail = skeleton(renderer, options, submission)
    bodies = "\n".join(part.body for part in parts)

    def parts_html(frame: layout.Frame) -> str:
        before = layout.placeholders(frame.cover_pages)
        after = layout.placeholders(frame.manifest_pages)
        return f"{head}\n{before}\n{bodies}\n{after}\n{tail}"

    def frame_html(first_page: dict[str, int]) -> str:
        cover = renderer.html(cover_source(case, decision, options, parts, first_page, submission))
        source = manifest_source(case, options, parts, attachment, first_page)
        manifest = body_of(renderer.html(source))
        cover_head, cover_tail = cover.split("</body>", 1)
        return f"{cover_head}\n{manifest}\n</body>{cover_tail}"

    anchors = [part.kind for part in parts]
    found: dict[str, int] = {}

    def frame_recorded(first_page: dict[str, int]) -> str:
        found.clear()
        found.update(first_page)
        return frame_html(first_page)

    document = layout.lay_out(renderer.layout, parts_html, frame_recorded, anchors)
    attachments = []
    if attachment is not None:
        attachments.append(
            renderer.attachment(
                attachment,
                name=ATTACHMENT_NAME,
                description="The coverage decision (dme-decision/1) this packet was built on",
                when=options.now,
            )
        )
    pdf = renderer.write(document, variant=PACKET_VARIANT, attachments=attachments)
    pdf = enclosed_pages(pdf, parts, found)
    kind = "submission" if submission else "packet"
    return renderer.finish(kind, document, pdf, packet_title(options, submission), "en")


def line_modifiers(case, decision, options) -> tuple[str, ...]:
    """What the claim line carries: a DME item's purchase (NU) or rental (RR) modifier, chosen
    on the billing claim page, then the decision's KX/GA/GZ."""
    kind = options.purchase_or_rental if (case.request.hcpcs or "").startswith("E") else None
    return tuple(m for m in (kind, *decision.modifiers) if m)


def packet_title(options: RenderOptions, submission: bool = False) -> str:
    label = "Submission packet" if submission else "Billing packet"
    return w.document_title(label, options.case_number)


def common_context(case: Case, options: RenderOptions) -> dict:
    return {
        "case": case,
        "clinic": options.clinic,
        "dob": w.long_date(case.patient.date_of_birth),
        "payer_name": w.payer_name(case.payer),
        "member_label": w.member_id_label(case.payer),
        "prepared": w.date_time(options.now),
    }


def cover_source(
    case, decision, options, parts, first_page: dict[str, int], submission: bool = False
) -> DocumentSource:
    return DocumentSource(
        kind="packet",
        template="packet_cover.html",
        title=packet_title(options, submission),
        lang="en",
        created=options.now,
        author=options.clinic.name if options.clinic else None,
        context={
            **common_context(case, options),
            "decision": decision,
            "checklist": None if submission else readiness(case, decision, options),
            "decision_words": decision_words(decision),
            "submission": submission,
            "parts": parts,
            "first_page": first_page,
            "device": f"{case.request.hcpcs} ({w.hcpcs_descriptor(case.request.hcpcs)})",
            "modifiers": line_modifiers(case, decision, options),
            "effective": citing.effective_date(decision.policy.effective or ""),
        },
    )


def manifest_source(
    case, options, parts, attachment: bytes, first_page: dict[str, int]
) -> DocumentSource:
    return DocumentSource(
        kind="packet",
        template="packet_manifest.html",
        title=packet_title(options),
        lang="en",
        created=options.now,
        context={
            **common_context(case, options),
            "parts": parts,
            "first_page": first_page,
            "attachment_name": ATTACHMENT_NAME if attachment is not None else None,
            "attachment_sha256": hashlib.sha256(attachment).hexdigest() if attachment else "",
            "attachment_bytes": len(attachment) if attachment else 0,
        },
    )
