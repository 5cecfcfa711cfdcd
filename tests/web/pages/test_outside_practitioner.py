"""An outside practitioner sees only the orders addressed to them (issue 13)."""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case


@pytest.fixture
def setting(app, db_session, make_user, sign_in):
    clinician = make_user("clinician", credential="PT")
    outsider = make_user("practitioner", credential="MD", name="Daniel Okafor")
    staff_md = make_user("practitioner", credential="MD", name="Pat Rivera")
    outsider.outside = True
    db_session.commit()
    theirs = stored_case(db_session, clinician, outsider, patient_name="Their Patient")
    other = stored_case(db_session, clinician, staff_md, patient_name="Someone Else")
    client = app.test_client()
    assert sign_in(client, outsider).status_code == 303
    return client, theirs, other


def test_their_home_lists_only_their_orders(setting):
    client, _theirs, _other = setting
    home = client.get("/").get_data(as_text=True)
    assert "Their Patient" in home and "Someone Else" not in home


def test_they_sign_their_order_and_reach_nothing_else(setting):
    client, theirs, other = setting
    assert client.get(f"/signing/cases/{theirs.id}").status_code == 200
    assert client.get(f"/signing/cases/{theirs.id}/review.pdf").status_code == 200
    assert client.get(f"/signing/cases/{other.id}").status_code == 404
    assert client.get(f"/signing/cases/{other.id}/history").status_code == 404
    for path in ("/cases", f"/cases/{theirs.id}", f"/cases/{theirs.id}/documents", "/billing/"):
        assert client.get(path).status_code == 403, path


def test_a_clinician_can_choose_them_like_staff(app, db_session, make_user, signed_in):
    from dme_service.services.cases import reading

    client, clinician = signed_in("clinician", credential="PT")
    outsider = make_user("practitioner", credential="MD", name="Daniel Okafor")
    outsider.outside = True
    db_session.commit()
    assert outsider.id in {u.id for u in reading.signers(db_session, clinician.clinic_id)}
