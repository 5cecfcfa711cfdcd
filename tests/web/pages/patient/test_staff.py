"""The clinician's side of patient links: create (shown once), revoke, roles, other clinics,
and the case page's "Patient at home" card with adherence, pain trend and red flags."""

from __future__ import annotations

import re

import pytest
from services.patient_cases import CANARY, a_stored_case, log_sessions
from sqlalchemy import select

from dme_service.models import Clinic, PatientLink
from dme_service.services.patient import links as patient_links


@pytest.fixture
def case(db_session, clinic, clinician_client):
    return a_stored_case(db_session, clinic, clinician_client[1])


def created_url(html: str) -> str:
    return re.search(r'id="patient-url" type="text" readonly value="([^"]+)"', html).group(1)


def test_clinician_creates_a_link_shown_once_with_a_qr_code(app, db_session, case,
                                                            clinician_client):  # fmt: skip
    client, _ = clinician_client
    response = client.post(f"/cases/{case.id}/patient-link", data={"lang": "es"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    url = created_url(html)
    raw = url.split("t=", 1)[1]
    assert 'aria-label="QR code of the patient' in html and '<path d="M' in html
    assert response.headers["Cache-Control"] == "no-store"
    link = db_session.scalar(select(PatientLink).where(PatientLink.case_id == case.id))
    assert link.lang == "es" and link.token_hash == patient_links.token_hash(raw)
    assert url == f"http://localhost/p#t={raw}"  # the token only in the fragment
    patient = app.test_client()
    assert patient.post("/p", data={"t": raw}).status_code == 303


def test_in_production_the_link_starts_with_the_services_address(app, case, clinician_client):
    """The clinician may reach the service by an address the patient cannot open from home (an
    intranet name, a port on the server): in production the link, its QR code and the printout
    use DME_BASE_URL, like every other link the service hands out."""
    app.config.update(ENV_NAME="production", BASE_URL="https://dme.lakeside.example")
    client, _ = clinician_client
    html = client.post(
        f"/cases/{case.id}/patient-link", data={"lang": "en"}, base_url="http://localhost:8080"
    ).get_data(as_text=True)
    assert created_url(html).startswith("https://dme.lakeside.example/p#t=")


def test_the_link_page_is_not_shown_again(db_session, case, clinician_client):
    client, _ = clinician_client
    raw = created_url(
        client.post(f"/cases/{case.id}/patient-link", data={"lang": "en"}).get_data(as_text=True)
    ).split("t=", 1)[1]
    status = client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)
    assert raw not in status and "Active" in status


def test_clinician_revokes_the_link(app, db_session, case, clinician_client):
    client, user = clinician_client
    _, raw = patient_links.create_link(db_session, case, user)
    response = client.post(f"/cases/{case.id}/patient-link/revoke", data={})
    assert response.status_code == 303
    assert f"/cases/{case.id}" in response.headers["Location"]
    assert app.test_client().get(f"/p?t={raw}").status_code == 404


@pytest.mark.parametrize(
    ("role", "credential", "path", "method", "status"),
    [
        ("billing", None, "/cases/{id}/patient-link", "get", 403),
        ("billing", None, "/cases/{id}/patient-link", "post", 403),
        ("admin", None, "/cases/{id}/patient-link", "get", 403),
        ("practitioner", "MD", "/cases/{id}/patient-link", "get", 200),
        ("practitioner", "MD", "/cases/{id}/patient-link", "post", 403),
        ("practitioner", "MD", "/cases/{id}/patient-link/revoke", "post", 403),
    ],
)
def test_roles(signed_in, case, role, credential, path, method, status):
    client, _ = signed_in(role, credential=credential)
    response = getattr(client, method)(path.format(id=case.id))
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client, case):
    response = client.get(f"/cases/{case.id}/patient-link")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_clinics_case_does_not_exist(db_session, make_user, signed_in):
    other = Clinic(name="Other Clinic", phone="555-0199")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other.id)
    theirs = a_stored_case(db_session, other, stranger)
    client, _ = signed_in("clinician", credential="PT")
    for method, path in (
        ("get", f"/cases/{theirs.id}/patient-link"),
        ("post", f"/cases/{theirs.id}/patient-link"),
        ("post", f"/cases/{theirs.id}/patient-link/revoke"),
    ):
        assert getattr(client, method)(path).status_code == 404, path
    assert db_session.scalar(select(PatientLink)) is None


