"""The PDF's own metadata names the document and the case, never the patient.

A PDF's /Title and XMP dc:title show in viewers' tab and window titles (DisplayDocTitle) and
in search indexes of shared folders; the download name already avoids patient text
(docs/security.md PDF-4), so the metadata must too.
"""

from __future__ import annotations

import pytest

from dme_service.documents.render import render
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision

NAME = "Zoë Ørsted-Üx"
CASE_NUMBER = 4217
TITLES = {
    ("lmn", "en"): "Letter of medical necessity — case 4217",
    ("swo", "en"): "Standard written order — case 4217",
    ("instructions", "en"): "Your home neck traction — case 4217",
    ("instructions", "es"): "Su tracción de cuello en casa — caso 4217",
    ("summary", "en"): "Coverage summary for the treating practitioner — case 4217",
    ("trial_note", "en"): "Supervised trial note — case 4217",
    ("packet", "en"): "Billing packet — case 4217",
    ("submission", "en"): "Submission packet — case 4217",
}


def rendered(kind, lang="en", signature=None, **changes):
    case, decision = case_and_decision(patient_name=NAME, **changes)
    return render(
        kind,
        case,
        decision,
        now=NOW,
        lang=lang,
        clinic=CLINIC,
        signature=signature,
        case_number=CASE_NUMBER,
    )


def assert_no_patient_in_metadata(pdf: bytes) -> None:
    info = pdfs.reader(pdf).metadata
    for value in info.values():
        assert "Zo" not in str(value) and "Ørsted" not in str(value)
    assert "Ørsted" not in pdfs.xmp(pdf)
    assert not any("Ørsted" in title for title in pdfs.outline_titles(pdf))


@pytest.mark.parametrize(("kind", "lang"), list(TITLES), ids=["-".join(key) for key in TITLES])
def test_the_title_is_the_kind_and_the_case_number(kind, lang):
    pdf = rendered(kind, lang).pdf
    title = TITLES[(kind, lang)]
    assert pdfs.reader(pdf).metadata["/Title"] == title
    assert title in pdfs.xmp(pdf)
    assert_no_patient_in_metadata(pdf)
    assert NAME in pdfs.text(pdf)  # the name is still printed on the page itself


def test_the_abn_title():
    pdf = rendered("abn", hcpcs="E0849", force_lb=20).pdf
    title = "Advance Beneficiary Notice of Non-coverage (ABN) — case 4217"
    assert pdfs.reader(pdf).metadata["/Title"] == title
    assert_no_patient_in_metadata(pdf)


def test_an_unsigned_letter_is_authored_by_the_clinic_a_signed_one_by_the_signer():
    assert pdfs.reader(rendered("lmn").pdf).metadata["/Author"] == CLINIC.name
    signed = rendered("lmn", signature=SIGNED).pdf
    assert pdfs.reader(signed).metadata["/Author"] == SIGNED.name


def test_without_a_case_number_the_title_is_the_kind_alone():
    case, decision = case_and_decision(patient_name=NAME)
    pdf = render("swo", case, decision, now=NOW).pdf
    assert pdfs.reader(pdf).metadata["/Title"] == "Standard written order"
