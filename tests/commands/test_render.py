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
