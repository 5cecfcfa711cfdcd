"""The billing packet: bookmarks, checklist, manifest hashes, attachment, PDF/A-3u markers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import pytest

from dme_service.documents import packet as packet_module
from dme_service.documents.render import render
from dme_service.documents.renderer import get_renderer
from dme_service.documents.types import RenderOptions
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision


@pytest.fixture(scope="module")
def packet():
    case, decision = case_and_decision()
    rendered = render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    return case, decision, rendered, pdfs.page_texts(rendered.pdf)


def flat(text: str) -> str:
    return " ".join(text.split())


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
        "Patient instructions",
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


def test_the_manifest_lists_the_sha256_of_each_enclosed_pdf_as_delivered(packet):
    """Each part is the document's own PDF: rendering the kind alone, for the same case,
    decision, time and signature, gives the file whose SHA-256 the manifest prints (the
    manifest used to hash the parts' HTML, which nobody holding a PDF can check)."""
    case, decision, _, pages = packet
    delivered = {
        kind: render(kind, case, decision, now=NOW, clinic=CLINIC, signature=SIGNED).pdf
        for kind, _ in packet_module.PARTS
    }
    expected = {kind: hashlib.sha256(pdf).hexdigest() for kind, pdf in delivered.items()}
    assert manifest_hashes(pages) == expected


def test_each_enclosed_pdfs_pages_are_carried_unchanged(packet):
    case, decision, rendered, pages = packet
    start = 1
    for kind, _ in packet_module.PARTS:
        alone = pdfs.page_texts(
            render(kind, case, decision, now=NOW, clinic=CLINIC, signature=SIGNED).pdf
        )
        carried = [without_packet_number(page) for page in pages[start : start + len(alone)]]
        assert carried == alone, kind
        start += len(alone)


def without_packet_number(text: str) -> str:
    """A carried page's text less the packet's own page number printed below its footer."""
    return re.sub(r" ?Packet page \d+ of \d+$", "", text)


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
    assert "Billing packet" in metadata and "Jane" not in metadata
    assert pdfs.reader(rendered.pdf).metadata["/Title"] == "Billing packet"
    assert pdfs.catalog_lang(rendered.pdf) == "en"


def test_the_page_count_is_the_sum_of_the_parts(packet):
    rendered, pages = packet[2], packet[3]
    assert rendered.pages == len(pages) == 1 + 1 + 2 + 1 + 4 + 1


def test_the_same_facts_render_the_same_bytes(packet):
    case, decision, rendered, _ = packet
    again = render("packet", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    assert again.sha256 == rendered.sha256


def test_a_signed_eligible_cover_shows_every_item_met_but_the_delivery(packet):
    page = packet[3][0]
    assert "Missing" not in page and "Review" not in page
    # the service's summary of the trial is not the therapist's note
    # one date format on the cover, as in the letters (no ISO date)
    assert "Attach the therapist's signed trial note of October 2, 2026" in flat(page)
    assert "Signed by Sam Lee, MD (NPI 1234567893)" in flat(page)
    assert "Proof of delivery recorded Pending" in page


def test_an_unsigned_cover_shows_the_signature_missing():
    page = cover()
    assert "Signed by the treating practitioner, signature not voided Missing" in flat(page)
    assert "Not signed yet." in page


def test_a_prior_unit_within_five_years_is_flagged_for_review():
    page = cover(prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}])
    assert "Same-or-similar checked (prior unit within 5 years) Review" in flat(page)
    assert "Prior unit E0860 dated May 1, 2023 is within 5 years" in flat(page)


def test_the_ga_modifier_shows_the_abn_on_file():
    page = cover(hcpcs="E0849", force_lb=15, abn_on_file=True, reason="ABN signed")
    assert "Modifiers NU, GA" in flat(page) or "GA" in flat(page).split("Modifiers")[1][:20]
    assert "GA: the ABN is on file." in flat(page)


def test_a_payer_that_never_pays_asks_for_a_financial_responsibility_notice():
    page = cover("uhc_commercial", reason="The patient pays")
    assert "ABN or financial-responsibility notice Missing" in flat(page)
    assert "The payer is not expected to pay" in flat(page)


def test_the_cover_names_each_unmet_criterion_and_the_alternative():
    """Review defect #8: never "Unmet: LCD L33823, LCD L33823, LCD L33823"."""
    page = flat(cover(hcpcs="E0849", force_lb=20, abn_on_file=True, reason="ABN signed"))
    assert "LCD L33823, LCD L33823" not in page
    assert "LCD L33823 criterion A (TMJ dysfunction that has been treated) not recorded" in page
    assert "LCD L33823 criterion C (more than 20 pounds ordered for home use): 20 pounds" in page
    assert "E0860 meets this patient's criteria." in page


