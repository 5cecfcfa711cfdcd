"""`dme-service mail reminders` from cron: each practitioner with orders waiting gets one
message, and a second run the same day mails nobody again."""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case

from dme_service.cli import main
from dme_service.db import get_session


@pytest.fixture
def waiting(monkeypatch, database_url, app, smtp_server):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    monkeypatch.setenv("DME_SMTP_URL", smtp_server.url)
    return smtp_server


def test_a_second_run_the_same_day_mails_nobody_twice(waiting, app, make_user, capsys):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD")
    with app.app_context():
        stored_case(get_session(), clinician, doctor)
    assert main(["mail", "reminders"]) == 0
    assert main(["mail", "reminders"]) == 0
    assert capsys.readouterr().out.splitlines() == ["reminders sent: 1", "reminders sent: 0"]
    (message,) = waiting.messages
    assert message["To"] == doctor.email
    assert message["Subject"] == "1 order awaits your signature"
