"""`dme-service claims`: export the ready claims, confirm the file sent, import the 835."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from services.billing.ready_claims import ready_claim

from dme_service.claims import x835_build
from dme_service.cli import main
from dme_service.models import Case
from dme_service.services.billing import money as claim_money

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402
from claims.pyx12_check import accepted, validate  # noqa: E402


@pytest.fixture
def cli_env(monkeypatch, database_url, app):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return app


def run(capsys, *argv):
    code = main(["claims", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--clinic", "abc", "--ready", "-o", "x"], "--clinic: 'abc' is not a number"),
        (["export", "--clinic", "1", "--ready", "--case", "2", "-o", "x"], "--ready: give --ready"),
        (["export", "--clinic", "1", "-o", "x"], "--ready: give --ready or one or more --case"),
        (["export", "--clinic", "1", "--case", "x", "-o", "x"], "--case: 'x' is not a number"),
        (["import-835", "/nonexistent/remit.835", "--clinic", "1"], "FILE: cannot read"),
        (["confirm-sent", "--clinic", "1", "--file", "1", "--on", "soon"], "--on: 'soon' is not"),
    ],
)
def test_bad_input_exits_2_naming_the_option(cli_env, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith(message) and "Traceback" not in err


def test_an_unknown_clinic_exits_2(cli_env, capsys, tmp_path):
    code, _, err = run(capsys, "export", "--clinic", "99", "--ready", "-o", str(tmp_path / "x"))
    assert (code, err.strip()) == (2, "--clinic: no clinic 99")


def test_the_billing_day_from_the_command_line(cli_env, db_session, billed, capsys, tmp_path):
    clinic_id = billed["billing"].clinic_id
    case = ready_claim(db_session, billed)
    db_session.close()  # SQLite: the command's BEGIN IMMEDIATE needs no transaction open here
    out_file = tmp_path / "claims.837"
    code, out, _ = run(capsys, "export", "--clinic", str(clinic_id), "--ready", "-o", str(out_file))
    assert code == 0 and "exported 1 claim(s)" in out
    ok, ack = validate(out_file.read_text())
    assert ok and accepted(ack)
    code, out, _ = run(capsys, "confirm-sent", "--clinic", str(clinic_id), "--file", "1")
    assert code == 0 and f"cases {case.id}" in out
    case = db_session.get(Case, case.id)
    assert case.billing_state == "submitted"
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    db_session.close()
    remit = tmp_path / "remit.835"
    remit.write_text(
        x835_build.build(
            remits.remittance(
                remits.denied(facts, "ICN1"), payee=replace(remits.PAYEE, id="1234567893")
            )
        )
    )
    code, out, _ = run(capsys, "import-835", str(remit), "--clinic", str(clinic_id))
    assert code == 0 and f"posted: Case {case.id}: denied (CO-50), ICN ICN1." in out
    code, out, _ = run(capsys, "import-835", str(remit), "--clinic", str(clinic_id))
    assert code == 0 and "already imported" in out


def test_a_bad_835_posts_nothing_and_exits_2(cli_env, billed, capsys, tmp_path):
    bad = tmp_path / "remit.835"
    bad.write_text("Patient,Paid\nWalter,80.00\n")
    code, _, err = run(capsys, "import-835", str(bad), "--clinic", str(billed["billing"].clinic_id))
    assert code == 2
    assert (
        err.strip()
        == "FILE: refused, nothing posted: segment 1: not an X12 file (it does not start with ISA)"
    )
