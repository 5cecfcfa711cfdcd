"""Tries counted in the database (store/login_attempts.py): a key pauses at its limit of
failures within its window, until the oldest of them is a window old; successes never count;
rows older than a day go as new tries arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from dme_service.models import LoginAttempt
from dme_service.store import login_attempts

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def _wait(session, key, now, limit=3):
    return login_attempts.retry_after(session, key, now, window=WINDOW, limit=limit)


def test_a_key_pauses_at_its_limit_until_the_oldest_failure_is_a_window_old(db_session):
    for minute in range(3):
        login_attempts.count(
            db_session, ["ip:a"], success=False, now=START + timedelta(minutes=minute)
        )
    db_session.commit()
    assert _wait(db_session, "ip:a", START + timedelta(minutes=2)) == 13 * 60
    assert _wait(db_session, "ip:a", START + timedelta(minutes=2), limit=4) is None
    assert _wait(db_session, "ip:b", START + timedelta(minutes=2)) is None
    assert _wait(db_session, "ip:a", START + WINDOW) is None  # the oldest left the window


def test_successes_do_not_count_and_day_old_rows_are_deleted(db_session):
    login_attempts.count(db_session, ["ip:a", "user:x"], success=False, now=START)
    for minute in range(3):
        login_attempts.count(
            db_session, ["ip:a"], success=True, now=START + timedelta(minutes=minute)
        )
    assert _wait(db_session, "ip:a", START + timedelta(minutes=3)) is None
    login_attempts.count(db_session, ["ip:c"], success=False, now=START + timedelta(days=2))
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(LoginAttempt)) == 1
