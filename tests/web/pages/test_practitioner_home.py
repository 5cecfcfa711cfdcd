"""The practitioner's home page: each order waiting for them with its unit in words, who asks,
and how long it has waited, the longest waiting first."""

from __future__ import annotations

from datetime import timedelta

from services.claim_cases import stored_case
from sqlalchemy import update

from dme_service.models import BillingEvent, utcnow


def test_the_list_shows_unit_requester_and_waiting_time_oldest_first(
    app, db_session, make_user, sign_in
):
    author = make_user("clinician", credential="PT", name="Maria Alvarez")
    doctor = make_user("practitioner", credential="MD", name="Daniel Okafor")
    newer = stored_case(db_session, author, doctor, patient_name="New Patient")
    older = stored_case(db_session, author, doctor, patient_name="Old Patient")
    db_session.execute(
        update(BillingEvent)
        .where(BillingEvent.case_id == older.id)
        .values(at=utcnow() - timedelta(days=2, hours=1))
    )
    db_session.commit()
    client = app.test_client()
    assert sign_in(client, doctor).status_code == 303
    page = client.get("/").get_data(as_text=True)
    table = page[page.index('class="table waiting-orders"') :]
    assert table.index("Old Patient") < table.index("New Patient")
    assert "Requested by" in table and "Maria Alvarez" in table
    assert "E0860" in table and "Traction equipment, overdoor, cervical" in table
    assert "Waiting 2 days" in table and "Waiting less than an hour" in table
    assert f'href="/signing/cases/{older.id}"' in table
    assert f'href="/signing/cases/{newer.id}"' in table


def test_a_unit_carried_into_a_signed_order_shows_on_the_list_and_the_sign_page(
    app, db_session, make_user, sign_in, monkeypatch
):
    """Billing records the delivery of the patient's earlier unit after the practitioner
    signed the later order: their list and that order's sign page say so."""
    from services.claim_cases import fake_render

    from dme_service.models import Case
    from dme_service.services import signing
    from dme_service.services.billing import claim as billing

    monkeypatch.setattr(signing, "_render_signed", fake_render)
    author = make_user("clinician", credential="PT", name="Maria Alvarez")
    doctor = make_user("practitioner", credential="MD", name="Daniel Okafor")
    biller = make_user("billing")
    earlier = stored_case(db_session, author, doctor, patient_name="Walter Pruitt")
    later = stored_case(db_session, author, doctor, patient_name="Walter Pruitt")
    signing.sign(db_session, later.id, doctor, expected_version=later.version)
    client = app.test_client()
    assert sign_in(client, doctor).status_code == 303
    assert 'id="carried-units"' not in client.get("/").get_data(as_text=True)
    earlier = db_session.get(Case, earlier.id)
    earlier.billing_state = "submitted"
    db_session.commit()
    delivery = {"date": "2026-11-21", "method": "in_clinic", "received_by": "W. Pruitt"}
    billing.transition(
        db_session, earlier.id, "paid", biller, expected_version=earlier.version, delivery=delivery
    )
    home = " ".join(client.get("/").get_data(as_text=True).split())
    box = home[home.index('id="carried-units"') :]
    assert "Orders you signed that were given a prior unit" in box
    assert f'href="/signing/cases/{later.id}">Walter Pruitt</a> (case {later.id})' in box
    assert f"E0860 (Traction equipment, overdoor, cervical), from case {earlier.id}" in box
    page = " ".join(client.get(f"/signing/cases/{later.id}").get_data(as_text=True).split())
    notice = page[page.index('id="carried-units"') :]
    assert "A prior unit was added after you signed" in notice
    assert f"on case {earlier.id}" in notice and "Your signature stands" in notice
