"""The billing day in the browser's requests: export the ticked claims, confirm the file sent,
upload the 835, read the amounts on the claim page, the report and the CSV (issue 17)."""

from __future__ import annotations

import io
import sys
from dataclasses import replace

import pytest
from services.billing.ready_claims import SERVICE_DATE, ready_claim
from sqlalchemy import select

from dme_service.claims import x835_build
from dme_service.models import Case, ClaimRecord
from dme_service.services.billing import money as claim_money

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402
from claims.pyx12_check import accepted, validate  # noqa: E402


@pytest.fixture
def biller(app, billed, sign_in):
    client = app.test_client()
    assert sign_in(client, billed["billing"]).status_code == 303
    return client


def _export(client, *case_ids):
    page = client.get("/billing/?show=ready_to_submit").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/billing/claim-files", data={"csrf_token": token, "case": [str(i) for i in case_ids]}
    )


def test_the_queue_exports_ticked_claims_and_lists_the_refused(db_session, billed, biller):
    good = ready_claim(db_session, billed)
    bad = ready_claim(db_session, billed, address=False, patient_name="Ann Lee")
    queue = biller.get("/billing/?show=ready_to_submit").get_data(as_text=True)
    assert "Export selected to 837P" in queue and f'value="{good.id}"' in queue
    assert "Timely filing by Nov 20, 2027" in queue  # 12 months from the delivery date
    response = _export(biller, good.id, bad.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Case {bad.id}, Ann Lee: patient address: Give the street address and city." in page
    download = biller.get("/billing/claim-files/1/download")
    assert download.headers["Content-Disposition"] == 'attachment; filename="claims-000000001.837"'
    ok, ack = validate(download.get_data(as_text=True))
    assert ok and accepted(ack)


def test_a_claim_without_a_date_of_service_is_one_refused_claim_for_that_reason(
    db_session, billed, biller
):
    case = ready_claim(db_session, billed, delivery=None, service_date=SERVICE_DATE)
    claim_money.claim_record(db_session, case).service_date = None
    db_session.commit()
    page = _export(biller, case.id).get_data(as_text=True)
    assert "Refused: 1 claim (not in the file)" in page
    assert "date of service: Give the date of service (the delivery date)." in page
    assert "fee table" not in page


def test_nothing_ticked_goes_back_to_the_queue_with_a_message(db_session, billed, biller):
    response = _export(biller)
    assert response.status_code == 303
    assert "Tick at least one claim" in biller.get(response.location).get_data(as_text=True)


def test_confirming_the_file_sent_submits_its_claims(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    _export(biller, case.id)
    page = biller.get("/billing/claim-files/1").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    future = biller.post(
        "/billing/claim-files/1/sent", data={"csrf_token": token, "sent_on": "2999-01-01"}
    )
    assert future.status_code == 422 and "The day sent is in the future." in future.get_data(
        as_text=True
    )
    done = biller.post(
        "/billing/claim-files/1/sent", data={"csrf_token": token, "sent_on": "2026-12-04"}
    )
    assert done.status_code == 303
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "submitted"
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    assert record.submitted_on.isoformat() == "2026-12-04"


def test_a_file_whose_claim_went_in_another_file_says_so_and_cannot_be_sent(
    db_session, billed, biller
):
    # Export pressed twice: the same claim in files 1 and 2; file 2 is confirmed sent.
    case = ready_claim(db_session, billed)
    _export(biller, case.id)
    _export(biller, case.id)
    page = biller.get("/billing/claim-files/2").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    sent = {"csrf_token": token, "sent_on": "2026-12-04"}
    assert biller.post("/billing/claim-files/2/sent", data=sent).status_code == 303
    words = (
        f"Replaced: claim DME{case.id} went to the payer in file 2 on Dec 4, 2026; "
        "do not send this file."
    )
    page = biller.get("/billing/claim-files/1").get_data(as_text=True)
    assert words in page
    assert "Confirm the file was sent" not in page and "Download the 837P file" not in page
    download = biller.get("/billing/claim-files/1/download")
    assert download.status_code == 409 and words in download.get_data(as_text=True)
    assert "Content-Disposition" not in download.headers
    again = biller.post("/billing/claim-files/1/sent", data=sent)
    assert again.status_code == 422 and words in again.get_data(as_text=True)
    assert "claim(s) marked submitted" not in again.get_data(as_text=True)
    listing = biller.get("/billing/claim-files").get_data(as_text=True)
    assert "Replaced: its claim went in another file; do not send" in listing


def _upload(client, content: bytes):
    page = client.get("/billing/remittances").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/billing/remittances",
        data={"csrf_token": token, "file": (io.BytesIO(content), "remit.835")},
        content_type="multipart/form-data",
    )


def test_an_uploaded_835_posts_and_the_claim_page_shows_the_amounts(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    _export(biller, case.id)
    page = biller.get("/billing/claim-files/1").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    biller.post("/billing/claim-files/1/sent", data={"csrf_token": token, "sent_on": "2026-12-04"})
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    db_session.commit()
    text = x835_build.build(
        remits.remittance(
            remits.denied(facts, "ICN77"), payee=replace(remits.PAYEE, id="1234567893")
        )
    )
    posted = _upload(biller, text.encode()).get_data(as_text=True)
    assert f"Case {case.id}: denied (CO-50), ICN ICN77." in posted
    again = _upload(biller, text.encode()).get_data(as_text=True)
    assert "Already imported: nothing changed" in again
    claim = biller.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "ICN77" in claim and "CO-50" in claim and "N115" in claim
    assert "check/EFT EFT0001" in claim
    assert "Redetermination" in claim and "42 CFR 405.942" in claim
    assert "$150.00" in claim and "$0.00" in claim
    report = biller.get("/billing/reports?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "CO-50" in report and "$150.00" in report
    csv_text = biller.get("/billing/queue.csv?show=denied").get_data(as_text=True)
    header, row = csv_text.splitlines()[:2]
    assert "Billed" in header and "Ordering NPI" in header
    assert "Medicare" in row and "denied" in row and "150.00" in row and "CO-50" in row


def test_a_bad_835_is_refused_at_the_field_and_posts_nothing(db_session, billed, biller):
    response = _upload(biller, b"Patient,Paid\nWalter,80.00\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Refused, nothing posted: segment 1: not an X12 file" in page
    assert 'aria-invalid="true"' in page


def test_claim_details_keep_the_typed_values_and_name_the_field(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    page = biller.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "Medicare DME MAC Jurisdiction A" in page and "unconfirmed" in page
    assert "bill NU when the patient buys the unit" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    data = {
        "csrf_token": token,
        "purchase_or_rental": "RR",
        "prior_auth": "PA-1",
        "service_date": "someday",
        "address_line1": "9 Oak St",
        "city": "Columbus",
        "state": "ZZ",
        "zip": "43004",
        "sex": "F",
    }
    bad = biller.post(f"/billing/cases/{case.id}/details", data=data)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Give the delivery date (YYYY-MM-DD)." in text and "Give the two-letter state" in text
    assert 'value="9 Oak St"' in text and 'value="someday"' in text
    good = biller.post(
        f"/billing/cases/{case.id}/details",
        data={**data, "service_date": "2026-11-20", "state": "OH"},
    )
    assert good.status_code == 303
    page = biller.get(good.location).get_data(as_text=True)
    assert "Medicare DME MAC Jurisdiction B" in page  # the DME MAC follows the state


def test_the_fee_table_adds_a_charge_and_refuses_a_bad_one(db_session, billed, biller):
    page = biller.get("/billing/fees").get_data(as_text=True)
    assert "$150.00" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    bad = biller.post(
        "/billing/fees",
        data={
            "csrf_token": token,
            "hcpcs": "E0860",
            "purchase_or_rental": "RR",
            "amount": "12.345",
            "effective_from": "2026-12-01",
        },
    )
    assert bad.status_code == 422 and "Give the charge in dollars and cents" in bad.get_data(
        as_text=True
    )
    good = biller.post(
        "/billing/fees",
        data={
            "csrf_token": token,
            "hcpcs": "E0860",
            "purchase_or_rental": "RR",
            "amount": "25.00",
            "effective_from": "2026-12-01",
        },
    )
    assert good.status_code == 303 and "$25.00" in biller.get("/billing/fees").get_data(
        as_text=True
    )


def test_clinicians_cannot_reach_the_money_pages(app, signed_in):
    client, _ = signed_in("clinician", credential="PT")
    for url in (
        "/billing/claim-files",
        "/billing/remittances",
        "/billing/fees",
        "/billing/reports",
    ):
        assert client.get(url).status_code == 403


def test_the_clinic_billing_identity_is_edited_with_errors_at_the_field(db_session, billed, biller):
    page = biller.get("/billing/supplier").get_data(as_text=True)
    assert 'value="1234567893"' in page  # the NPI set up for the clinic
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    data = {
        "csrf_token": token,
        "legal_name": "Test Spine Clinic LLC",
        "npi": "1234567890",
        "tax_id": "12-345",
        "address_line1": "1 Main St",
        "city": "Philadelphia",
        "state": "PA",
        "zip": "19103",
        "phone": "555-555-0100",
        "contact_name": "Billing Office",
        "submitter_id": "A1234",
        "receiver_id": "CEDI",
        "receiver_name": "CEDI",
    }
    bad = biller.post("/billing/supplier", data=data)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "its check digit fails" in text and "Give the 9-digit EIN." in text
    assert "Give the ZIP+4 (nine digits)" in text and 'value="1234567890"' in text
    good = biller.post(
        "/billing/supplier",
        data={**data, "npi": "1922334457", "tax_id": "42-1234567", "zip": "19103-1234"},
    )
    assert good.status_code == 303
    assert 'value="1922334457"' in biller.get("/billing/supplier").get_data(as_text=True)


def test_claim_files_say_whether_payers_will_process_them(db_session, billed, biller):
    """ISA15: until billing chooses production files, the list and each file say they are
    test files that payers do not process for payment."""
    _export(biller, ready_claim(db_session, billed).id)
    listing = biller.get("/billing/claim-files").get_data(as_text=True)
    assert "New claim files are <strong>test files</strong>" in listing
    assert "Test (not processed for payment)" in listing
    page = biller.get("/billing/supplier").get_data(as_text=True)
    assert "Claim files are" in page and 'value="production"' in page


def test_the_claim_shows_the_purchase_modifier_it_will_bill(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    page = biller.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "E0860</span> with modifier NU, quantity 1" in page
    assert "E0860-NU" in biller.get("/billing/?show=ready_to_submit").get_data(as_text=True)


def test_an_unmatched_payment_is_posted_by_hand_to_the_chosen_claim(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    _export(biller, case.id)
    page = biller.get("/billing/claim-files/1").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    biller.post("/billing/claim-files/1/sent", data={"csrf_token": token, "sent_on": "2026-12-04"})
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    db_session.commit()
    stranger = replace(
        facts, control_number="ELSEWHERE9", subscriber=replace(facts.subscriber, member_id="9Z9")
    )
    text = x835_build.build(
        remits.remittance(
            remits.paid(stranger, "ICN-H"), payee=replace(remits.PAYEE, id="1234567893")
        )
    )
    listed = _upload(biller, text.encode()).get_data(as_text=True)
    assert "Post to this claim" in listed and f'<option value="{case.id}">Case {case.id}:' in listed
    action = "/billing/remittances/1/unmatched/0"
    empty = biller.post(action, data={"csrf_token": token, "case": ""})
    assert empty.status_code == 422
    assert "Choose the claim this payment answers." in empty.get_data(as_text=True)
    posted = biller.post(action, data={"csrf_token": token, "case": str(case.id)})
    assert posted.status_code == 303
    after = biller.get(posted.location).get_data(as_text=True)
    assert "Payment posted to" in after and "Posted by hand to" in after
    claim = biller.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "ICN-H" in claim and "$80.00" in claim
    again = biller.post(action, data={"csrf_token": token, "case": str(case.id)})
    assert again.status_code == 422
    assert f"already posted to Case {case.id}" in again.get_data(as_text=True)


def test_an_835_over_1_mb_is_read_not_refused_as_too_large(db_session, billed, biller):
    response = _upload(biller, b"ISA*" + b"x" * (2 * 1024 * 1024))
    assert response.status_code == 422
    assert "Refused, nothing posted" in response.get_data(as_text=True)


def test_an_835_over_20_mb_comes_back_to_the_form_with_the_message(db_session, billed, biller):
    response = _upload(biller, b"x" * (21 * 1000 * 1000))
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="file-error">The file is larger than 20 MB.' in page
    assert 'type="file"' in page


def test_a_tampered_purchase_or_rental_on_the_fee_table_is_named_beside_it(
    db_session, billed, biller
):
    """A select value the page never offered comes back as the form with the typed values and
    the message at the select, not a bare 400."""
    page = biller.get("/billing/fees").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    typed = {"csrf_token": token, "hcpcs": "E0860", "purchase_or_rental": "XX",
             "amount": "31.50", "effective_from": "2026-12-01"}  # fmt: skip
    for tampered in ("XX", ""):
        bad = biller.post("/billing/fees", data={**typed, "purchase_or_rental": tampered})
        text = bad.get_data(as_text=True)
        assert bad.status_code == 422
        assert 'id="purchase_or_rental-error">Choose NU (purchase) or RR (rental).' in text
        assert 'value="31.50"' in text and 'value="E0860"' in text
    missing = {k: v for k, v in typed.items() if k != "purchase_or_rental"}
    assert biller.post("/billing/fees", data=missing).status_code == 422
    assert "$31.50" not in biller.get("/billing/fees").get_data(as_text=True)


def test_tampered_selects_on_the_claim_details_are_named_beside_them(db_session, billed, biller):
    case = ready_claim(db_session, billed)
    page = biller.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "purchase_or_rental": "ZZ", "prior_auth": "PA-77",
            "service_date": "2026-11-20", "address_line1": "9 Oak St", "city": "Columbus",
            "state": "OH", "zip": "43004", "sex": "Q"}  # fmt: skip
    bad = biller.post(f"/billing/cases/{case.id}/details", data=data)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="purchase_or_rental-details-error">Choose NU (purchase) or RR (rental).' in text
    assert 'id="sex-details-error">Choose female, male or unknown.' in text
    assert 'value="PA-77"' in text and 'value="9 Oak St"' in text
    db_session.expire_all()
    assert claim_money.claim_record(db_session, case).prior_auth != "PA-77"
