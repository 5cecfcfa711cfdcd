"""`dme-service evaluate`: the real command in a subprocess (exit codes, stdout/stderr lines,
never a traceback), `--batch`, and what the evaluate path may import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rules.factories import a_case

from dme_service.commands import evaluate as evaluate_command

PYTHON = sys.executable
FORBIDDEN_ON_EVALUATE_PATH = ("simple_icd_10_cm", "flask", "sqlalchemy", "weasyprint", "stdnum")


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "dme_service", "evaluate", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    path.write_bytes(data)
    return str(path)


def test_a_case_file_prints_the_decision_and_exits_0(tmp_path):
    result = run_cli(write(tmp_path, "case.json", a_case()))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["format"] == "dme-decision/1"
    assert decision["status"] == "eligible"
    assert result.stderr == b""


def test_standard_input_with_dash():
    result = run_cli("-", stdin=json.dumps(a_case("cigna")).encode())
    assert result.returncode == 0
    assert json.loads(result.stdout)["status"] == "not_covered"


@pytest.mark.parametrize(
    ("doc", "status"),
    [
        (a_case("uhc_commercial"), "not_covered"),
        (a_case(diagnoses=["M54.50"]), "not_eligible"),
        (a_case(screening={"myelopathy": True}), "contraindicated"),
        (a_case(trials=[]), "incomplete"),
    ],
    ids=["not_covered", "not_eligible", "contraindicated", "incomplete"],
)
def test_every_decision_is_a_successful_evaluation(tmp_path, doc, status):
    result = run_cli(write(tmp_path, "case.json", doc))
    assert result.returncode == 0
    assert json.loads(result.stdout)["status"] == status


def test_bad_input_prints_one_line_per_problem_and_exits_2(tmp_path):
    doc = a_case(diagnoses=["M50.12"])
    doc["trials"][0]["pain_after"] = 7.5
    result = run_cli(write(tmp_path, "case.json", doc))
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().splitlines() == [
        "diagnoses[0]: M50.12 is not a billable ICD-10-CM code (use M50.120-M50.123)",
        "trials[0].pain_after: must be a whole number from 0 to 10, not 7.5",
    ]


def test_bad_input_on_standard_input_exits_2():
    result = run_cli("-", stdin=json.dumps(a_case("humana")).encode())
    assert result.returncode == 2
    assert result.stderr.decode().startswith("payer: 'humana' is not a valid payer")


OUT_OF_RANGE = "trials[0].force_lb: must be a number greater than 0, not an out-of-range number"


def _with_force(literal: str) -> bytes:
    return json.dumps(a_case()).replace('"force_lb": 12,', f'"force_lb": {literal},', 1).encode()


BAD_FILES = {
    "not-json": (b"{payer: medicare}", "$: not valid JSON"),
    "not-utf8": (b'{"payer": "\xff"}', "$: not UTF-8 text"),
    "top-level-array": (b"[]", "$: a case document must be a JSON object, not a list"),
    "nan": (_with_force("NaN"), OUT_OF_RANGE),
    "huge-number": (_with_force("1" + "0" * 5000), OUT_OF_RANGE),
    "deep-nesting": (b"[" * 200000 + b"]" * 200000, "$: the document is nested too deeply"),
    "unknown-key": (json.dumps(a_case(extra=1)).encode(), "extra: unknown key"),
    "empty": (b"", "$: not valid JSON"),
}  # fmt: skip


@pytest.mark.parametrize(("content", "line"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_exit_2_without_a_traceback(tmp_path, content, line):
    result = run_cli(write(tmp_path, "case.json", content))
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert "Traceback" not in stderr
    assert stderr.splitlines()[0].startswith(line)


@pytest.mark.parametrize("target", ["missing.json", "."], ids=["missing-file", "a-directory"])
def test_unreadable_paths_exit_2(tmp_path, target):
    result = run_cli(str(tmp_path / target))
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"$: cannot read {tmp_path / target}")
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("args", [[], ["case.json", "--batch", "dir"]], ids=["none", "both"])
def test_exactly_one_source_is_required(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_today_option_judges_dates_against_that_day(tmp_path):
    result = run_cli(write(tmp_path, "case.json", a_case()), "--today", "2026-10-01")
    assert result.returncode == 2
    assert "trials[0].date: 2026-10-02 is after today (2026-10-01)" in result.stderr.decode()


def test_batch_prints_one_line_per_file_and_exits_2_if_any_was_bad(tmp_path):
    write(tmp_path, "b.json", a_case("aetna"))
    write(tmp_path, "a.json", a_case())
    write(tmp_path, "c.json", b"{")
    write(tmp_path, "notes.txt", b"ignored")
    result = run_cli("--batch", str(tmp_path))
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert result.returncode == 2
    assert [line["file"] for line in lines] == ["a.json", "b.json", "c.json"]
    assert lines[0]["decision"]["status"] == "eligible"
    assert lines[1]["decision"]["policy"]["payer"] == "aetna"
    assert lines[2]["errors"][0]["field"] == "$"
    assert result.stderr == b""  # no progress bar when standard error is not a terminal


def test_batch_of_good_files_exits_0(tmp_path):
    write(tmp_path, "a.json", a_case())
    result = run_cli("--batch", str(tmp_path))
    assert result.returncode == 0


def test_batch_of_a_missing_folder_exits_2(tmp_path):
    result = run_cli("--batch", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.decode().startswith("$: cannot read folder")


def test_batch_draws_a_progress_bar_on_a_terminal(tmp_path, monkeypatch, capsys):
    write(tmp_path, "a.json", a_case())
    write(tmp_path, "b.json", a_case())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    args = type("Args", (), {"case": None, "batch": str(tmp_path), "today": None})()
    assert evaluate_command.run(args) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert "2/2" in captured.err and captured.err.endswith("\n")


def test_the_evaluate_path_imports_only_the_index(tmp_path):
    path = write(tmp_path, "case.json", a_case(diagnoses=["M54.12", "M50.122"]))
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "dme_service", "evaluate", path],
        capture_output=True,
        check=True,
        timeout=60,
    )
    imported = {line.split("|")[-1].strip() for line in result.stderr.decode().splitlines()}
    roots = {name.split(".")[0] for name in imported}
    assert not roots & set(FORBIDDEN_ON_EVALUATE_PATH), roots & set(FORBIDDEN_ON_EVALUATE_PATH)
    assert "sqlite3" in roots  # the index is what answers the code questions


@pytest.mark.slow
def test_a_cold_evaluate_takes_at_most_a_tenth_of_importing_simple_icd_10_cm(tmp_path):
    path = write(tmp_path, "case.json", a_case())
    env = dict(os.environ)

    def best_of(command: list[str], runs: int = 3) -> float:
        import time

        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=env, timeout=60)
            times.append(time.perf_counter() - start)
        return min(times)

    evaluate_seconds = best_of([PYTHON, "-m", "dme_service", "evaluate", path])
    import_seconds = best_of([PYTHON, "-c", "import simple_icd_10_cm"])
    assert evaluate_seconds <= 0.1 * import_seconds, (evaluate_seconds, import_seconds)
