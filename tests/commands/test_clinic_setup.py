"""`dme-service clinic create|list` and `user add`: a clinic's first steps from a shell."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select
from stdnum import luhn

from dme_service.cli import main
from dme_service.db import get_session
from dme_service.models import Clinic, PasswordLink, User

NPI = "104583726" + luhn.calc_check_digit("80840104583726")
CREATE = [
    "clinic",
    "create",
    "--name",
    "Lakeside Spine & PT",
    "--timezone",
    "America/Denver",
    "--admin-email",
    "It@Lakeside.example",
    "--admin-name",
    "Sam Ortiz",
    "--phone",
    "(555) 010-2000",
]
LINK = re.compile(r"http://localhost:5000/set-password/([A-Za-z0-9_-]{43})")


@pytest.fixture
def cli_env(monkeypatch, database_url, app):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return app


def rows(app, model):
    with app.app_context():
        db = get_session()
        db.expire_all()
        return list(db.scalars(select(model)))


def test_clinic_create_makes_the_clinic_its_admin_and_a_one_time_link(cli_env, capsys, tmp_path):
    assert main(CREATE) == 0
    out = capsys.readouterr().out
    (clinic,) = rows(cli_env, Clinic)
    (admin,) = rows(cli_env, User)
    assert (clinic.name, clinic.timezone, clinic.phone) == (
        "Lakeside Spine & PT",
        "America/Denver",
        "(555) 010-2000",
    )
    assert (admin.email, admin.role, admin.password_hash) == ("it@lakeside.example", "admin", "")
    token = LINK.search(out).group(1)
    (link,) = rows(cli_env, PasswordLink)
    assert token not in link.token_hash
    # No DME_SMTP_URL: the invitation is in instance/outbox/ and the output says where.
    (eml,) = (tmp_path / "instance" / "outbox").glob("*.eml")
    assert str(eml) in out
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["To"] == "it@lakeside.example" and token in mail.get_content()


def test_clinic_create_sends_through_smtp_when_configured(
    cli_env, capsys, monkeypatch, smtp_server
):
    monkeypatch.setenv("DME_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("DME_MAIL_FROM", "Lakeside <dme@lakeside.example>")
    assert main(CREATE) == 0
    token = LINK.search(capsys.readouterr().out).group(1)
    (mail,) = smtp_server.messages
    assert mail["From"] == "Lakeside <dme@lakeside.example>"
    assert token in mail.get_content()


def test_bad_input_exits_2_with_one_line_per_option(cli_env, capsys):
    bad = CREATE.copy()
    bad[bad.index("America/Denver")] = "Mars/Olympus"
    bad[bad.index("It@Lakeside.example")] = "it-at-lakeside"
    assert main(bad) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("--timezone: 'Mars/Olympus' is not a time zone")
    assert err[1].startswith("--admin-email: 'it-at-lakeside' is not an e-mail address")
    assert len(err) == 2
    assert rows(cli_env, Clinic) == []


def test_clinic_list_shows_ids(cli_env, capsys):
    main(CREATE)
    capsys.readouterr()
    assert main(["clinic", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+1\s+Lakeside Spine & PT\s+America/Denver\s+1$", out, re.M)


def test_user_add_prints_a_link_for_a_practitioner(cli_env, capsys):
    main(CREATE)
    capsys.readouterr()
    args = ["user", "add", "--clinic", "1", "--email", "okafor@ortho.example"]
    args += ["--name", "Daniel Okafor", "--role", "practitioner", "--credential", "md"]
    assert main([*args, "--npi", NPI, "--outside"]) == 0
    assert LINK.search(capsys.readouterr().out)
    doctor = next(u for u in rows(cli_env, User) if u.role == "practitioner")
    assert (doctor.credential, doctor.npi, doctor.outside) == ("MD", NPI, True)


def test_user_add_names_the_person_the_link_is_for(cli_env, capsys):
    main(CREATE)
    capsys.readouterr()
    args = ["user", "add", "--clinic", "1", "--email", "priya@lakeside.example"]
    assert main([*args, "--name", "Priya Shah", "--role", "billing"]) == 0
    out = capsys.readouterr().out
    assert "One-time link for Priya Shah to set a password" in out
    assert "for the billing" not in out


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--role", "practitioner", "--credential", "PT"], ["--credential: ", "--npi: "]),
        (
            ["--role", "practitioner", "--credential", "MD", "--npi", NPI[:-1] + "0"],
            ["--npi: "],
        ),
        (["--role", "boss"], ["--role: Choose one of clinician"]),
        (["--role", "clinician", "--clinic-fix"], None),
    ],
    ids=["PT practitioner without NPI", "bad check digit", "unknown role", "argparse"],
)
def test_user_add_refusals(cli_env, capsys, extra, expected):
    main(CREATE)
    capsys.readouterr()
    if expected is None:
        with pytest.raises(SystemExit) as exited:
            main(["user", "add", "--clinic", "1", "--email", "a@b.org", "--name", "A", *extra])
        assert exited.value.code == 2
        return
    args = ["user", "add", "--clinic", "1", "--email", "a@b.org", "--name", "A", *extra]
    if extra[-1] == NPI[:-1] + "0" and NPI.endswith("0"):
        pytest.skip("the sample NPI already ends in 0")
    assert main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line[: len(start)] for line, start in zip(err, expected, strict=True)] == expected


def test_user_add_refuses_a_duplicate_email_and_an_unknown_clinic(cli_env, capsys):
    main(CREATE)
    capsys.readouterr()
    base = ["user", "add", "--email", "IT@lakeside.example", "--name", "X", "--role", "billing"]
    assert main([*base, "--clinic", "1"]) == 2
    assert capsys.readouterr().err.strip() == "--email: it@lakeside.example already has an account."
    assert main([*base[:2], "--clinic", "7", "--email", "new@x.org", *base[4:]]) == 2
    assert capsys.readouterr().err.strip() == "--clinic: There is no clinic 7."


def test_commands_before_the_schema_exist_say_what_to_run(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DME_DATABASE_URL", "sqlite:///" + str(tmp_path / "empty.sqlite3"))
    assert main(CREATE) == 1
    assert "dme-service db upgrade" in capsys.readouterr().err
    assert not list(Path(tmp_path).glob("instance/outbox/*.eml"))


def test_mail_reminders_and_a_test_message(cli_env, capsys, monkeypatch, smtp_server):
    monkeypatch.setenv("DME_SMTP_URL", smtp_server.url)
    assert main(["mail", "reminders"]) == 0
    assert capsys.readouterr().out.strip() == "reminders sent: 0"
    assert main(["mail", "test", "--to", "not-an-address"]) == 2
    assert capsys.readouterr().err.startswith("--to: ")
    assert main(["mail", "test", "--to", "it@lakeside.example"]) == 0
    assert [m["Subject"] for m in smtp_server.messages] == ["DME Service: test message"]


def test_a_link_made_without_the_services_address_says_so(cli_env, capsys, monkeypatch):
    """Run from a shell that did not load the service's environment file, the command builds
    the link on the development address: it says so beside the link instead of silently
    mailing an address the person cannot open."""
    monkeypatch.delenv("DME_BASE_URL", raising=False)
    assert main(CREATE) == 0
    err = capsys.readouterr().err
    assert "DME_BASE_URL is not set: the link starts with http://localhost:5000" in err


def test_a_link_on_the_services_address_needs_no_warning(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("DME_BASE_URL", "https://dme.lakeside.example")
    assert main(CREATE) == 0
    out, err = capsys.readouterr()
    assert "https://dme.lakeside.example/set-password/" in out
    assert "DME_BASE_URL" not in err
