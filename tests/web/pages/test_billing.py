"""The billing pages: the queue says what is missing, claims move with PRG, the second of two
concurrent clicks gets 409 with the new state, denials carry CARC meanings, the export is
audited, and billing never sees the clinical notes (security.md AC-3, DB-3, LOG-1, LOG-4)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services.claim_cases import fake_render, stored_case
from sqlalchemy import func, select

from dme_service.models import AuditEvent, BillingEvent, Case
from dme_service.services import signing

CANARY = "CANARY-NOTES-ZX81: patient cried in the gym"


def sign_in(client, user):
    return client.post("/login", data={"email": user.email, "password": user.password})


@pytest.fixture
def desk(app, db_session, make_user, monkeypatch):
    """A signed case with clinical notes, and a signed-in biller and clinician."""
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    author = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD")
    biller = make_user("billing", name="Bea Biller")
    case = stored_case(db_session, author, doctor, notes=CANARY, patient_name="Olga Claim")
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    clients = {}
    for key, user in (("biller", biller), ("author", author)):
        clients[key] = app.test_client()
        assert sign_in(clients[key], user).status_code == 303
    return {
        "case_id": case.id,
        "clients": clients,
        "biller": biller,
        "doctor": doctor,
        "author": author,
    }


def _version(db_session, case_id):
    db_session.expire_all()
    return db_session.get(Case, case_id).version


def _move(client, db_session, case_id, to_state, version=None, **fields):
    if to_state == "ready_to_submit":
        fields.setdefault("service_date", "2026-11-20")
    data = {"to_state": to_state, "version": version or _version(db_session, case_id), **fields}
    return client.post(f"/billing/cases/{case_id}/move", data=data)


def test_the_queue_lists_the_claim_with_its_codes_and_what_is_missing(db_session, desk, make_user):
    stored_case(db_session, desk["author"], desk["doctor"], patient_name="Una Signed")
    page = desk["clients"]["biller"].get("/billing/").get_data(as_text=True)
    assert "Olga Claim" in page and "Una Signed" in page and "E0860" in page
    assert "Not signed yet." in page  # Una's claim, in words
    assert "Proof of delivery recorded" not in page.split("Olga Claim")[1].split("</tr>")[0]


def test_billing_lands_on_the_queue_with_every_billing_page_in_its_head(desk):
    home = desk["clients"]["biller"].get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "Olga Claim" in page and "Still needed" in page
    for link in ("Claim files", "Remittances (835)", "Money report", "Fee table"):
        assert link in page, link
    assert 'href="/billing/supplier">Clinic identity' in page


def test_billing_pages_and_export_never_show_the_clinical_notes(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    _move(client, db_session, case_id, "ready_to_submit")
    for url in (
        "/",
        "/billing/",
        f"/billing/cases/{case_id}",
        "/billing/queue.csv",
        "/billing/denials",
        f"/signing/cases/{case_id}/history",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "CANARY-NOTES" not in response.get_data(as_text=True), url


def test_a_move_redirects_to_the_claim_and_is_recorded_with_who_and_when(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    response = _move(client, db_session, case_id, "ready_to_submit")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the claim is now ready to submit" in page and "Bea Biller" in page
    event = db_session.scalars(
        select(BillingEvent).where(BillingEvent.to_state == "ready_to_submit")
    ).one()
    assert event.user_id == desk["biller"].id and event.at is not None


def test_two_clicks_on_the_same_claim_at_once_one_wins_the_other_sees_409(app, db_session, desk):
    case_id, version = desk["case_id"], _version(db_session, desk["case_id"])
    db_session.rollback()  # SQLite: no open transaction may hold the write lock
    second = app.test_client()
    assert sign_in(second, desk["biller"]).status_code == 303
    db_session.rollback()
    barrier, answers = threading.Barrier(2), []

    def click(client):
        barrier.wait()
        answers.append(
            client.post(
                f"/billing/cases/{case_id}/move",
                data={
                    "to_state": "ready_to_submit",
                    "version": version,
                    "note": "mine",
                    "service_date": "2026-11-20",
                },
            )
        )

    threads = [
        threading.Thread(target=click, args=(c,)) for c in (desk["clients"]["biller"], second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [303, 409]
    loser = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert "it is now ready to submit" in loser
    assert ">mine</textarea>" in loser  # the loser's note is kept (LOG-4)


def test_ready_to_submit_without_a_date_of_service_says_so_beside_the_field(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    form = client.get(f"/billing/cases/{case_id}").get_data(as_text=True)
    assert 'id="service_date-ready_to_submit"' in form
    response = _move(
        client, db_session, case_id, "ready_to_submit", service_date="", note="Checked the SWO"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field = page.split('id="service_date-ready_to_submit-error"')[1].split("</p>")[0]
    assert "Give the date of service (the day the unit was delivered)" in field
    assert "Checked the SWO" in page
    db_session.expire_all()
    assert db_session.get(Case, case_id).billing_state == "signed"
    typed = _move(client, db_session, case_id, "ready_to_submit", service_date="2026-11-20")
    assert typed.status_code == 303
    details = client.get(f"/billing/cases/{case_id}").get_data(as_text=True)
    assert 'value="2026-11-20"' in details.split('id="service_date-details"')[1].split(">")[0]


def test_a_denial_without_a_carc_is_refused_next_to_the_field_with_the_note_kept(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    for state in ("ready_to_submit", "submitted"):
        _move(client, db_session, case_id, state)
    response = _move(client, db_session, case_id, "denied", note="Called payer, ref 88")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Record at least one CARC from the remittance." in page
    assert "Called payer, ref 88" in page


def test_a_recorded_denial_shows_each_code_with_its_meaning(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    for state in ("ready_to_submit", "submitted"):
        _move(client, db_session, case_id, state)
    response = _move(client, db_session, case_id, "denied", carc=["50", "16"], rarc=["N115"])
    assert response.status_code == 303
    page = client.get(f"/billing/cases/{case_id}").get_data(as_text=True)
    assert "CARC 50" in page and "not deemed a &#39;medical necessity&#39;" in page
    assert "RARC N115" in page
    report = client.get("/billing/denials").get_data(as_text=True)
    assert "Medicare" in report and "<strong>1</strong>" in report


def test_recording_payment_without_delivery_says_what_is_missing(db_session, desk):
    client, case_id = desk["clients"]["biller"], desk["case_id"]
    for state in ("ready_to_submit", "submitted"):
        _move(client, db_session, case_id, state)
    refused = _move(client, db_session, case_id, "paid")
    assert refused.status_code == 409
    assert "Record the delivery date, method and who received the unit" in refused.get_data(
        as_text=True
    )
    paid = _move(
        client,
        db_session,
        case_id,
        "paid",
        delivery_date="2026-11-20",
        delivery_method="in_clinic",
        received_by="Olga Claim",
    )
    assert paid.status_code == 303


def test_an_excludes1_review_is_recorded_from_the_claim_page(db_session, desk):
    case = stored_case(db_session, desk["author"], desk["doctor"], diagnoses=["M50.122", "M54.12"])
    client = desk["clients"]["biller"]
    page = client.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "Record review" in page
    empty = client.post(f"/billing/cases/{case.id}/review", data={"item": "excludes1", "note": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/billing/cases/{case.id}/review", data={"item": "excludes1", "note": "Keep M50.122"}
    )
    assert done.status_code == 303
    assert "Keep M50.122" in client.get(f"/billing/cases/{case.id}").get_data(as_text=True)


def test_the_csv_export_downloads_and_is_audited_as_an_export(db_session, desk):
    response = desk["clients"]["biller"].get("/billing/queue.csv?show=open")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Olga Claim" in response.get_data(as_text=True)
    assert (
        db_session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "billing.queue.export")
        )
        == 1
    )


def test_clinicians_cannot_open_or_move_claims(db_session, desk):
    client, case_id = desk["clients"]["author"], desk["case_id"]
    assert client.get("/billing/").status_code == 403
    assert _move(client, db_session, case_id, "ready_to_submit").status_code == 403
    db_session.expire_all()
    assert db_session.get(Case, case_id).billing_state == "signed"


def test_an_illegal_move_is_a_409_that_names_the_possible_ones(db_session, desk):
    response = _move(desk["clients"]["biller"], db_session, desk["case_id"], "paid")
    assert response.status_code == 409
    assert "it can become ready to submit" in response.get_data(as_text=True)


@pytest.mark.parametrize(("to_state", "version"), [("", None), ("shipped", None), ("paid", "x")])
def test_a_move_without_its_buttons_hidden_fields_says_so_on_the_page(
    db_session, desk, to_state, version
):
    """The state and version travel in hidden fields: when they are missing or not ones the
    page offers, the page says the claim was not moved (it came back with no message)."""
    response = _move(
        desk["clients"]["biller"], db_session, desk["case_id"], to_state, version=version
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The page was incomplete: the claim was not moved." in text
    assert 'role="alert"' in text


NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "\u202e", "🙂" * 50, "x" * 10_000, "{{ 7*7 }}", "1; DROP"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    to_state=st.one_of(st.sampled_from(["ready_to_submit", "denied", "paid", "closed"]), NASTY),
    version=st.one_of(st.integers(-5, 10**12).map(str), NASTY),
    carc=st.lists(st.one_of(st.sampled_from(["50", "16", "4"]), NASTY), max_size=3),
    note=NASTY,
    delivery_date=st.one_of(st.dates().map(str), NASTY),
    received_by=NASTY,
)
def test_any_move_form_input_answers_without_a_server_error(
    db_session, desk, to_state, version, carc, note, delivery_date, received_by
):
    """IN-3: whatever the form holds, the answer is a redirect or a refusal, never a 5xx, and
    a refused move writes no billing event."""
    before = db_session.scalar(select(func.count(BillingEvent.id)))
    response = desk["clients"]["biller"].post(
        f"/billing/cases/{desk['case_id']}/move",
        data={
            "to_state": to_state,
            "version": version,
            "carc": carc,
            "note": note,
            "delivery_date": delivery_date,
            "delivery_method": "in_clinic",
            "received_by": received_by,
        },
    )
    assert response.status_code in (303, 409, 422), response.status_code
    db_session.expire_all()
    after = db_session.scalar(select(func.count(BillingEvent.id)))
    assert after == before + (1 if response.status_code == 303 else 0)
    db_session.rollback()


def test_the_denial_report_takes_any_date_range(desk):
    client = desk["clients"]["biller"]
    for query in ("start=9999-12-31&end=9999-12-31", "start=0001-01-01", "end=nonsense"):
        assert client.get(f"/billing/denials?{query}").status_code == 200


def test_a_signed_order_is_never_labelled_awaiting_signature(db_session, desk):
    case_id = desk["case_id"]
    biller, author = desk["clients"]["biller"], desk["clients"]["author"]
    queue = biller.get("/billing/").get_data(as_text=True)
    row = queue.split("Olga Claim")[1].split("</tr>")[0]
    assert "Signed" in row and "Awaiting signature" not in row
    assert "mark it ready to submit" in row
    csv_text = biller.get("/billing/queue.csv?show=open").get_data(as_text=True)
    line = next(line for line in csv_text.splitlines() if line.startswith(f'"{case_id}",'))
    assert "signed, awaiting billing review" in line and "awaiting signature" not in line
    home = author.get("/").get_data(as_text=True)
    assert "Awaiting signature" not in home.split("Olga Claim")[1].split("</tr>")[0]
    claim = biller.get(f"/billing/cases/{case_id}").get_data(as_text=True)
    assert "The order is signed; the claim waits for your review." in claim


def test_billing_sees_why_a_signature_was_voided(db_session, desk):
    from dme_service.services import after_save

    case = db_session.get(Case, desk["case_id"])
    case.home_prescription.minutes = 20
    after_save.case_changed(db_session, case, desk["author"])
    db_session.commit()
    biller = desk["clients"]["biller"]
    why = "the case was changed after signing: minutes per session 15 min → 20 min"
    queue = biller.get("/billing/").get_data(as_text=True)
    row = queue.split("Olga Claim")[1].split("</tr>")[0]
    assert "Awaiting signature" in row and f"Signature voided: {why}" in row
    claim = biller.get(f"/billing/cases/{desk['case_id']}").get_data(as_text=True)
    assert "The practitioner's signature was voided" in claim
    assert why.capitalize() in claim
    assert f"Signature voided: {why}." in claim  # the history's note, not hidden as clinical
