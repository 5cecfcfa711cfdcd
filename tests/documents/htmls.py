"""Every HTML the renderer lays out: each document in each language, signed or not, for two
payers, the packet's cover and manifest, the two documents the packet is laid out as, the
follow-up letter and the warm-up page. Tests that swap a piece of the pipeline (the user-agent
sheet, the parser, the line cache) walk all of them."""

from __future__ import annotations

import functools
from datetime import date

from dme_service.documents import followup, packet
from dme_service.documents.renderer import Renderer
from dme_service.documents.sources import source_for
from dme_service.documents.types import DocumentSource, RenderOptions
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision

LETTERS = ("lmn", "swo", "trial_note", "instructions")
PAYERS = ("medicare", "uhc_commercial")
HOME = followup.HomeFacts(through=date(2026, 11, 20), sessions=4, first_day=date(2026, 11, 3))


class RecordingRenderer(Renderer):
    """A renderer that remembers the HTML of every layout (the packet makes two)."""

    def __init__(self) -> None:
        super().__init__()
        self.laid_out: list[str] = []

    def layout(self, html: str, css: str | None = None):
        self.laid_out.append(html)
        return super().layout(html, css)


def options_for(signature, lang: str = "en") -> RenderOptions:
    link = "https://example.org/i"
    return RenderOptions(now=NOW, clinic=CLINIC, signature=signature, link_url=link, lang=lang)


def letter_htmls(renderer: Renderer):
    """(label, html) of every letter, cover and manifest."""
    for payer in PAYERS:
        case, decision = case_and_decision(payer)
        for signature in (SIGNED, None):
            for lang in ("en", "es"):
                options = options_for(signature, lang)
                for kind in LETTERS:
                    label = f"{kind}-{payer}-{lang}-{'signed' if signature else 'unsigned'}"
                    yield label, renderer.html(source_for(kind, case, decision, options))
            options = options_for(signature)
            parts = packet.parts_of(renderer, case, decision, options)
            first = {part.kind: 2 for part in parts} | {"manifest": 9}
            cover = packet.cover_source(case, decision, options, parts, first)
            yield f"cover-{payer}", renderer.html(cover)
            yield (
                f"manifest-{payer}",
                renderer.html(packet.manifest_source(case, options, parts, b"{}", first)),
            )


def every_html():
    """(label, html) of everything the renderer lays out."""
    renderer = RecordingRenderer()
    yield from letter_htmls(renderer)
    case, decision = case_and_decision()
    packet.render_packet(renderer, case, decision, options_for(SIGNED))
    yield "packet-parts", renderer.laid_out[0]
    yield "packet-frame", renderer.laid_out[1]
    yield "followup", renderer.html(followup.source(case, decision, HOME, now=NOW, clinic=CLINIC))
    warm_up = DocumentSource(kind="warm_up", template="warm_up.html", title="", lang="en")
    yield "warm_up", renderer.html(warm_up)


def labels() -> list[str]:
    """The labels of every_html(), without rendering anything: tests parametrize by them at
    collection, which every worker of every run repeats (a packet render each time before)."""
    letters = [
        f"{kind}-{payer}-{lang}-{signed}"
        for payer in PAYERS
        for signed in ("signed", "unsigned")
        for lang in ("en", "es")
        for kind in LETTERS
    ]
    packets = [f"{part}-{payer}" for payer in PAYERS for part in ("cover", "manifest")]
    return sorted([*letters, *packets, "packet-parts", "packet-frame", "followup", "warm_up"])


@functools.cache
def by_label() -> dict[str, str]:
    """every_html() as {label: html}, rendered once per process and only when a test asks."""
    return dict(every_html())
