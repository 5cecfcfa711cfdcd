"""Parse our templates' output with expat (C) into the tree WeasyPrint's HTML5 parser builds.

WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5 parser: about 5 % of a render's
CPU (measured on the LMN and the packet). Our templates write well-formed XHTML (void
elements closed, no named entities but XML's; user text is autoescaped), so expat, through
defusedxml, reads them far faster. Where the HTML5 tree-construction rules build a different
tree from the same markup, `_as_html5` makes the same changes, for the constructs our
templates use:

- whitespace between <html> and <head> is dropped;
- whitespace after </body> belongs to the body's last node;
- rows written straight inside a <table> go into an implied <tbody>.

tests/documents/speedups/test_xhtml.py checks, for every document, language and packet part,
that the tree equals tinyhtml5's. Anything expat refuses (say, a translation with a bare "&") is
parsed by tinyhtml5, as before.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import tinyhtml5
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


def parse(html: str) -> Element:
    """The document tree of `html`, as tinyhtml5 would build it (namespace-free tags)."""
    try:
        root = fromstring(html)
    except (ParseError, DefusedXmlException):
        return html5(html)
    _as_html5(root)
    return root


def html5(html: str) -> Element:
    """WeasyPrint's own parse (weasyprint.HTML.__init__, 70.0)."""
    return tinyhtml5.parse(html, namespace_html_elements=False)


def _as_html5(root: Element) -> None:
    if root.text is not None and not root.text.strip():
        root.text = None
    body = root.find("body")
    if body is not None and body.tail is not None:
        _append_text(body, body.tail)
        body.tail = None
    for table in root.iter("table"):
        _imply_tbody(table)


def _append_text(parent: Element, text: str) -> None:
    """Add `text` at the end of `parent`'s content (the last child's tail, or its text)."""
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _imply_tbody(table: Element) -> None:
    """Put each run of rows that sit directly in `table` into a <tbody> of its own."""
    children = list(table)
    if not any(child.tag == "tr" for child in children):
        return
    for child in children:
        table.remove(child)
    body = None
    for child in children:
        if child.tag != "tr":
            table.append(child)
            body = None
            continue
        if body is None:
            body = Element("tbody")
            table.append(body)
        body.append(child)