def test_no_link_for_a_contraindicated_case(db_session, clinic, clinician_client):
    client, user = clinician_client
    case = a_stored_case(db_session, clinic, user, status="contraindicated")
    response = client.post(f"/cases/{case.id}/patient-link", data={"lang": "en"})
    assert response.status_code == 409
    assert db_session.scalar(select(PatientLink)) is None


def test_card_shows_adherence_trend_and_red_flags(app, db_session, case, clinician_client):
    client, user = clinician_client
    log_sessions(db_session, case, user)
    html = client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)
    assert "Red flag reported by the patient" in html
    assert "Arm pain, tingling or numbness worse or spreading." in html
    assert "3 of 6 prescribed sessions (50 %)" in html
    assert "Pain before sessions 7.0 at the start, 3.0 lately" in html
    assert "better" in html
    assert CANARY in html  # the clinician sees whose case it is


def test_staff_read_a_red_flag_in_the_charts_words_not_the_patients(db_session, case,
                                                                     clinician_client):  # fmt: skip
    """The patient ticked "Your jaw, teeth or ear hurt from the chin strap."; the clinician's
    card and the case list say it as a chart does."""
    from datetime import timedelta

    from dme_service.services.patient import home_log
    from dme_service.services.patient.home_log import EntryInput
    from dme_service.web.pages.patient.common import local_today

    client, user = clinician_client
    link, _ = patient_links.create_link(db_session, case, user)
    today = local_today()
    flags = ("jaw_teeth_ear_pain", "bladder_bowel")
    home_log.add_entry(
        db_session, link, EntryInput(today - timedelta(days=0), 15, 12, 5, 6, flags), today
    )
    html = client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)
    assert "Jaw, teeth or ear pain from the chin strap." in html
    assert "A change in bladder or bowel control." in html
    assert "Your jaw" not in html and "how you control" not in html


def test_card_measures_the_log_against_the_signed_plan_and_shows_the_waiting_change(
    db_session, case, clinician_client, make_user
):
    """While a change waits for the practitioner's signature the patient keeps the signed
    plan (2 a day here); the card counts against it and shows the change apart."""
    from services.patient_cases import change_after_signing, sign

    client, user = clinician_client
    sign(db_session, case, make_user("practitioner", credential="MD"))
    change_after_signing(db_session, case, user, sessions_per_day=3)
    log_sessions(db_session, case, user)
    html = " ".join(client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True).split())
    assert "12 lb, 15 min, 2 a day (as signed" in html
    assert "Change waiting for signature" in html
    assert "<strong>sessions per day 2 → 3</strong>" in html
    assert "prescribed sessions" in html and "(2 a day)" in html


def test_card_without_entries(db_session, case, clinician_client):
    client, _ = clinician_client
    html = client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)
    assert "No link yet" in html and "No sessions logged yet." in html


def test_the_case_page_includes_the_card(app, case, clinician_client):
    if "cases.show" not in app.view_functions:
        pytest.skip("the case page (issue 5) is not installed")
    client, _ = clinician_client
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="patient-home"' in html and "Make a link" in html


@pytest.mark.parametrize(
    ("role", "shown"), [("billing", False), ("admin", False), ("clinician", True)]
)
def test_only_the_clinical_team_sees_the_card(app, make_user, db_session, clinic, role, shown):
    from flask import render_template
    from flask_login import login_user

    viewer = make_user(role, credential="PT" if role == "clinician" else None)
    case = a_stored_case(db_session, clinic, make_user("clinician", credential="PT"))
    with app.test_request_context("/"):
        login_user(viewer)
        html = render_template("patient/_adherence.html", case=case)
    assert ("Patient at home" in html) is shown


def test_the_status_page_read_is_audited(db_session, case, clinician_client):
    from dme_service.models import AuditEvent

    client, user = clinician_client
    client.get(f"/cases/{case.id}/patient-link")
    row = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "home_log.read"))
    assert (row.user_id, row.object_id, row.patient_id) == (user.id, str(case.id), case.patient_id)
