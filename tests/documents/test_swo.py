"""The standard written order read back from the PDF (42 CFR 410.38(d)(1); domain.md §3.5)."""

from __future__ import annotations

import pytest

from dme_service.documents import wording
from dme_service.documents.render import render
from dme_service.documents.types import DocumentRefused
from documents import pdfs
from documents.samples import NOW, SIGNED, case_and_decision


def swo(*args, signature=None, **changes):
    case, decision = case_and_decision(*args, **changes)
    return case, render("swo", case, decision, now=NOW, signature=signature)


@pytest.fixture(scope="module")
def signed():
    case, rendered = swo(signature=SIGNED)
    return case, rendered, pdfs.text(rendered.pdf)


@pytest.mark.parametrize(
    "element",
    [
        "Beneficiary Jane Q. Doe",
        "Medicare Beneficiary Identifier (MBI) 1EG4TE5MK73",
        "HCPCS E0860: Traction equipment, overdoor, cervical",
        "Quantity 1",
        "Order date November 23, 2026",
        "Treating practitioner Sam Lee, MD · NPI 1234567893",
        "Electronically signed by Sam Lee, MD (NPI 1234567893) on November 23, 2026",
    ],
    ids=["beneficiary", "mbi", "item", "quantity", "order-date", "practitioner", "signature"],
)
def test_the_six_required_elements_are_on_the_order(signed, element):
    assert element in signed[2]


@pytest.mark.parametrize(
    "element",
    [
        "Force 12 pounds",
        "Time 15 minutes per session",
        "Frequency 2 sessions a day, 15 minutes each, every day",
        "Length of need 3 months",
        "M50.122 Cervical disc disorder at C5-C6 level with radiculopathy",
    ],
)
def test_the_added_elements_are_on_the_order(signed, element):
    assert element in signed[2]


def test_the_dose_is_said_once_in_the_added_elements(signed):
    """A "Home use" sentence under the table repeated the rows above it."""
    assert "Home use" not in signed[2]


def test_each_diagnosis_is_on_its_own_line_with_its_code_and_words():
    """Joined by semicolons, eight diagnoses were one paragraph a biller had to hunt through."""
    codes = ["M50.122", "M54.12", "M47.812"]
    _, rendered = swo(signature=SIGNED, diagnoses=codes)
    lines = pdfs.reader(rendered.pdf).pages[0].extract_text().splitlines()
    for code in codes:
        found = [line for line in lines if code in line]
        assert len(found) == 1, found
        assert (
            found[0].split(code, 1)[1].strip().startswith(wording.icd_descriptor(code).split()[0])
        )
        assert sum(other in found[0] for other in codes) == 1  # one code a line
    assert ";" not in pdfs.text(rendered.pdf).split("ICD-10-CM", 1)[1]


def test_an_unsigned_order_says_it_is_a_draft_dated_at_signature():
    _, rendered = swo()
    text = pdfs.text(rendered.pdf)
    assert "Order date Set when signed" in text
    assert "Not signed yet. This order is not valid until the treating practitioner signs" in text
    assert "The patient must not start using the unit until the clinic says so." in text
    assert "Electronically signed" not in text


@pytest.mark.parametrize("frequency", ["PRN", "15 min prn", "as needed", "As-needed", "p.r.n."])
def test_a_prn_order_is_refused_naming_the_field(frequency):
    with pytest.raises(DocumentRefused) as refused:
        swo(frequency_text=frequency)
    assert refused.value.field == "request.frequency_text"


def test_an_order_without_a_force_is_refused_naming_the_field():
    with pytest.raises(DocumentRefused) as refused:
        swo(force_lb=None)
    assert refused.value.field == "request.force_lb"


def test_no_order_names_a_practitioner_who_may_not_sign():
    with pytest.raises(DocumentRefused) as refused:
        swo(credential="PT")
    assert refused.value.field == "treating_practitioner.credential"


def test_metadata(signed):
    _, rendered, _ = signed
    assert pdfs.reader(rendered.pdf).metadata["/Title"] == "Standard written order"
    assert pdfs.catalog_lang(rendered.pdf) == "en"
    assert rendered.pages == 1


@pytest.mark.parametrize(
    "frequency", ["20 minutes, three times daily", "15 minutes 3x a day", "10 min twice daily"]
)
def test_a_frequency_that_contradicts_minutes_or_sessions_is_refused(frequency):
    """Review defect #6: the order cannot contradict itself."""
    with pytest.raises(DocumentRefused) as refused:
        swo(frequency_text=frequency)
    assert refused.value.field == "request.frequency_text"
    assert refused.value.message == (
        f'says "{frequency}", but minutes is 15 and sessions_per_day is 2; make the frequency '
        "text agree with them"
    )


@pytest.mark.parametrize("frequency", ["15 minutes, twice daily", "2 times a day", "daily", None])
def test_a_frequency_that_agrees_is_accepted(frequency):
    _, rendered = swo(frequency_text=frequency)
    assert "2 sessions a day, 15 minutes each, every day" in pdfs.text(rendered.pdf)
