"""The billing packet of an order signed in ink stays PDF/A-3u: the scan goes in as images of
its pages, so nothing of the uploaded file that PDF/A forbids (an unembedded font, a script)
reaches the archived packet; the packet's header, metadata and attachment are kept."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

from dme_service.documents.render import render
from dme_service.services import wet_signing


def scanner_pdf() -> bytes:
    """A 'scan' a careless scanner or a person might upload: two pages, the first with text in
    an unembedded Helvetica and a script the page runs when opened."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = StreamObject()
    content.set_data(b"BT /F1 24 Tf 72 700 Td (Signed: Pat Rivera MD) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1275, 1650), (250, 250, 250)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def packet() -> bytes:
    case, decision = case_and_decision()
    return render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED).pdf


@pytest.mark.parametrize(
    ("media_type", "content", "pages"),
    [("application/pdf", scanner_pdf(), 2), ("image/jpeg", jpeg(), 1)],
)
def test_the_scan_pages_are_images_only_and_the_packet_keeps_its_pdf_a_parts(
    packet, media_type, content, pages
):
    scan = SimpleNamespace(media_type=media_type, content=content)
    combined = wet_signing.append_scan(packet, scan)
    before, after = PdfReader(io.BytesIO(packet)), PdfReader(io.BytesIO(combined))
    assert len(after.pages) == len(before.pages) + pages
    for page in after.pages[len(before.pages) :]:
        resources = page["/Resources"]
        assert "/Font" not in resources  # PDF/A: every font embedded; a picture has none
        for image in resources["/XObject"].values():
            image = image.get_object()
            assert image["/Subtype"] == "/Image"
            assert image["/ColorSpace"] in ("/DeviceRGB", "/DeviceGray")  # sRGB output intent
            assert image["/Filter"] in ("/DCTDecode", "/FlateDecode")  # never LZW
    assert b"/JavaScript" not in combined and b"/JS " not in combined
    assert combined.startswith(b"%PDF-1.7")  # as the packet was made, not pypdf's 1.4
    assert 'pdfaid:part="3"' in pdfs.xmp(combined) and 'pdfaid:conformance="U"' in pdfs.xmp(
        combined
    )
    assert "/OutputIntents" in after.trailer["/Root"]
    assert list(pdfs.attachments(combined)) == list(pdfs.attachments(packet))


def test_the_rendered_scan_page_shows_what_was_signed(packet):
    scan = SimpleNamespace(media_type="application/pdf", content=scanner_pdf())
    (image,) = wet_signing.scan_page_images(scan)[:1]
    assert image.size == (1275, 1650)  # letter at 150 dpi
    assert image.convert("L").getextrema()[0] < 100  # the signed text is on it, in ink-dark
    assert re.match(rb"%PDF-1\.\d", wet_signing.scan_as_pdf(scan))
