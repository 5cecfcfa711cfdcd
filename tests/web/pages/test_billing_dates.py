"""The claim page a biller reads after delivery, export, the file sent, an 835 and a review
prints every date in the app's one human format (Dec 6, 2026), never ISO; and the 835's move
is a line in the claim's history, as a manual move is."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from html.parser import HTMLParser

from services.billing.ready_claims import ready_claim
from services.claim_cases import stored_case

from dme_service.claims import x835_build
from dme_service.models import Case
from dme_service.services.billing import money as claim_money

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _ReadText(HTMLParser):
    """The text a person reads: text nodes outside form fields and scripts (a date input's
    value is ISO by the HTML standard, and a <time datetime> is for machines)."""

    SKIPPED = {"textarea", "script", "style", "select"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def read_text(html: str) -> str:
    parser = _ReadText()
    parser.feed(html)
    return " ".join(parser.parts)


def _token(client, url):
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _walked_claim(db_session, billed, client):
    """A claim delivered, exported, sent on Dec 4, 2026 and paid by an 835 of Dec 20, 2026."""
    case = ready_claim(db_session, billed)
    token = _token(client, "/billing/?show=ready_to_submit")
    client.post("/billing/claim-files", data={"csrf_token": token, "case": [str(case.id)]})
    token = _token(client, "/billing/claim-files/1")
    client.post("/billing/claim-files/1/sent", data={"csrf_token": token, "sent_on": "2026-12-04"})
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    db_session.commit()
    text = x835_build.build(
        remits.remittance(remits.paid(facts, "ICN88"), payee=replace(remits.PAYEE, id="1234567893"))
    )
    token = _token(client, "/billing/remittances")
    client.post(
        "/billing/remittances",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "remit.835")},
        content_type="multipart/form-data",
    )
    db_session.expire_all()
    return db_session.get(Case, case.id)


def test_the_walked_claim_page_prints_no_iso_date(app, db_session, billed, sign_in):
    client = app.test_client()
    assert sign_in(client, billed["billing"]).status_code == 303
    case = _walked_claim(db_session, billed, client)
    assert case.billing_state == "paid"
    page = client.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    text = read_text(page)
    assert "Dec 4, 2026" in text
    assert ISO_DATE.findall(text) == []


def test_a_reviewed_item_says_its_day_in_the_human_format(db_session, billed, app, sign_in):
    case = stored_case(
        db_session,
        billed["clinician"],
        billed["practitioner"],
        diagnoses=["M50.122", "M54.12"],
    )
    client = app.test_client()
    assert sign_in(client, billed["billing"]).status_code == 303
    token = _token(client, f"/billing/cases/{case.id}")
    done = client.post(
        f"/billing/cases/{case.id}/review",
        data={"csrf_token": token, "item": "excludes1", "note": "Keep M50.122"},
    )
    assert done.status_code == 303
    text = read_text(client.get(f"/billing/cases/{case.id}").get_data(as_text=True))
    assert "Keep M50.122" in text
    assert re.search(r"Reviewed [A-Z][a-z]{2} \d{1,2}, \d{4}: Keep M50.122", text)
    assert ISO_DATE.findall(text) == []


def test_an_835_that_pays_the_claim_is_a_line_in_its_history(app, db_session, billed, sign_in):
    client = app.test_client()
    assert sign_in(client, billed["billing"]).status_code == 303
    case = _walked_claim(db_session, billed, client)
    page = client.get(f"/billing/cases/{case.id}").get_data(as_text=True)
    history = read_text(page.split('id="history-heading"')[1])
    assert "Submitted → Paid" in history
    assert re.search(r"Paid \$\d+\.\d{2} by .+ \(835 EFT0001, Dec 20, 2026\)", history), history


def test_an_unmatched_payment_names_its_day_of_service_in_the_human_format(
    app, db_session, billed, sign_in
):
    client = app.test_client()
    assert sign_in(client, billed["billing"]).status_code == 303
    case = ready_claim(db_session, billed)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    db_session.commit()
    stranger = replace(
        facts,
        control_number="ELSEWHERE9",
        subscriber=replace(facts.subscriber, member_id="9ZZ9ZZ9ZZ99"),
    )
    text = x835_build.build(
        remits.remittance(
            remits.paid(stranger, "ICN-X"), payee=replace(remits.PAYEE, id="1234567893")
        )
    )
    token = _token(client, "/billing/remittances")
    client.post(
        "/billing/remittances",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "remit.835")},
        content_type="multipart/form-data",
    )
    page = read_text(client.get("/billing/remittances").get_data(as_text=True))
    assert "ELSEWHERE9" in page
    assert re.search(r"on [A-Z][a-z]{2} \d{1,2}, \d{4}\)", page), page
    assert ISO_DATE.findall(page) == []
