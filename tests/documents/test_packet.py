"""The billing packet: bookmarks, checklist, manifest hashes, attachment, PDF/A-3u markers."""

from __future__ import annotations

import json

import pytest

from dme_service.documents.renderer import render
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision


@pytest.fixture(scope="module")
def packet():
    case, decision = case_and_decision()
    rendered = render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    return case, decision, rendered, pdfs.page_texts(rendered.pdf)


def cover(*args, signature=None, **changes) -> str:
    case, decision = case_and_decision(*args, **changes)
    rendered = render("packet", case, decision, now=NOW, signature=signature)
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


def test_the_manifest_lists_the_hash_of_each_part_as_rendered_alone(packet):
    case, decision, rendered, pages = packet
    manifest = pages[-1]
    for kind in ("swo", "lmn", "trial_note", "instructions"):
        alone = render(kind, case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
        assert alone.sha256 in manifest.replace(" ", ""), kind


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
    assert "Signed electronically by Sam Lee, MD" in page
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
    page = cover(hcpcs="E0849", force_lb=15, abn_on_file=True)
    assert "Bill E0849 with GA" in page
    assert "ABN on file (GA modifier)" in page


def test_a_payer_that_never_pays_asks_for_a_financial_responsibility_notice():
    page = cover("uhc_commercial")
    assert "ABN or financial-responsibility notice Missing" in page
    assert "Coverage decision Missing" in page
