"""Who gets which mail, and that no mail of a whole flow carries a patient's name (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dme_service.models import utcnow
from dme_service.services.clinic import setup, staff
from dme_service.services.clinic.checks import ClinicDetails, UserDetails
from dme_service.services.mail import notices, outbox
from services.claim_cases import stored_case
from services.patient_cases import CANARY

BASE = "https://dme.example.org"


@pytest.fixture
def settings(smtp_server, tmp_path):
    return outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")


@pytest.fixture
def team(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD")
    return clinician, doctor


def test_the_reminder_counts_the_orders_and_goes_once_a_day(
    db_session, team, settings, smtp_server
):
    clinician, doctor = team
    stored_case(db_session, clinician, doctor)
    stored_case(db_session, clinician, doctor, patient_name="Other Person")
    assert notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    assert not notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    later = utcnow() + timedelta(hours=24)
    assert notices.remind_all(db_session, base_url=BASE, settings=settings, now=later) == 1
    first, second = smtp_server.messages
    assert first["Subject"] == "2 orders await your signature"
    assert first["To"] == doctor.email and second["To"] == doctor.email


def test_a_clinician_may_ask_again_the_same_day(db_session, team, settings, smtp_server):
    clinician, doctor = team
    stored_case(db_session, clinician, doctor)
    notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    assert notices.remind_practitioner(
        db_session, doctor, base_url=BASE, settings=settings, by=clinician
    )
    assert len(smtp_server.messages) == 2


def test_opted_out_users_get_no_optional_mail(db_session, team, settings, smtp_server):
    clinician, doctor = team
    case = stored_case(db_session, clinician, doctor)
    doctor.mail_opt_out = clinician.mail_opt_out = True
    db_session.commit()
    assert not notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    assert not notices.red_flag_logged(db_session, case.id, base_url=BASE, settings=settings)
    assert not notices.order_declined(db_session, case.id, doctor, base_url=BASE, settings=settings)
    assert not notices.order_amended(
        db_session, case.id, clinician, base_url=BASE, settings=settings
    )
    assert not notices.unit_carried(db_session, case.id, doctor, base_url=BASE, settings=settings)
    assert smtp_server.messages == []


def test_nothing_waiting_sends_nothing(db_session, team, settings, smtp_server):
    _clinician, doctor = team
    assert not notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    assert smtp_server.messages == []


def test_no_message_of_a_whole_flow_names_the_patient(db_session, settings, smtp_server):
    """Invitations, a new link, reminders, a red flag, a decline, an amended order, a prior
    unit added to a signed order and an e-mail change: every message is scanned for the
    patient's name, date of birth and member id."""
    invitation = setup.create_clinic(
        db_session,
        ClinicDetails("Lakeside PT", "America/Chicago"),
        UserDetails("it@lakeside.example", "Sam Ortiz", "admin"),
        base_url=BASE,
        config=settings,
    )
    clinic_id = db_session.get(setup.User, invitation.user_id).clinic_id
    pt = setup.add_user(
        db_session,
        clinic_id,
        UserDetails("pt@lakeside.example", "Maria Alvarez", "clinician", "PT"),
        base_url=BASE,
        config=settings,
    )
    md = setup.add_user(
        db_session,
        clinic_id,
        UserDetails("md@ortho.example", "Daniel Okafor", "practitioner", "MD", "1045837261", True),
        base_url=BASE,
        config=settings,
    )
    clinician = db_session.get(setup.User, pt.user_id)
    doctor = db_session.get(setup.User, md.user_id)
    setup.new_link(db_session, doctor, base_url=BASE, config=settings)
    case = stored_case(db_session, clinician, doctor, patient_name=CANARY)
    notices.remind_practitioner(db_session, doctor, base_url=BASE, settings=settings)
    notices.red_flag_logged(db_session, case.id, base_url=BASE, settings=settings)
    notices.order_declined(db_session, case.id, doctor, base_url=BASE, settings=settings)
    notices.order_amended(db_session, case.id, clinician, base_url=BASE, settings=settings)
    notices.unit_carried(db_session, case.id, doctor, base_url=BASE, settings=settings)
    admin = db_session.get(setup.User, invitation.user_id)
    moved = replace(staff.details_of(clinician), email="maria@lakeside.example")
    staff.update_user(db_session, admin, clinician.id, moved, mail_settings=settings)
    kinds = [m["X-DME-Kind"] for m in smtp_server.messages]
    assert kinds == [
        "invitation",
        "invitation",
        "invitation",
        "set_password",
        "orders_waiting",
        "red_flag",
        "declined",
        "order_amended",
        "unit_carried",
        "email_changed",
    ]
    patient = case.patient
    secrets = (CANARY, *CANARY.split(), patient.member_id, patient.date_of_birth.isoformat())
    for message in smtp_server.messages:
        whole = message.as_string()
        for secret in secrets:
            assert secret not in whole, (message["X-DME-Kind"], secret)
