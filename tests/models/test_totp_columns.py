"""The user's TOTP columns: secret and last accepted time-step counter (AUTH-6)."""

from __future__ import annotations

from datetime import UTC, datetime

from dme_service.models import User

BIG_COUNTER = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp()) // 30


def test_secret_and_counter_round_trip_and_start_empty(db_session, make_user):
    user = make_user("admin")
    assert user.totp_secret is None and user.totp_last_counter is None
    user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    user.totp_last_counter = BIG_COUNTER
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(User, user.id)
    assert stored.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert stored.totp_last_counter == BIG_COUNTER
