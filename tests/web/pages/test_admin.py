"""The admin's clinic profile and user pages (issue 13): step-up, audit, messages at fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from stdnum import luhn

from dme_service.models import AuditEvent, Clinic, User, utcnow

NPI = "104583726" + luhn.calc_check_digit("80840104583726")


@pytest.fixture
def admin_client(signed_in):
    return signed_in("admin")


def actions(db_session):
    db_session.expire_all()
    return [row.action for row in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_inviting_an_outside_md_shows_the_link_once_and_is_audited(admin_client, db_session):
    client, _admin = admin_client
    form = {
        "email": "okafor@ortho.example",
        "name": "Daniel Okafor",
        "role": "practitioner",
        "credential": "MD",
        "npi": NPI,
        "outside": "y",
    }
    page = client.post("/admin/users/new", data=form)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "/set-password/" in body
    doctor = db_session.scalar(select(User).where(User.email == "okafor@ortho.example"))
    assert (doctor.role, doctor.outside, doctor.password_hash) == ("practitioner", True, "")
    assert actions(db_session)[-2:] == ["user.create", "user.password_link"]


def test_an_invite_with_problems_comes_back_with_messages_beside_the_fields(admin_client):
    client, admin = admin_client
    form = {"email": admin.email, "name": "X", "role": "practitioner", "credential": "PT"}
    page = client.post("/admin/users/new", data=form)
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "already has an account" in body and "needs an NPI" in body
    assert 'value="X"' in body  # what was typed stays


def test_every_admin_page_asks_for_the_password_again_after_5_minutes(admin_client):
    client, _admin = admin_client
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        for path in ("/admin/clinic", "/admin/users/new"):
            response = client.get(path)
            assert response.status_code == 303 and "/reauth" in response.headers["Location"]


def test_the_clinic_profile_saves_what_prints(admin_client, db_session):
    client, admin = admin_client
    form = {
        "name": "Lakeside PT",
        "address": "2 Lake St",
        "phone": "555-0101",
        "fax": "555-0102",
        "timezone": "America/New_York",
        "org_npi": NPI,
        "tax_id": "12-3456789",
        "ptan": "AB1234",
        "patient_link_days": "30",
        "default_lang": "es",
    }
    assert client.post("/admin/clinic", data=form).status_code == 303
    db_session.expire_all()
    clinic = db_session.get(Clinic, admin.clinic_id)
    assert (clinic.name, clinic.timezone, clinic.fax, clinic.patient_link_days) == (
        "Lakeside PT",
        "America/New_York",
        "555-0102",
        30,
    )
    assert actions(db_session)[-1] == "clinic.update"
    bad = client.post("/admin/clinic", data={**form, "timezone": "Chicago", "tax_id": "1"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "is not a time zone name" in text and "has 9 digits" in text


def test_the_clinic_profile_holds_the_legal_name_billing_sees(admin_client, db_session):
    """One legal name, on the profile: the admin's page and billing's supplier page show and
    edit the same value; typed as the clinic's name it is none of its own."""
    client, admin = admin_client
    form = {"name": "Lakeside PT", "timezone": "America/Chicago", "patient_link_days": "90",
            "default_lang": "en", "legal_name": "Lakeside Physical Therapy LLC"}  # fmt: skip
    assert client.post("/admin/clinic", data=form).status_code == 303
    assert 'value="Lakeside Physical Therapy LLC"' in client.get("/admin/clinic").get_data(
        as_text=True
    )
    db_session.expire_all()
    assert db_session.get(Clinic, admin.clinic_id).legal_name == "Lakeside Physical Therapy LLC"
    too_long = client.post("/admin/clinic", data={**form, "legal_name": "L" * 61})
    assert too_long.status_code == 422 and 'value="' + "L" * 61 + '"' in too_long.get_data(
        as_text=True
    )
    assert (
        client.post("/admin/clinic", data={**form, "legal_name": "Lakeside PT"}).status_code == 303
    )
    db_session.expire_all()
    assert db_session.get(Clinic, admin.clinic_id).legal_name is None


