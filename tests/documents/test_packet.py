"""The billing packet: bookmarks, checklist, manifest hashes, attachment, PDF/A-3u markers."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from dme_service.documents import packet as packet_module
from dme_service.documents.renderer import RenderOptions, get_renderer, render
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision


@pytest.fixture(scope="module")
def packet():
    case, decision = case_and_decision()
    rendered = render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    return case, decision, rendered, pdfs.page_texts(rendered.pdf)


def cover(*args, signature=None, reason=None, **changes) -> str:
    case, decision = case_and_decision(*args, **changes)
    rendered = render("packet", case, decision, now=NOW, signature=signature, reason=reason)
    return pdfs.page_texts(rendered.pdf)[0]


def test_the_packet_has_a_bookmark_per_part_in_order(packet):
    assert pdfs.outline_titles(packet[2].pdf) == [
        "Billing packet",
        "Standard written order",
        "Letter of medical necessity",
        "Supervised trial note",
        "Your home neck traction",
        "Manifest",
    ]


def manifest_hashes(pages: list[str]) -> dict[str, str]:
    """Part label -> SHA-256 as printed on the manifest (the last page)."""
    manifest = pages[-1].replace(" ", "")
    found = {}
    for kind, label in packet_module.PARTS:
        start = manifest.index(label.replace(" ", ""))
        # The row reads label, first page, hash; squashed, the page digits lead the hash.
        found[kind] = re.search(r"[0-9a-f]{64,}", manifest[start:]).group(0)[-64:]
    return found


def test_the_manifest_lists_the_hash_of_each_part_as_laid_out(packet):
    case, decision, _, pages = packet
    options = RenderOptions(now=NOW, clinic=CLINIC, signature=SIGNED)
    parts = packet_module.parts_of(get_renderer(), case, decision, options)
    expected = {part.kind: hashlib.sha256(part.body.encode()).hexdigest() for part in parts}
    assert manifest_hashes(pages) == expected


def test_signing_changes_the_hashes_of_the_signed_parts_only(packet):
    case, decision, _, signed_pages = packet
    unsigned = render("packet", case, decision, now=NOW, clinic=CLINIC)
    before = manifest_hashes(pdfs.page_texts(unsigned.pdf))
    after = manifest_hashes(signed_pages)
    changed = {kind for kind in before if before[kind] != after[kind]}
    # the instructions say the order is not signed yet until it is (issue 16)
    assert changed == {"swo", "lmn", "instructions"}


def test_the_contents_give_each_part_its_first_page(packet):
    cover_page = packet[3][0]
    for label, page in [
        ("Standard written order", 2),
        ("Letter of medical necessity", 3),
        ("Supervised trial note", 5),
        ("Patient instructions", 6),
        ("Manifest (SHA-256 of each part)", 10),
    ]:
        assert f"{label} {page}" in cover_page


def test_the_decision_json_is_the_only_attachment(packet):
    _, decision, rendered, pages = packet
    files = pdfs.attachments(rendered.pdf)
    assert list(files) == ["decision.json"]
    assert json.loads(files["decision.json"][0]) == decision.as_json()


def test_pdf_a_3u_markers_title_and_language(packet):
    rendered = packet[2]
    metadata = pdfs.xmp(rendered.pdf)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="U"' in metadata
    assert "Billing packet: Jane Q. Doe" in metadata
    assert pdfs.reader(rendered.pdf).metadata["/Title"] == "Billing packet: Jane Q. Doe"
    assert pdfs.catalog_lang(rendered.pdf) == "en"


def test_the_page_count_is_the_sum_of_the_parts(packet):
    rendered, pages = packet[2], packet[3]
    assert rendered.pages == len(pages) == 1 + 1 + 2 + 1 + 4 + 1


def test_the_same_facts_render_the_same_bytes(packet):
    case, decision, rendered, _ = packet
    again = render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    assert again.sha256 == rendered.sha256


def test_a_signed_eligible_cover_shows_every_item_met_or_not_needed(packet):
    page = packet[3][0]
    assert "Missing" not in page and "Review" not in page
    assert "Electronically signed by Sam Lee, MD" in page
    assert "Proof of delivery Pending" in page


def test_an_unsigned_cover_shows_the_signature_missing():
    page = cover()
    assert "Signed by an eligible treating practitioner Missing" in page
    assert "Awaiting the signature of Sam Lee, MD (NPI 1234567893)" in page


def test_a_prior_unit_within_five_years_is_flagged_for_review():
    page = cover(prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}])
    assert "Same-or-similar check (prior unit within 5 years) Review" in page
    assert "E0860 on May 1, 2023" in page


def test_the_ga_modifier_shows_the_abn_on_file():
    page = cover(hcpcs="E0849", force_lb=15, abn_on_file=True, reason="ABN signed")
    assert "Bill E0849 with GA" in page
    assert "ABN on file (GA modifier)" in page


def test_a_payer_that_never_pays_asks_for_a_financial_responsibility_notice():
    page = cover("uhc_commercial", reason="The patient pays")
    assert "ABN or financial-responsibility notice Missing" in page
    assert "Coverage decision Missing" in page