def test_a_self_paid_cover_asks_for_the_notice_and_no_modifier():
    page = flat(cover("self_pay"))
    assert "The payer is expected to pay" not in page
    assert "Self-pay: get the patient's signed notice before delivery." in page
    assert "Modifiers None" in page or "GA" not in page.split("Modifiers")[1][:20]


def test_the_cover_names_the_excludes1_pairs():
    diagnoses = ["M54.2", "M50.122", "G54.2", "M50.222", "M47.812"]
    page = flat(cover(diagnoses=diagnoses))
    assert "Diagnosis codes reviewed for Excludes1 pairs Review" in page
    assert "5 Excludes1 pairs: M54.2 with M50.122; M54.2 with M50.222; G54.2 with M50.122" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"hcpcs": "E0849", "force_lb": 25},
        {"hcpcs": "E0849", "force_lb": 20, "abn_on_file": True},
        {"payer": "uhc_commercial"},
        {"diagnoses": ["M54.2", "M50.122", "G54.2", "M50.222", "M47.812", "M50.30", "M48.02"]},
    ],
)
def test_the_cover_fits_on_one_page(changes):
    """Review §6.1: the cover spilled onto a near-empty second page in half the packets."""
    changes = dict(changes)
    payer = changes.pop("payer", "medicare")
    case, decision = case_and_decision(payer, **changes)
    rendered = render("packet", case, decision, now=NOW, reason="Chosen by the patient")
    pages = pdfs.page_texts(rendered.pdf)
    assert "Standard written order" in pages[1]
    assert "Billing packet ·" not in pages[1]


def test_the_hashes_are_not_broken_inside_a_group(packet):
    manifest = packet[3][-1]
    groups = re.findall(r"\b[0-9a-f]{16}\b", manifest)
    assert len(groups) == 4 * (len(packet_module.PARTS) + 1)


