"""The clinic as DME supplier on its documents: letterheads carry its fax, organization NPI and
Medicare supplier number (PTAN); the billing packet's cover also its tax id (EIN)."""

from __future__ import annotations

import dataclasses

import pytest

from dme_service.documents.render import render
from dme_service.documents.wording import Clinic
from documents import pdfs
from documents.samples import NOW, SIGNED, case_and_decision

SUPPLIER = Clinic(
    name="Lakeside Spine & PT",
    phone="(555) 010-2000",
    address="2 Lake St, Springfield",
    fax="(555) 010-2001",
    npi="1922334457",
    ptan="LK1234567",
    tax_id="421234567",
)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind", ["lmn", "swo", "trial_note"])
def test_each_letterhead_names_the_supplier_by_npi_and_ptan(kind):
    case, decision = case_and_decision()
    rendered = render(kind, case, decision, now=NOW, clinic=SUPPLIER, signature=SIGNED)
    first = flat(pdfs.page_texts(rendered.pdf)[0])
    assert "Phone (555) 010-2000 · Fax (555) 010-2001" in first
    assert "Organization NPI 1922334457 · Medicare supplier number (PTAN) LK1234567" in first
    assert "42-1234567" not in first  # the tax id is for the supplier file, not letters


def test_the_packet_cover_identifies_the_supplier_with_its_tax_id():
    case, decision = case_and_decision()
    rendered = render("packet", case, decision, now=NOW, clinic=SUPPLIER, signature=SIGNED)
    cover = flat(pdfs.page_texts(rendered.pdf)[0])
    assert (
        "Supplier Lakeside Spine & PT · NPI 1922334457 · PTAN LK1234567 · tax id (EIN) 42-1234567"
        in cover
    )


def test_a_clinic_without_numbers_prints_no_empty_labels():
    case, decision = case_and_decision()
    bare = Clinic(name="Lakeside Spine & PT", phone="(555) 010-2000")
    rendered = render("lmn", case, decision, now=NOW, clinic=bare, signature=SIGNED)
    first = flat(pdfs.page_texts(rendered.pdf)[0])
    assert "Phone (555) 010-2000" in first
    assert "Fax" not in first and "Organization NPI" not in first and "PTAN" not in first


def test_the_packet_names_the_supplier_as_enrolled_and_the_letterhead_as_it_goes_by():
    """The packet goes to the payer beside the claim, whose loop 2010AA carries the legal name;
    the letterhead keeps the name patients and practitioners know."""
    case, decision = case_and_decision()
    enrolled = dataclasses.replace(SUPPLIER, legal_name="Lakeside Spine and PT LLC")
    cover = flat(
        pdfs.page_texts(
            render("packet", case, decision, now=NOW, clinic=enrolled, signature=SIGNED).pdf
        )[0]
    )
    assert "Supplier Lakeside Spine and PT LLC · NPI 1922334457" in cover
    letter = flat(
        pdfs.page_texts(
            render("lmn", case, decision, now=NOW, clinic=enrolled, signature=SIGNED).pdf
        )[0]
    )
    assert "Lakeside Spine & PT" in letter and "Lakeside Spine and PT LLC" not in letter
