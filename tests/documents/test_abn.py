"""The Advance Beneficiary Notice (form CMS-R-131), pre-filled, English and Spanish."""

from __future__ import annotations

import pytest

from dme_service.documents.render import render
from dme_service.documents.types import DocumentRefused
from documents import pdfs
from documents.samples import CLINIC, NOW, case_and_decision


def abn_text(*args, lang="en", **changes) -> tuple[int, str]:
    case, decision = case_and_decision(*args, **changes)
    rendered = render("abn", case, decision, now=NOW, clinic=CLINIC, lang=lang)
    return rendered.pages, " ".join(pdfs.text(rendered.pdf).split())


def test_the_english_notice_is_one_page_with_item_reason_and_options():
    pages, text = abn_text(hcpcs="E0849", force_lb=20)
    assert pages == 1
    assert "Advance Beneficiary Notice of Non-coverage (ABN)" in text
    assert "A. Notifier Riverside Spine & PT · 12 Main St · (555) 010-2000" in text
    assert "B. Patient Name Jane Q. Doe" in text
    assert "HCPCS E0849" in text and "quantity 1" in text
    assert "or a need for more than 20 pounds of pull at home" in text
    assert "(the order is for 20 pounds)" in text
    for option in ("OPTION 1. I want the item", "OPTION 2.", "OPTION 3. I don't want"):
        assert option in text
    assert "1-800-MEDICARE" in text and "Form CMS-R-131" in text
    assert "1EG4TE5MK73" not in text  # the MBI is not an identification number on an ABN


def test_the_english_notice_tells_a_spanish_reader_to_ask_for_medicares_spanish_notice():
    _, text = abn_text(hcpcs="E0849", force_lb=20)
    assert "Este aviso también existe en español: pídanos la versión oficial de Medicare." in text


def test_no_spanish_notice_of_our_own_making():
    """CMS publishes the Spanish ABN; an unofficial translation is not the approved notice."""
    with pytest.raises(DocumentRefused) as refused:
        abn_text(hcpcs="E0849", force_lb=20, lang="es", abn_on_file=True)
    assert refused.value.field == "lang"
    assert "CMS's official Spanish version of form CMS-R-131" in refused.value.message


def test_an_ibx_medicare_advantage_notice_names_the_plan():
    _, text = abn_text("ibx_ma", hcpcs="E0855", force_lb=15)
    assert "Your plan: Independence Blue Cross Medicare Advantage." in text


@pytest.mark.parametrize(
    ("payer", "changes"),
    [("medicare", {}), ("aetna", {"hcpcs": "E0849", "force_lb": 15}), ("uhc_commercial", {})],
)
def test_no_notice_without_ga_or_gz(payer, changes):
    with pytest.raises(DocumentRefused) as refused:
        abn_text(payer, **changes)
    assert refused.value.field == "decision.modifiers"


def test_no_notice_after_a_worse_trial():
    with pytest.raises(DocumentRefused) as refused:
        abn_text(hcpcs="E0849", force_lb=20, trial={"pain_after": 8})
    assert refused.value.field == "trials[0]"
