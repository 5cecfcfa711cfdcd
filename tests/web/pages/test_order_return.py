"""The practitioner's "ask for changes" / "decline to sign" on the sign page, the note at the top
of the clinician's case page, "send again", and the re-sign page's field-by-field changes."""

from __future__ import annotations

import pytest
from services.claim_cases import stored_case
from services.test_order_returns import _fresh

from dme_service.services import after_save


@pytest.fixture
def team(app, make_user, sign_in):
    people = {
        "author": make_user("clinician", credential="PT", name="Maria Alvarez"),
        "doctor": make_user("practitioner", credential="MD", name="Daniel Okafor"),
        "biller": make_user("billing"),
    }
    clients = {}
    for key, user in people.items():
        clients[key] = app.test_client()
        assert sign_in(clients[key], user).status_code == 303
    return people, clients


def _send_back(client, case, kind="changes", note="Please make it 10 lb, not 12."):
    return client.post(
        f"/signing/cases/{case.id}/send-back",
        data={"version": case.version, "kind": kind, "note": note},
    )


def test_the_sign_page_offers_both_ways_back_with_a_note(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    assert "Not ready to sign?" in page
    assert 'value="changes"' in page and "Ask for changes" in page
    assert 'value="declined"' in page and "Decline to sign" in page
    assert f"/signing/cases/{case.id}/send-back" in page


def test_an_empty_note_comes_back_with_a_message_beside_the_field(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _send_back(clients["doctor"], case, note="   ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say what should change, or why you decline" in page
    assert 'aria-invalid="true"' in page
    assert _fresh(db_session, case.id).billing_state == "awaiting_signature"


@pytest.mark.parametrize("version", ["", "x", "\x00"])
def test_a_page_without_its_version_says_so_and_keeps_the_note(db_session, team, version):
    """The hidden version has no place of its own on the page: the answer said nothing."""
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = clients["doctor"].post(
        f"/signing/cases/{case.id}/send-back",
        data={"version": version, "kind": "changes", "note": "Make it 10 lb."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The page was incomplete: the order was not sent back. Send it again." in page
    assert "Make it 10 lb." in page
    assert _fresh(db_session, case.id).billing_state == "awaiting_signature"


def test_the_note_waits_at_the_top_of_the_case_page_until_it_is_sent_again(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _send_back(clients["doctor"], case)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/?sent_back={case.id}"
    )
    home = clients["doctor"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Sent back to Maria Alvarez" in home
    home = clients["author"].get("/").get_data(as_text=True)
    assert "Sent back by the practitioner: read the note" in home
    assert f'href="/cases/{case.id}#order-returned"' in home
    page = clients["author"].get(f"/cases/{case.id}").get_data(as_text=True)
    top = page[: page.index('class="case-layout"')]
    assert "Daniel Okafor asked for changes" in top
    assert "Please make it 10 lb, not 12." in top
    assert "Send again to Daniel Okafor" in top
    # Billing sees the case's claim, never the clinical note.
    claim = clients["biller"].get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "10 lb, not 12" not in claim
    row = _fresh(db_session, case.id)
    row.home_prescription.force_lb = 10
    after_save.case_changed(db_session, row, people["author"])
    db_session.commit()
    row = _fresh(db_session, case.id)
    response = clients["author"].post(f"/cases/{case.id}/send-again", data={"version": row.version})
    assert response.status_code == 303
    page = clients["author"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Sent again to Daniel Okafor" in page and "asked for changes" not in page
    assert "Sent back by the practitioner" not in clients["author"].get("/").get_data(as_text=True)
    sign_page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    assert "What changed since you asked for changes" in sign_page
    assert "Home prescription, force" in sign_page
    assert "<del>12 lb</del>" in sign_page and "<ins>10 lb</ins>" in sign_page
    assert "Maria Alvarez" in sign_page
    assert "request.force_lb" not in sign_page


def test_billing_and_clinicians_cannot_send_an_order_back(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    assert _send_back(clients["biller"], case).status_code == 403
    assert _send_back(clients["author"], case).status_code == 403


def test_an_outside_practitioner_sends_back_only_orders_addressed_to_them(
    db_session, team, make_user, sign_in, app
):
    people, _clients = team
    outsider = make_user("practitioner", credential="MD", name="Dr Outside")
    outsider.outside = True
    db_session.commit()
    client = app.test_client()
    assert sign_in(client, outsider).status_code == 303
    theirs = stored_case(db_session, people["author"], outsider, patient_name="Their Patient")
    other = stored_case(db_session, people["author"], people["doctor"], patient_name="Not Theirs")
    assert _send_back(client, other).status_code == 404
    assert (
        _send_back(client, theirs, kind="declined", note="Not my patient any more.").status_code
        == 303
    )
    assert _fresh(db_session, theirs.id).billing_state == "draft"
