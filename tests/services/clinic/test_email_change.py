"""The admin changes a user's e-mail: checked, unique, audited, and the old address told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dme_service.models import AuditEvent, User
from dme_service.services.clinic import staff
from dme_service.services.clinic.setup import SetupInvalid
from dme_service.services.mail import outbox


@pytest.fixture
def settings(smtp_server, tmp_path):
    return outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")


def change(session, admin, user, email, settings=None):
    details = staff.details_of(user)
    return staff.update_user(
        session,
        admin,
        user.id,
        details.__class__(**{**details.__dict__, "email": email}),
        mail_settings=settings,
    )


def test_a_new_address_is_stored_audited_and_the_old_one_told(
    db_session, make_user, settings, smtp_server
):
    admin = make_user("admin")
    pt = make_user("clinician", credential="PT", email="maria@old.example")
    change(db_session, admin, pt, " Maria@New.Example ", settings)
    db_session.expire_all()
    assert db_session.get(User, pt.id).email == "maria@new.example"
    actions = [a.action for a in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["user.email_change", "user.update"]
    (notice,) = smtp_server.messages
    assert notice["To"] == "maria@old.example"
    assert notice["X-DME-Kind"] == "email_changed"
    assert "maria@new.example" not in notice.get_content()


@pytest.mark.parametrize(
    ("email", "words"),
    [
        ("taken@x.example", "already has an account"),
        ("not-an-address", "is not an e-mail address"),
        ("", "Give an e-mail address."),
    ],
)
def test_a_bad_or_taken_address_is_refused_at_the_field(db_session, make_user, email, words):
    admin = make_user("admin")
    make_user("billing", email="taken@x.example")
    pt = make_user("clinician", credential="PT", email="maria@old.example")
    with pytest.raises(SetupInvalid) as refused:
        change(db_session, admin, pt, email)
    (problem,) = refused.value.problems
    assert problem.field == "email" and words in problem.message
    db_session.expire_all()
    assert db_session.get(User, pt.id).email == "maria@old.example"


def test_the_same_address_in_another_case_is_no_change(db_session, make_user, smtp_server):
    admin = make_user("admin")
    pt = make_user("clinician", credential="PT", email="maria@old.example")
    change(db_session, admin, pt, "MARIA@old.example")
    actions = [a.action for a in db_session.scalars(select(AuditEvent))]
    assert "user.email_change" not in actions


def test_a_link_sent_to_the_old_address_stops_working(db_session, make_user):
    from dme_service.services.clinic import password_links

    admin = make_user("admin")
    pt = make_user("clinician", credential="PT", email="maria@typo.example")
    link = password_links.issue(db_session, pt, "https://dme.example.org", by=admin)
    db_session.commit()
    raw = link.url.rsplit("/", 1)[1]
    assert password_links.live_link(db_session, raw) is not None
    change(db_session, admin, pt, "maria@lakeside.example")
    db_session.expire_all()
    assert password_links.live_link(db_session, raw) is None
