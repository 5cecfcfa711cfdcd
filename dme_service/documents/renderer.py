"""One WeasyPrint renderer per process, and `render(kind, case, decision)` for every document.

The renderer keeps what does not change between documents: one `FontConfiguration` with
the bundled fonts registered, the print stylesheet and a cut-down user-agent sheet (ua.py)
parsed once, a Jinja2 environment over
`pdf_templates/` (autoescaped: a patient named `<script>` stays text), and the restricted
asset fetcher (docs/security.md PDF-1), which is passed to every HTML, CSS and Attachment.
Templates only ever come from files; user text only ever arrives as template variables
(docs/security.md OUT-2). Pure: no Flask, no database.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from weasyprint import CSS, Attachment
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

from dme_service.case.model import Case
from dme_service.documents import availability
from dme_service.documents.fetcher import ASSETS_DIR, AssetFetcher
from dme_service.documents.speedups import ua
from dme_service.documents.speedups.line_cache import LineCache
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.decision import Decision

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
    # The claim's purchase (NU) or rental (RR) modifier, chosen by billing (issue 17)
    purchase_or_rental: str | None = None


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


class Renderer:
    """Fonts, stylesheet, templates and fetcher, built once and reused for every render."""

    def __init__(self, assets_dir: Path = ASSETS_DIR) -> None:
        self.assets_dir = Path(assets_dir)
        self.base_url = self.assets_dir.as_uri() + "/"
        self.fetcher = AssetFetcher(self.assets_dir)
        self.font_config = FontConfiguration()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.assets_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.stylesheet = self.css(filename=self.assets_dir / "print.css")
        self.ua_stylesheet = ua.load(self.assets_dir)
        self.line_cache = LineCache()
        self.warmed_up = False

    def css(self, **source) -> CSS:
        """A stylesheet parsed with this renderer's fetcher and fonts."""
        return CSS(
            **source,
            base_url=self.base_url,
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )

    def html(self, source: DocumentSource) -> str:
        template = self.env.get_template(source.template)
        created = source.created.isoformat(timespec="seconds") if source.created else None
        return template.render(
            **source.context,
            title=source.title,
            lang=source.lang,
            generator=GENERATOR,
            created=created,
            author=source.author,
        )

    def layout(self, html: str, css: str | None = None) -> Document:
        """Lay out the HTML (never from a URL) with the cached stylesheets and fonts, and
        `css` (our own rules, never user text) after them."""
        document = ua.TemplateHTML(
            string=html, base_url=self.base_url, url_fetcher=self.fetcher, ua=self.ua_stylesheet
        )
        extra = [self.css(string=css)] if css else []
        with self.line_cache.active():
            return document.render(
                stylesheets=[self.stylesheet, *extra],
                font_config=self.font_config,
                presentational_hints=False,
            )

    def attachment(self, data: bytes, *, name: str, description: str, when: datetime):
        return Attachment(
            string=data,
            base_url=self.base_url,
            url_fetcher=self.fetcher,
            name=name,
            description=description,
            created=when,
            modified=when,
            relationship="Data",
        )

    def write(self, document: Document, *, variant: str, attachments=()) -> bytes:
        # The packet is PDF/A-3u and tagged like the letters (its instructions are read on
        # screen too): pdf_tags gives it the structure tree PDF/UA-1 gives the letters.
        return document.write_pdf(
            pdf_variant=variant,
            attachments=list(attachments) or None,
            presentational_hints=False,
            pdf_tags=variant == PACKET_VARIANT,
        )

    def finish(self, kind: str, document: Document, pdf: bytes, title: str, lang: str):
        return RenderedDocument(
            kind=kind,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pages=len(document.pages),
            title=title,
            lang=lang,
        )

    def warm_up(self) -> None:
        """Render a small page through every font face and both PDF variants, then the
        specimen documents (specimen.py), once.

        A renderer's first render costs ~40 ms of CPU more than the next ones (fonts loaded
        into Pango and HarfBuzz, caches filled; measured on the LMN), and the specimen fills
        the line cache with every template's fixed sentences. documents/bounded.py calls this
        in the parent, so that every forked render starts warm."""
        if self.warmed_up:
            return
        source = DocumentSource(kind="warm_up", template="warm_up.html", title="", lang="en")
        document = self.layout(self.html(source))
        for variant in (LETTER_VARIANT, PACKET_VARIANT):
            self.write(document, variant=variant)
        from dme_service.documents.specimen import specimen_renders

        with gc_paused():
            for kind, case, decision, options in specimen_renders():
                self.render_kind(kind, case, decision, RenderOptions(**options))
        self.warmed_up = True

    def render_kind(self, kind: str, case: Case, decision: Decision, options: RenderOptions):
        """One document of any kind, the packet included."""
        if kind in ("packet", "submission"):
            from dme_service.documents import packet

            return packet.render_packet(
                self, case, decision, options, submission=kind == "submission"
            )
        return self.render_source(source_for(kind, case, decision, options))[1]

    def render_source(self, source: DocumentSource) -> tuple[Document, RenderedDocument]:
        """Lay out and write one letter-type document (PDF/UA-1)."""
        document = self.layout(self.html(source))
        pdf = self.write(document, variant=LETTER_VARIANT)
        return document, self.finish(source.kind, document, pdf, source.title, source.lang)


_local = threading.local()


def get_renderer() -> Renderer:
    """This thread's renderer (in a sync worker: the process's one). A FontConfiguration
    must not be shared across threads; a forked child gets its own copy of the parent's,
    already warm (the bounded render relies on that)."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        _local.renderer = renderer = Renderer()
    return renderer


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for one render.

    A layout allocates a box tree full of reference cycles; collections triggered during the
    render walk that growing tree again and again (15-20 % of a packet's layout, measured).
    The render's garbage is collected by the next ordinary collection once it is re-enabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_for(kind: str, case: Case, decision: Decision, options: RenderOptions):
    """The DocumentSource of a single (non-packet) document."""
    module = importlib.import_module(f"dme_service.documents.{kind}")
    return module.source(case, decision, options)


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
    )
    with gc_paused():
        return get_renderer().render_kind(kind, case, decision, options)
