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
