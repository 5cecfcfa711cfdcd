"""Our templates parsed by expat (documents/speedups/xhtml.py) give the tree tinyhtml5 gives."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest

from dme_service.documents.speedups import xhtml
from documents import htmls


def shape(element: Element, depth: int = 0) -> list[str]:
    """The tree as lines: tag, attributes, text and tail of every element, in order."""
    line = f"{'  ' * depth}{element.tag} {sorted(element.attrib.items())} {element.text!r}"
    lines = [f"{line} {element.tail!r}"]
    for child in element:
        lines += shape(child, depth + 1)
    return lines


def test_the_labels_name_every_document():
    assert sorted(htmls.by_label()) == htmls.labels()


@pytest.mark.parametrize("label", htmls.labels())
def test_every_document_parses_to_the_html5_tree(label, monkeypatch):
    html = htmls.by_label()[label]
    # Through expat, not its fallback: a template that stops being well-formed fails here.
    monkeypatch.setattr(xhtml, "html5", lambda _: pytest.fail(f"{label} fell back"))
    html5 = xhtml.tinyhtml5.parse(html, namespace_html_elements=False)
    assert shape(xhtml.parse(html)) == shape(html5)


@pytest.mark.parametrize(
    "html",
    [
        # Not XML: a bare ampersand, an unclosed void element, an HTML entity.
        "<html><head><title>a & b</title></head><body><p>x</p></body></html>",
        '<html><head><meta charset="utf-8"></head><body><p>x<br>y</p></body></html>',
        "<html><body><p>a&nbsp;b</p></body></html>",
    ],
)
def test_what_expat_refuses_is_parsed_by_tinyhtml5(html):
    assert shape(xhtml.parse(html)) == shape(xhtml.html5(html))


@pytest.mark.parametrize(
    "html",
    [
        "<html>\n<head><title>t</title></head>\n<body>\n<p>x</p>\n</body>\n</html>",
        "<html><head></head><body></body>\n</html>",
        "<html><head></head><body><table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n</table></body></html>",
        "<html><head></head><body><table><thead><tr><th>h</th></tr></thead>"
        "<tr><td>1</td></tr></table></body></html>",
        "<html><head></head><body><table><tbody><tr><td>1</td></tr></tbody></table></body></html>",
    ],
)
def test_the_html5_rules_we_copy(html):
    assert shape(xhtml.parse(html)) == shape(xhtml.html5(html))


def test_no_entity_is_expanded():
    """defusedxml refuses entity declarations (a billion laughs never reaches expat's
    expansion); such a document goes to tinyhtml5, which does not expand them."""
    html = '<!DOCTYPE html [<!ENTITY a "aaaa">]><html><body><p>&a;</p></body></html>'
    assert "aaaa" not in "".join(xhtml.parse(html).itertext())
