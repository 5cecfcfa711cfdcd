"""`dme-service render`: writes the PDF, or exits 2 with `field: message` lines, never a trace."""

from __future__ import annotations

import io
import json
import sys

import pytest
from pypdf import PdfReader
from rules.factories import a_case

from dme_service.cli import main


@pytest.fixture
def case_file(tmp_path):
    def write(**changes) -> str:
        path = tmp_path / "case.json"
        path.write_text(json.dumps(a_case(**changes)))
        return str(path)

    return write


def run(*argv) -> int:
    return main(["render", *argv, "--today", "2026-11-23"])


@pytest.mark.parametrize("document", ["lmn", "swo", "instructions"])
def test_each_document_is_written_as_a_pdf(case_file, tmp_path, capsys, document):
    out = tmp_path / f"{document}.pdf"
    assert run(case_file(), "--document", document, "-o", str(out)) == 0
    assert PdfReader(out).pages
    assert f"{out}: {document}, " in capsys.readouterr().out


def test_the_case_can_come_from_standard_input(tmp_path, monkeypatch):
    out = tmp_path / "swo.pdf"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(a_case()).encode())))
    assert run("-", "--document", "swo", "-o", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF-")


def test_spanish_instructions(case_file, tmp_path):
    out = tmp_path / "es.pdf"
    assert run(case_file(), "--document", "instructions", "--lang", "es", "-o", str(out)) == 0
    assert "Peso: 12 libras." in PdfReader(out).pages[0].extract_text()


def test_bad_input_exits_2_with_the_same_lines_as_evaluate(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(a_case(diagnoses=["M50.12"], trial={"pain_after": 11})))
    out = tmp_path / "x.pdf"
    assert run(str(bad), "--document", "lmn", "-o", str(out)) == 2
    render_errors = capsys.readouterr().err
    assert main(["evaluate", str(bad), "--today", "2026-11-23"]) == 2
    assert render_errors == capsys.readouterr().err
    assert "diagnoses[0]: " in render_errors
    assert "Traceback" not in render_errors
    assert not out.exists()


def test_a_prn_order_is_refused_naming_the_field(case_file, tmp_path, capsys):
    out = tmp_path / "swo.pdf"
    assert run(case_file(frequency_text="PRN"), "--document", "swo", "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith("request.frequency_text: ")
    assert "Traceback" not in err
    assert not out.exists()


def test_an_unwritable_output_is_reported_without_a_traceback(case_file, capsys):
    assert run(case_file(), "--document", "swo", "-o", "/nonexistent/dir/x.pdf") == 1
    assert capsys.readouterr().err.startswith("-o: cannot write /nonexistent/dir/x.pdf")


def test_a_missing_case_file_is_bad_input(tmp_path, capsys):
    assert run(str(tmp_path / "none.json"), "--document", "lmn", "-o", "x.pdf") == 2
    assert capsys.readouterr().err.startswith("$: cannot read ")


SUMMARY_CASES = {
    "eligible": {},
    "not_eligible": {"hcpcs": "E0849", "force_lb": 20},
    "not_covered": {"payer": "uhc_commercial"},
    "contraindicated": {"screening": {"myelopathy": True}},
    "incomplete": {"screening": {"vertebrobasilar_insufficiency": None}},
}


@pytest.mark.parametrize("status", SUMMARY_CASES)
def test_the_coverage_summary_renders_for_every_status(case_file, tmp_path, capsys, status):
    out = tmp_path / "summary.pdf"
    assert run(case_file(**SUMMARY_CASES[status]), "--document", "summary", "-o", str(out)) == 0
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Coverage summary for the treating practitioner" in text
    assert f"decision: {status.replace('_', ' ')}" in " ".join(text.split())
    assert "I am ordering" not in text and "Sincerely" not in text
    assert "Awaiting signature" not in text


@pytest.mark.parametrize(
    ("changes", "document", "line"),
    [
        (
            {"screening": {"myelopathy": True}},
            "swo",
            "screening: traction is contraindicated for this patient (myelopathy), so no written "
            "order is printed; do not dispense a home traction unit",
        ),
        (
            {"credential": "PT"},
            "instructions",
            "treating_practitioner.credential: a PT may not sign an order, so no patient "
            "instructions are printed; name the treating MD, DO, DPM, PA, NP or CNS",
        ),
        (
            {"hcpcs": "E0849", "force_lb": 20},
            "lmn",
            "decision.status: the decision is not eligible under Medicare policy L33823 / "
            "A52476, so no letter of medical necessity is printed; print the coverage summary "
            "for the practitioner (summary) instead",
        ),
        (
            {"payer": "uhc_commercial"},
            "swo",
            "--reason: the decision is not covered under UnitedHealthcare (commercial) policy "
            "2025T0545U, so a written order is printed only with the clinician's written reason "
            "for ordering against the payer's criteria, given when the case is sent for signature",
        ),
    ],
)
def test_a_refused_document_exits_2_with_one_sentence(
    case_file, tmp_path, capsys, changes, document, line
):
    out = tmp_path / "out.pdf"
    assert run(case_file(**changes), "--document", document, "-o", str(out)) == 2
    assert capsys.readouterr().err == line + "\n"
    assert not out.exists()


def test_an_order_against_the_criteria_carries_the_reason_on_every_page(case_file, tmp_path):
    out = tmp_path / "swo.pdf"
    reason = "Over-door unit not tolerated at home; the patient signed an ABN."
    document = case_file(hcpcs="E0849", force_lb=20)
    assert run(document, "--document", "swo", "--reason", reason, "-o", str(out)) == 0
    for page in PdfReader(out).pages:
        text = " ".join(page.extract_text().split())
        assert "Ordered against the payer's criteria (not eligible under Medicare policy" in text
        assert reason in text


def test_the_same_case_renders_the_same_bytes(case_file, tmp_path, monkeypatch):
    """Dated by --today (or SOURCE_DATE_EPOCH), not by the clock at the moment of rendering."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    path = case_file()
    assert run(path, "--document", "packet", "-o", str(first)) == 0
    assert run(path, "--document", "packet", "-o", str(second)) == 0
    assert first.read_bytes() == second.read_bytes()
    assert PdfReader(first).metadata["/CreationDate"].startswith("D:20261123000000")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01 00:00 UTC
    assert run(path, "--document", "packet", "-o", str(second)) == 0
    assert PdfReader(second).metadata["/CreationDate"].startswith("D:20261201000000")


def test_a_spanish_abn_is_refused_naming_lang(case_file, tmp_path, capsys):
    out = tmp_path / "abn.pdf"
    path = case_file(hcpcs="E0849", force_lb=20)
    assert run(path, "--document", "abn", "--lang", "es", "-o", str(out)) == 2
    error = capsys.readouterr().err
    assert error.startswith("--lang: the ABN is printed in English only")
    assert "official Spanish version of form CMS-R-131" in error and "Traceback" not in error
