"""The practitioner asks for prior treatment ("Also add that he failed 6 weeks of PT without
traction"); the clinician records it in the case page's history section and sends the order
again; the sign page names the change and shows the history as the letter states it. Billing's
claim page never shows it."""

from __future__ import annotations

from services.claim_cases import stored_case
from services.test_order_returns import _fresh

from web.pages.cases.page_form import page_fields
from web.pages.test_order_return import _send_back, team  # noqa: F401


def test_asked_for_prior_treatment_recorded_and_seen_on_the_sign_page(db_session, team):  # noqa: F811
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    note = "Also add that he failed 6 weeks of PT without traction."
    assert _send_back(clients["doctor"], case, note=note).status_code == 303

    author = clients["author"]
    fields = page_fields(author.get(f"/cases/{case.id}").get_data(as_text=True))
    fields |= {
        "history-physical_therapy_weeks": "6",
        "history-physical_therapy_traction": "without",
        "history-physical_therapy_result": "neck and left arm pain unchanged",
    }
    saved = author.post(f"/cases/{case.id}/save", data={**fields, "section": "history"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    row = _fresh(db_session, case.id)
    again = author.post(f"/cases/{case.id}/send-again", data={"version": row.version})
    assert again.status_code == 303

    sign_page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    since = sign_page.split('id="since-last-look"', 1)[1].split("</section>", 1)[0]
    assert "History, weeks of physical therapy" in since
    assert "<del>Not recorded</del>" in since and "<ins>6 weeks</ins>" in since
    assert "<ins>Without</ins>" in since
    assert "Maria Alvarez" in since
    card = sign_page.split('id="sign-history"', 1)[1].split("</section>", 1)[0]
    assert (
        "The patient had 6 weeks of physical therapy without traction, with this result: neck "
        "and left arm pain unchanged." in card
    )

    claim = clients["biller"].get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "physical therapy" not in claim and "arm pain unchanged" not in claim


def test_no_history_recorded_shows_no_history_card(db_session, team):  # noqa: F811
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    sign_page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    assert 'id="sign-history"' not in sign_page
