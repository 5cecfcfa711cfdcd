"""Billing's reopening page: a Medicare claim whose order was amended says "Reopening needed"
with what to quote and where to ask; billing records the request (errors beside the fields,
its values kept) and then the DME MAC's answer; only billing reaches it."""

from __future__ import annotations

from datetime import date

import pytest
from claims import remits
from services.billing.reopened_claims import ICN, PAYEE, amended_and_ready, fresh

from dme_service.claims import x835_build
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import remittance as remittance_import
from dme_service.web.pages import billing as billing_pages
from web.api_helpers import bearer, token_for

TODAY = date(2026, 12, 28)


@pytest.fixture
def reopen(app, db_session, billed, signed_in, monkeypatch):
    """A billing client of the clinic whose Medicare claim waits for a reopening."""
    monkeypatch.setattr(billing_pages, "clinic_today", lambda: TODAY)
    monkeypatch.setattr("dme_service.web.pages.reopening.clinic_today", lambda: TODAY)
    case = amended_and_ready(db_session, billed)
    client, _ = signed_in("billing", clinic_id=billed["billing"].clinic_id)
    return {"client": client, "case": case, "people": billed}


def _post(client, case, **fields):
    data = {"version": case.version, "method": "telephone", "requested_on": "2026-12-22"}
    data.update(fields)
    return client.post(f"/billing/cases/{case.id}/reopening", data=data)


def test_the_claim_page_and_the_queue_say_a_reopening_is_needed(reopen):
    client, case = reopen["client"], reopen["case"]
    page = client.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    block = page.split('id="corrected-claim"')[1].split("</div>")[0]
    assert "Reopening needed" in block and f"ICN {ICN}" in block
    assert f'href="/billing/cases/{case.id}/reopening"' in block
    assert "original-claim-number" not in block  # no replacement claim: no F8 to type
    queue = client.get("/billing/").get_data(as_text=True)
    assert "Reopening needed" in queue
    shown = client.get(f"/billing/cases/{case.id}/reopening").get_data(as_text=True)
    assert ICN in shown and "force 12 lb → 10 lb" in shown
    assert "https://med.noridianmedicare.com/web/jadme/claims-appeals/reopening" in shown
    assert "1-866-419-9458" in shown and "Typo." not in shown  # the reason is clinical


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"method": ""}, "method-error", "Choose how the reopening was asked for."),
        ({"requested_on": "2026-12-29"}, "requested-on-error", "in the future"),
        ({"requested_on": "22/12/2026"}, "requested-on-error", "YYYY-MM-DD"),
        ({"requested_on": "2026-12-19"}, "requested-on-error", "remittance is dated"),
        ({"reference": "R*1~"}, "reference-error", "letters, digits or dashes"),
    ],
)
def test_a_request_that_cannot_be_recorded_comes_back_with_the_message_beside_it(
    reopen, fields, field_id, message
):
    client, case = reopen["client"], reopen["case"]
    refused = _post(client, case, reference=fields.pop("reference", "R-77"), **fields)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    error = text.split(f'id="{field_id}">')[1].split("</p>")[0]
    assert message in error
    if field_id != "reference-error":
        assert 'value="R-77"' in text  # what was typed is kept


def test_billing_records_the_request_then_the_answer(reopen):
    client, case = reopen["client"], reopen["case"]
    done = _post(client, case, reference="R-88812")
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Reopening requested" in page and "R-88812" in page
    assert 'id="outcome-form"' in page and 'id="request-form"' not in page
    refused = client.post(
        f"/billing/cases/{case.id}/reopening/outcome", data={"decided_on": "2026-12-23"}
    )
    assert refused.status_code == 422
    assert "Choose what the DME MAC answered." in refused.get_data(as_text=True)
    answered = client.post(
        f"/billing/cases/{case.id}/reopening/outcome",
        data={"outcome": "declined", "decided_on": "2026-12-23"},
    )
    assert answered.status_code == 303
    page = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Reopening declined" in page and 'id="request-form"' in page  # appeal next


def test_only_billing_reaches_the_reopening_page(reopen, signed_in):
    case = reopen["case"]
    clinician, _ = signed_in("clinician", clinic_id=reopen["people"]["billing"].clinic_id)
    assert clinician.get(f"/billing/cases/{case.id}/reopening").status_code == 403
    assert _post(clinician, case).status_code == 403


def test_the_api_reads_the_reopening_with_the_amendment(reopen, db_session):
    client, case = reopen["client"], reopen["case"]
    _post(client, case, reference="R-88812")
    headers = bearer(token_for(db_session, reopen["people"]["clinician"]))
    body = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()
    amendment = body["order_amendment"]
    assert amendment["correction_path"] == "reopening"
    assert amendment["reopening"] == {
        "method": "telephone",
        "requested_on": "2026-12-22",
        "reference": "R-88812",
        "icn": ICN,
        "outcome": "pending",
        "decided_on": None,
    }


def test_the_claim_page_and_the_money_report_show_the_take_back(reopen, db_session):
    client, case, people = reopen["client"], reopen["case"], reopen["people"]
    _post(client, case, reference="R-88812")
    case = fresh(db_session, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    original, corrected = remits.paid(facts, ICN), remits.deductible(facts, "2226340999999")
    text = x835_build.build(
        remits.remittance(remits.reversal(original), corrected, payee=PAYEE, trace="EFT-9")
    )
    remittance_import.import_835(db_session, people["billing"], text.encode())
    page = client.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    table = page.split('id="claim-payments"')[1].split("</table>")[0]
    rows = table.split("<tr")[2:]  # after the header row
    assert len(rows) == 3 and "Taken back" in rows[1] and "−$80.00" in rows[1]
    assert "$40.00" in rows[2] and "2226340999999" in rows[2]
    block = page.split('id="corrected-claim"')[1].split("</div>")[0]
    assert "Reopening: claim corrected" in block
    report = client.get("/billing/reports?start=2026-12-01&end=2026-12-31").get_data(as_text=True)
    section = report.split('id="take-backs"')[1].split("</section>")[0]
    assert f"Case {case.id}" in section and "−$80.00" in section
    assert "$40.00 (ICN 2226340999999)" in section and "EFT-9" in section
