"""Human words in every PDF: no dotted field paths, snake_case keys, raw warning codes, payer
keys or keys turned into words by a plain capital ("Tmj dysfunction", device "mechanical"),
read back from each kind with pypdf (the same scan as the pages: tests/web)."""

from __future__ import annotations

import pytest
from rules.factories import a_screening, a_trial
from web.pages.cases.test_human_words import developer_strings

from dme_service.documents.followup import render_followup
from dme_service.documents.render import render
from dme_service.documents.types import KINDS, DocumentRefused
from dme_service.documents.wording import TrialRecord
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision
from documents.test_followup import FULL

# An Aetna E0849 case at 25 lb with treated TMJ dysfunction, an over-door trial that was not
# tolerated and a later clinic mechanical trial: the screening names, the device words and a
# warning all reach the letters. And a Medicare case that is not eligible, for the ABN.
TRIALS = [
    a_trial(date="2026-09-28", tolerated=False),
    a_trial(date="2026-10-02", device="E0849", force_lb=25),
    a_trial(date="2026-10-05", device="mechanical", position="supine", force_lb=25),
]
CASES = {
    "aetna": dict(
        payer="aetna",
        hcpcs="E0849",
        force_lb=25,
        trials=TRIALS,
        screening=a_screening(tmj_dysfunction=True, tmj_treated=True),
        also_requested=["inversion_table"],
    ),
    "medicare not eligible": dict(hcpcs="E0849", force_lb=20),
}
RECORDS = tuple(TrialRecord("Dana Reyes, PT", "Set-up taught.") for _ in TRIALS)


def readings():
    for name, changes in CASES.items():
        case, decision = case_and_decision(**changes)
        for kind in KINDS:
            for lang in ("en", "es") if kind in ("instructions", "abn") else ("en",):
                try:
                    rendered = render(
                        kind,
                        case,
                        decision,
                        now=NOW,
                        clinic=CLINIC,
                        lang=lang,
                        signature=SIGNED,
                        trial_records=RECORDS[: len(case.trials)],
                    )
                except DocumentRefused:
                    continue
                yield f"{kind} {lang} ({name})", pdfs.text(rendered.pdf)
        followup = render_followup(
            case, decision, FULL, now=NOW, clinic=CLINIC, prepared_by="Dana Reyes, PT"
        )
        yield f"followup ({name})", pdfs.text(followup.pdf)


@pytest.fixture(scope="module")
def every_pdf():
    return dict(readings())


def test_every_kind_of_pdf_is_read(every_pdf):
    kinds = {title.split()[0] for title in every_pdf}
    assert kinds == {*KINDS, "followup"}


def test_no_developer_strings_in_any_pdf(every_pdf):
    found = {title: developer_strings(text) for title, text in every_pdf.items()}
    assert {title: bad for title, bad in found.items() if bad} == {}
