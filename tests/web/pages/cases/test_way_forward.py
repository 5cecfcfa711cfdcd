"""The decision panel's way forward for a not-eligible or not-covered case: send for signature
with a reason, record the ABN where GA/GZ applies, and what could change the outcome."""

from __future__ import annotations

import pytest
from sample_case import case_doc, store_case


@pytest.fixture
def team(app, make_user, sign_in):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Dr Sam Lee")
    client = app.test_client()
    assert sign_in(client, clinician).status_code == 303
    return clinician, doctor, client


def _panel(client, case) -> str:
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    start = page.index('id="decision"')
    return page[start : page.index("</aside>", start)]


def test_a_not_covered_case_links_to_send_with_a_reason_and_says_what_could_change(
    db_session, team
):
    clinician, doctor, client = team
    case = store_case(db_session, clinician, doctor, payer="uhc_commercial")
    panel = _panel(client, case)
    assert "Ways forward" in panel
    assert f'href="/signing/cases/{case.id}/send"' in panel
    assert "Send for signature with a reason" in panel
    assert "What could change the outcome" in panel
    assert "does not cover E0860 for home use" in panel
    assert "record the ABN" not in panel  # no GA/GZ scheme at this payer


def test_a_medicare_gz_case_asks_to_record_the_abn(db_session, team):
    clinician, doctor, client = team
    case = store_case(db_session, clinician, doctor, **{"request.hcpcs": "E0849"})
    panel = _panel(client, case)
    assert 'href="#order-abn_on_file">record the ABN</a>' in panel
    assert "GZ" in panel and "CMS-R-131" in panel
    assert "criterion A" in panel  # an unmet criterion, in words
    assert "screening." not in panel.split("What could change the outcome")[1]


def test_an_abn_on_file_says_ga(db_session, team):
    clinician, doctor, client = team
    case = store_case(
        db_session, clinician, doctor, **{"request.hcpcs": "E0849", "abn_on_file": True}
    )
    panel = _panel(client, case)
    assert "An ABN is on file: the claim carries GA" in panel
    assert "record the ABN" not in panel


def test_an_eligible_case_has_no_way_forward_block(db_session, team):
    clinician, doctor, client = team
    case = store_case(db_session, clinician, doctor)
    assert "Ways forward" not in _panel(client, case)


def test_an_eligible_case_without_a_saved_prescription_says_to_save_it(db_session, team):
    clinician, doctor, client = team
    document = case_doc()
    document["request"] = {"hcpcs": "E0860"}  # the card's suggestions were never saved
    case = store_case(db_session, clinician, doctor, document=document)
    panel = _panel(client, case)
    assert "Save the home prescription" in panel
    assert 'href="#request-force_lb"' in panel


def test_a_saved_prescription_asks_nothing_more(db_session, team):
    clinician, doctor, client = team
    case = store_case(db_session, clinician, doctor)
    assert "Save the home prescription" not in _panel(client, case)