def test_the_packet_is_tagged(packet):
    reader = pdfs.reader(packet[2].pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_the_trial_note_tables_stay_inside_the_right_margin():
    """Review §6.2: the screening table ran about half an inch past the text block."""
    from dme_service.documents.sources import source_for

    case, decision = case_and_decision()
    renderer = get_renderer()
    options = RenderOptions(now=NOW, clinic=CLINIC)
    document = renderer.layout(renderer.html(source_for("trial_note", case, decision, options)))
    page = document.pages[0]._page_box
    right = page.content_box_x() + page.width
    tables = [box for box in page.descendants() if type(box).__name__ == "TableBox"]
    assert len(tables) == 3
    for box in tables:
        assert box.border_box_x() + box.border_width() <= right + 0.5


def test_the_submission_packet_leaves_out_what_is_internal():
    """Review §6.5: the payer gets the order, the letter, the trial values and the ABN; not the
    checklist, the decision JSON, the coverage summary or the patient's instructions."""
    case, decision = case_and_decision(hcpcs="E0849", force_lb=20)
    rendered = render("submission", case, decision, now=NOW, clinic=CLINIC, reason="ABN signed")
    assert rendered.kind == "submission"
    assert pdfs.outline_titles(rendered.pdf) == [
        "Submission packet",
        "Standard written order",
        "Supervised trial note",
        "Advance Beneficiary Notice (CMS-R-131)",
        "Manifest",
    ]
    assert pdfs.attachments(rendered.pdf) == {}
    text = pdfs.text(rendered.pdf)
    for internal in ("Billing checklist", "decision.json", "Coverage summary", "Missing"):
        assert internal not in text


def test_an_eligible_submission_packet_carries_the_letter():
    case, decision = case_and_decision()
    rendered = render("submission", case, decision, now=NOW, clinic=CLINIC)
    titles = pdfs.outline_titles(rendered.pdf)
    assert titles[1:3] == ["Standard written order", "Letter of medical necessity"]
    assert "Your home neck traction" not in titles


def test_the_patient_link_never_reaches_a_packet():
    """Review §6.6: `render --document packet --link URL` printed the patient's QR code."""
    case, decision = case_and_decision()
    rendered = render("packet", case, decision, now=NOW, link_url="https://clinic.example/p/x1")
    assert all(pdfs.image_count(rendered.pdf, page) == 0 for page in range(rendered.pages))


def test_the_cover_names_the_purchase_or_rental_modifier_billing_chose():
    # Issue 17: the E0860 cover said "Modifiers: None"; the line carries NU or RR.
    case, decision = case_and_decision()
    assert case.request.hcpcs.startswith("E")
    for kind in ("NU", "RR"):
        rendered = render("packet", case, decision, now=NOW, purchase_or_rental=kind)
        assert f"Modifiers {kind}" in flat(pdfs.page_texts(rendered.pdf)[0])
    assert "Modifiers None" in flat(cover())  # nothing chosen (the command line's render)


@pytest.fixture(scope="module")
def signed_packet():
    """A packet made after signing: it carries the signed SWO and LMN files."""
    case, decision = case_and_decision()
    signed = {
        kind: render(kind, case, decision, now=NOW, clinic=CLINIC, signature=SIGNED).pdf
        for kind in ("swo", "lmn")
    }
    # A later moment: a fresh layout of the order would print another "Prepared" time.
    later = NOW.replace(hour=NOW.hour + 1)
    rendered = render(
        "packet", case, decision, now=later, clinic=CLINIC, signature=SIGNED, signed_pdfs=signed
    )
    return signed, rendered, pdfs.page_texts(rendered.pdf)


def test_a_packet_after_signing_carries_the_signed_pdfs_pages_unchanged(signed_packet):
    signed, rendered, pages = signed_packet
    swo, lmn = pdfs.page_texts(signed["swo"]), pdfs.page_texts(signed["lmn"])
    pages = [without_packet_number(page) for page in pages]
    assert pages[1 : 1 + len(swo)] == swo
    assert pages[1 + len(swo) : 1 + len(swo) + len(lmn)] == lmn
    assert rendered.pages == len(pages) == 1 + len(swo) + len(lmn) + 1 + 4 + 1


def test_the_manifest_lists_the_signed_files_sha256(signed_packet):
    signed, _, pages = signed_packet
    manifest = pages[-1].replace(" ", "")
    for kind in ("swo", "lmn"):
        assert hashlib.sha256(signed[kind]).hexdigest() in manifest
    assert "as signed" in pages[-1]


def test_the_signed_parts_keep_their_bookmarks_and_contents_pages(signed_packet):
    _, rendered, pages = signed_packet
    titles = pdfs.outline_titles(rendered.pdf)
    assert titles[1:3] == ["Standard written order", "Letter of medical necessity"]
    assert "Standard written order, as signed (the signed PDF, unchanged) 2" in flat(pages[0])


def test_pages_signed_in_ink_are_listed_with_the_uploaded_scans_sha256():
    case, decision = case_and_decision()
    scan = "ab12" * 16
    wet = dataclasses.replace(SIGNED, method="wet", uploaded_by="Pat Kim", scan_sha256=scan)
    pages = pdfs.page_texts(render("packet", case, decision, now=NOW, signature=wet).pdf)
    manifest = pages[-1].replace(" ", "")
    assert "Orderandlettersignedinink(scanattheend)" in manifest and scan in manifest
    assert "hashed as uploaded" in pages[-1]


# --- the instructions part teaches the order the patient follows ------------------------


@pytest.fixture(scope="module")
def changing_packet():
    """A packet whose order (10 pounds) waits for signature; the patient keeps 12 pounds,
    signed with order version 1 (services/followed_order.py gives the plan)."""
    from dme_service.documents.types import PatientPlan

    case, decision = case_and_decision()
    changed = dataclasses.replace(case, request=dataclasses.replace(case.request, force_lb=10))
    plan = PatientPlan(request=case.request, signature=SIGNED, changing=True, order_version=1)
    rendered = render("packet", changed, decision, now=NOW, clinic=CLINIC, patient_plan=plan)
    return rendered, pdfs.page_texts(rendered.pdf)


def test_the_instructions_part_keeps_the_signed_dose_while_a_change_waits(changing_packet):
    rendered, pages = changing_packet
    assert "Force 10 pounds" in flat(pages[1])  # the order in the packet is the change
    instructions = flat(" ".join(pages[5:9]))
    assert "Weight: 12 pounds." in instructions and "10 pounds" not in instructions
    assert "Your plan is being changed." in instructions


def test_the_instructions_part_says_which_order_version_it_teaches(changing_packet):
    _, pages = changing_packet
    foot = "Instructions: order version 1 as signed November 23, 2026; the order's change"
    assert all(foot in flat(page) for page in pages[5:9])
    assert not any("order version" in flat(page) for page in pages[:5])
    manifest = flat(pages[-1])
    assert "Instructions keep the dose of order version 1 as signed on November 23" in manifest


def test_the_instructions_part_is_the_patients_copy_as_delivered(changing_packet):
    """Its SHA-256 in the manifest is the one the patient's own copy has: the same case and
    options as the documents page gives (services/followed_order.as_followed)."""
    rendered, pages = changing_packet
    case, decision = case_and_decision()
    alone = render(
        "instructions",
        case,
        decision,
        now=NOW,
        clinic=CLINIC,
        signature=SIGNED,
        plan_changing=True,
    )
    assert hashlib.sha256(alone.pdf).hexdigest() == manifest_hashes(pages)["instructions"]
