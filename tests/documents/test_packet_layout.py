"""The packet laid out as parts + frame documents and joined (documents/packet_layout.py)."""

from __future__ import annotations

import pytest

from dme_service.documents import packet_layout
from dme_service.documents.render import render
from dme_service.documents.renderer import get_renderer
from dme_service.documents.types import PACKET_VARIANT
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision

HEAD = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
TAIL = "</body></html>"


@pytest.fixture(scope="module")
def packet_pdf():
    case, decision = case_and_decision()
    return render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED).pdf


def test_every_page_numbers_itself_within_the_packet(packet_pdf):
    """The cover and manifest in their footers; a carried part's page below its own footer
    (the part's own "Page 1 of 2" stays as delivered)."""
    pages = pdfs.page_texts(packet_pdf)
    for number, text in enumerate(pages, start=1):
        own = f"Page {number} of {len(pages)}"
        assert text.endswith((own, f"Packet page {number} of {len(pages)}")), text[-60:]


def test_each_contents_link_goes_to_its_part(packet_pdf):
    reader = pdfs.reader(packet_pdf)
    destinations = {
        name: reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }
    assert destinations == {
        "cover": 1,
        "swo": 2,
        "lmn": 3,
        "trial_note": 5,
        "instructions": 6,
        "manifest": 10,
    }
    links = [annot.get_object()["/Dest"] for annot in reader.pages[0]["/Annots"]]
    assert set(links) == set(destinations) - {"cover"}


def section(anchor: str, text: str, footer: str, kind: str = "") -> str:
    classes = f"part {kind}".strip()
    return (
        f'<section class="{classes}" id="{anchor}" data-footer="{footer}"><p>{text}</p></section>'
    )


def test_a_cover_longer_than_guessed_is_laid_out_again_with_its_real_length():
    renderer = get_renderer()
    seen = []

    def parts_html(frame):
        parts = section("a", "Part A", "A") + section("b", "Part B", "B")
        before = packet_layout.placeholders(frame.cover_pages)
        after = packet_layout.placeholders(frame.manifest_pages)
        return f"{HEAD}{before}{parts}{after}{TAIL}"

    def frame_html(first_page):
        seen.append(dict(first_page))
        covers = section("c1", f"A on {first_page['a']}", "C") + section("c2", "more", "C")
        # class "manifest": print.css puts it in the page group FRAME_CSS numbers
        manifest = section("manifest", f"B on {first_page['b']}", "M", "manifest")
        return f"{HEAD}{covers}{manifest}{TAIL}"

    document = packet_layout.lay_out(renderer.layout, parts_html, frame_html, ["a", "b"])
    assert seen == [{"a": 2, "b": 3, "manifest": 4}, {"a": 3, "b": 4, "manifest": 5}]
    pages = pdfs.page_texts(renderer.write(document, variant=PACKET_VARIANT))
    assert [text.split(" Page")[0] for text in pages] == [
        "A on 3 C",
        "more C",
        "Part A A",
        "Part B B",
        "B on 4 M",
    ]
    assert pages[-1].endswith("Page 5 of 5")
