"""`dme-service fhir CASE.json | -`: the Bundle on standard output, exit 2 on bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from fhir.resources.R4B.bundle import Bundle
from sample_case import NOW, case_doc

TODAY = NOW.date().isoformat()


def fhir_command(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dme_service", "fhir", *args, "--today", TODAY],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def resource(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_doc()))
    return path


def test_prints_a_valid_bundle_with_a_rendered_letter(case_file):
    result = fhir_command(str(case_file))
    assert result.returncode == 0, result.stderr
    bundle = json.loads(result.stdout)
    Bundle.model_validate(bundle)
    letter = resource(bundle, "DocumentReference")
    assert letter["content"][0]["attachment"]["contentType"] == "application/pdf"
    assert letter["content"][0]["attachment"]["size"] > 1000  # a real PDF, not a stand-in


def test_reads_standard_input_and_leaves_the_letter_out_on_request():
    result = fhir_command("-", "--no-letter", stdin=json.dumps(case_doc()))
    assert result.returncode == 0, result.stderr
    bundle = json.loads(result.stdout)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert "DocumentReference" not in kinds and "DeviceRequest" in kinds


def test_an_existing_letter_is_referenced_by_its_sha256(case_file, tmp_path):
    pdf = tmp_path / "lmn.pdf"
    pdf.write_bytes(b"%PDF-1.7 an LMN rendered earlier")
    result = fhir_command(str(case_file), "--lmn", str(pdf))
    assert result.returncode == 0, result.stderr
    letter = resource(json.loads(result.stdout), "DocumentReference")
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in letter["description"]


@pytest.mark.parametrize(
    ("document", "expected_line"),
    [
        ("not json", "$: not valid JSON"),
        (json.dumps(case_doc(diagnoses=["M50.12"])), "diagnoses[0]: M50.12 is not a billable"),
        (json.dumps(case_doc(**{"trials.0.pain_after": 11})), "trials[0].pain_after:"),
        (json.dumps({**case_doc(), "colour": "red"}), "colour:"),
    ],
    ids=["not-json", "non-billable-code", "pain-out-of-range", "unknown-key"],
)
def test_bad_input_exits_2_with_field_lines_and_no_traceback(document, expected_line):
    result = fhir_command("-", "--no-letter", stdin=document)
    assert result.returncode == 2
    assert result.stdout == ""
    assert any(line.startswith(expected_line) for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_bad_input(tmp_path):
    result = fhir_command(str(tmp_path / "absent.json"))
    assert result.returncode == 2
    assert result.stderr.startswith("$: cannot read")