def test_edit_deactivate_reactivate_and_a_new_link(admin_client, make_user, db_session):
    client, admin = admin_client
    pt = make_user("clinician", credential="PT")
    form = {"name": "Maria Alvarez", "role": "billing", "credential": ""}
    assert client.post(f"/admin/users/{pt.id}", data=form).status_code == 303
    assert client.post(f"/users/{pt.id}/deactivate").status_code == 303
    assert client.post(f"/admin/users/{pt.id}/reactivate").status_code == 303
    page = client.post(f"/admin/users/{pt.id}/link")
    assert "/set-password/" in page.get_data(as_text=True)
    db_session.expire_all()
    user = db_session.get(User, pt.id)
    assert (user.name, user.role, user.active) == ("Maria Alvarez", "billing", True)
    assert actions(db_session)[-4:] == [
        "user.update",
        "user.deactivate",
        "user.reactivate",
        "user.password_link",
    ]


def test_an_admin_cannot_take_away_their_own_admin_role(admin_client):
    client, admin = admin_client
    page = client.post(f"/admin/users/{admin.id}", data={"name": "Me", "role": "billing"})
    assert page.status_code == 422
    assert "your own admin role" in page.get_data(as_text=True)


def test_another_clinics_user_does_not_exist_here(admin_client, db_session, make_user):
    client, _admin = admin_client
    other = Clinic(name="Other", timezone="America/Chicago")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", clinic_id=other.id)
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert client.post(f"/admin/users/{stranger.id}/link").status_code == 404


def test_a_user_turns_the_optional_mails_off(signed_in, db_session):
    client, user = signed_in("clinician")
    assert client.post("/account/mail", data={}).status_code == 303
    db_session.expire_all()
    assert db_session.get(User, user.id).mail_opt_out is True
    client.post("/account/mail", data={"optional": "y"})
    db_session.expire_all()
    assert db_session.get(User, user.id).mail_opt_out is False


def test_the_admin_changes_a_users_email_with_errors_beside_the_field(
    admin_client, make_user, db_session
):
    client, _admin = admin_client
    make_user("billing", email="taken@x.example")
    pt = make_user("clinician", credential="PT", email="maria@old.example")
    page = client.get(f"/admin/users/{pt.id}").get_data(as_text=True)
    assert 'value="maria@old.example"' in page
    form = {"email": "taken@x.example", "name": "Maria", "role": "clinician", "credential": "PT"}
    taken = client.post(f"/admin/users/{pt.id}", data=form)
    text = taken.get_data(as_text=True)
    assert taken.status_code == 422
    assert "taken@x.example already has an account." in text
    assert 'value="taken@x.example"' in text  # what was typed stays
    moved = client.post(f"/admin/users/{pt.id}", data={**form, "email": "maria@new.example"})
    assert moved.status_code == 303
    db_session.expire_all()
    assert db_session.get(User, pt.id).email == "maria@new.example"
    assert actions(db_session)[-2:] == ["user.email_change", "user.update"]


def test_the_admin_sends_todays_reminders_once(admin_client, make_user, db_session):
    from services.claim_cases import stored_case

    client, _admin = admin_client
    doctor = make_user("practitioner", credential="MD", npi=NPI)
    stored_case(db_session, make_user("clinician", credential="PT"), doctor)
    first = client.post("/admin/reminders")
    assert first.status_code == 303 and first.location.endswith("/?reminded=1")
    page = client.get(first.location).get_data(as_text=True)
    assert "1 practitioner was reminded" in page
    again = client.post("/admin/reminders")
    assert again.location.endswith("/?reminded=0")
    assert "each was already reminded today" in client.get(again.location).get_data(as_text=True)


def test_the_users_page_says_in_plain_words_what_the_reminder_button_does(admin_client):
    client, _admin = admin_client
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert (
        '"Send today\'s reminders" tells each practitioner with orders waiting how many '
        "await their signature" in page.replace("&#34;", '"').replace("&#39;", "'")
    )
