"""`dme-service totp-reset EMAIL`: a lost authenticator is reset, audited, sessions ended."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dme_service.cli import main
from dme_service.db import get_session
from dme_service.models import AuditEvent, User, UserSession


@pytest.fixture
def cli_env(monkeypatch, database_url, app):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return app


def _enrolled(app, user):
    with app.app_context():
        db = get_session()
        db.get(User, user.id).totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        db.get(User, user.id).totp_last_counter = 99
        now = datetime.now(UTC)
        db.add(UserSession(id="a" * 64, user_id=user.id, created_at=now, last_seen_at=now))
        db.commit()


def test_totp_reset_forgets_the_secret_ends_sessions_and_is_audited(cli_env, make_user, capsys):
    admin = make_user("admin")
    _enrolled(cli_env, admin)
    assert main(["totp-reset", admin.email.upper()]) == 0
    assert "authenticator reset" in capsys.readouterr().out
    with cli_env.app_context():
        db = get_session()
        db.expire_all()
        user = db.get(User, admin.id)
        assert user.totp_secret is None and user.totp_last_counter is None
        count = select(func.count()).select_from(UserSession)
        assert db.scalar(count.where(UserSession.user_id == admin.id)) == 0
        rows = db.execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.outcome))
        assert [tuple(row) for row in rows] == [("user.totp_reset", str(admin.id), "ok")]


def test_totp_reset_of_an_unknown_user_fails(cli_env, capsys):
    assert main(["totp-reset", "nobody@test.clinic"]) == 1
    assert "no user" in capsys.readouterr().err


def test_totp_reset_without_a_secret_changes_nothing_but_says_so(cli_env, make_user, capsys):
    admin = make_user("admin")
    assert main(["totp-reset", admin.email]) == 0
    assert "nothing to reset" in capsys.readouterr().out


def test_totp_reset_is_listed_in_the_help(capsys):
    assert main(["--help"]) == 0
    assert "totp-reset" in capsys.readouterr().out
