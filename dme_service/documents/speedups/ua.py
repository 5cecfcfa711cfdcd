"""WeasyPrint's HTML with a user-agent stylesheet cut down to the elements our templates use.

WeasyPrint matches its full HTML user-agent sheet (every HTML element, forms, bidi, footnotes)
against every element of every document, and computes its universal pseudo-element rules
(`::marker`, `::footnote-call`, `::note-call`...) for each of them: about 13 % of a warm
render, measured. `pdf_templates/ua.css` keeps, unchanged and in the same order, the rules
that can apply to ELEMENTS; a render with it is byte-identical to one with the full sheet
(tests/documents/speedups/test_ua.py renders every document both ways). `_ua_stylesheets` is
WeasyPrint's own hook for that sheet (weasyprint/__init__.py, pinned at 70.0 in setup.cfg).
"""

from __future__ import annotations

from pathlib import Path

import cssselect2
from weasyprint import CSS, HTML, _find_base_url
from weasyprint.html import UA_COUNTER_STYLE

from dme_service.documents.fetcher import ASSETS_DIR
from dme_service.documents.speedups import xhtml

# The elements whose user-agent rules ua.css carries (a template must use no other).
_ELEMENT_NAMES = (
    "a b body br div em h1 h2 h3 head html i img li link meta ol p script section strong"
    " span style table tbody td tfoot th thead title tr ul"
)
ELEMENTS = frozenset(_ELEMENT_NAMES.split())


def load(assets_dir: Path = ASSETS_DIR) -> CSS:
    """The cut-down user-agent sheet, parsed like WeasyPrint parses its own."""
    text = (Path(assets_dir) / "ua.css").read_text("utf-8")
    return CSS(string=text, counter_style=UA_COUNTER_STYLE)


class TemplateHTML(HTML):
    """One of our templates' documents, parsed by xhtml.py and laid out with the cut-down
    user-agent sheet `ua`.

    It sets what weasyprint.HTML.__init__ sets (70.0), from the tree xhtml.parse builds
    instead of tinyhtml5's (the same tree: tests/documents/speedups/test_xhtml.py)."""

    def __init__(self, *, string: str, base_url: str, url_fetcher, ua: CSS) -> None:
        root = xhtml.parse(string)
        self.base_url = _find_base_url(root, base_url)
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element
        self._ua = ua

    def _ua_stylesheets(self, forms=False):
        return [self._ua]
