"""Our layout pipeline changes nothing: same bytes as WeasyPrint's own `HTML(string=...)`.

Every document kind is rendered by a renderer that lays out with WeasyPrint's own HTML
class (tinyhtml5 parser, full user-agent sheet, its own line breaking) and by the real one
(xhtml.py's parser, the cut-down user-agent sheet of ua.py, the line cache); the PDFs must be
identical byte for byte. A template
that starts using an element ua.css has no rules for fails here first.
"""

from __future__ import annotations

import re

import pytest
from weasyprint import HTML

from dme_service.documents import packet
from dme_service.documents.renderer import Renderer
from dme_service.documents.sources import source_for
from dme_service.documents.speedups import ua
from dme_service.documents.types import RenderOptions
from documents.htmls import every_html
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision


class FullUARenderer(Renderer):
    """A renderer whose layouts use WeasyPrint's full user-agent sheet."""

    def layout(self, html: str, css: str | None = None):
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        extra = [self.css(string=css)] if css else []
        return document.render(
            stylesheets=[self.stylesheet, *extra],
            font_config=self.font_config,
            presentational_hints=False,
        )


@pytest.fixture(scope="module")
def renderers():
    return Renderer(), FullUARenderer()


CASES = [
    ("lmn", "en", SIGNED),
    ("lmn", "en", None),
    ("swo", "en", SIGNED),
    ("swo", "en", None),
    ("trial_note", "en", SIGNED),
    ("instructions", "en", SIGNED),
    ("instructions", "es", None),
]


@pytest.mark.parametrize(("kind", "lang", "signature"), CASES)
def test_letters_are_byte_identical_with_the_full_user_agent_sheet(
    renderers, kind, lang, signature
):
    case, decision = case_and_decision()
    options = RenderOptions(now=NOW, clinic=CLINIC, signature=signature, lang=lang)
    source = source_for(kind, case, decision, options)
    ours, full = (renderer.render_source(source)[1] for renderer in renderers)
    assert ours.sha256 == full.sha256


def test_the_packet_is_byte_identical_with_the_full_user_agent_sheet(renderers):
    case, decision = case_and_decision()
    options = RenderOptions(now=NOW, clinic=CLINIC, signature=SIGNED)
    ours, full = (packet.render_packet(r, case, decision, options) for r in renderers)
    assert ours.sha256 == full.sha256


def test_templates_use_only_elements_the_cut_down_sheet_covers():
    used = {tag for _, html in every_html() for tag in re.findall(r"<([a-z0-9]+)", html)}
    assert used <= ua.ELEMENTS, used - ua.ELEMENTS
