"""One WeasyPrint renderer per process: the engine every document is laid out and written by.

The renderer keeps what does not change between documents: one font configuration that
knows the bundled fonts and no other (fonts.py), the print stylesheet and a cut-down
user-agent sheet (ua.py) parsed once, a Jinja2 environment over `pdf_templates/`
(autoescaped: a patient named `<script>` stays text), and the restricted asset fetcher
(docs/security.md PDF-1), which is passed to every HTML, CSS and Attachment.
Templates only ever come from files; user text only ever arrives as template variables
(docs/security.md OUT-2). Pure: no Flask, no database.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
from datetime import datetime
from pathlib import Path

import jinja2
from weasyprint import CSS, Attachment
from weasyprint.document import Document

from dme_service.documents.fetcher import ASSETS_DIR, AssetFetcher
from dme_service.documents.fonts import BundledFonts
from dme_service.documents.speedups import ua
from dme_service.documents.speedups.line_cache import LineCache
from dme_service.documents.types import (
    GENERATOR,
    LETTER_VARIANT,
    PACKET_VARIANT,
    DocumentSource,
    RenderedDocument,
)


class Renderer:
    """Fonts, stylesheet, templates and fetcher, built once and reused for every render."""

    def __init__(self, assets_dir: Path = ASSETS_DIR) -> None:
        self.assets_dir = Path(assets_dir)
        self.base_url = self.assets_dir.as_uri() + "/"
        self.fetcher = AssetFetcher(self.assets_dir)
        self.font_config = BundledFonts()
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

    def warm_engine(self) -> None:
        """Render a small page through every font face and both PDF variants.

        A renderer's first render costs ~40 ms of CPU more than the next ones (fonts loaded
        into Pango and HarfBuzz, caches filled; measured on the LMN). `render.warm_up` calls
        this, then renders the specimen documents."""
        source = DocumentSource(kind="warm_up", template="warm_up.html", title="", lang="en")
        document = self.layout(self.html(source))
        for variant in (LETTER_VARIANT, PACKET_VARIANT):
            self.write(document, variant=variant)

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
