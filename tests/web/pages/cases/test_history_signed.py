"""The history the signed letter states is a signed fact: recording or changing it after signing
warns first, voids only when confirmed and names the change (an order signed without its letter
does not cover it: tests/case/test_signed_facts.py)."""

from __future__ import annotations

from dme_service.db import get_session
from dme_service.services import signing
from dme_service.store.signed_content import signatures
from web.pages.cases.page_form import page_fields
from web.pages.cases.test_signed_order import _fields, _state, desk  # noqa: F401


def test_history_recorded_after_signing_warns_then_voids_naming_it(desk):  # noqa: F811
    client, case_id = desk["client"], desk["case_id"]
    fields = _fields(client, case_id)
    fields["history-physical_therapy_weeks"] = "6"
    fields["history-physical_therapy_traction"] = "without"
    response = client.post(f"/cases/{case_id}/save", data={**fields, "section": "history"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    warning = page.split('id="void-warning"')[1].split("</div>")[0]
    assert "weeks of physical therapy not recorded → 6 weeks" in warning
    assert "physical therapy with or without traction not recorded → without" in warning
    case, check = _state(case_id)
    assert check.valid and case.history is None  # nothing saved
    kept = page_fields(page)
    assert kept["history-physical_therapy_weeks"] == "6"

    confirmed = client.post(
        f"/cases/{case_id}/save", data={**fields, "section": "history", "confirm_void": "1"}
    )
    assert confirmed.status_code == 303
    case, check = _state(case_id)
    assert case.history.physical_therapy_weeks == 6 and not check.valid
    voided = signatures(get_session(), case_id)[0]
    assert "weeks of physical therapy not recorded → 6 weeks" in voided.void_reason


def test_a_changed_result_is_named_without_repeating_the_text(desk):  # noqa: F811
    client, case_id = desk["client"], desk["case_id"]
    fields = _fields(client, case_id)
    fields["history-physical_therapy_result"] = "arm pain unchanged"
    first = client.post(
        f"/cases/{case_id}/save", data={**fields, "section": "history", "confirm_void": "1"}
    )
    assert first.status_code == 303
    db = get_session()
    case = _state(case_id)[0]
    signing.sign(db, case_id, desk["doctor"], expected_version=case.version)
    fields = _fields(client, case_id)
    fields["history-physical_therapy_result"] = "arm pain a little better"
    page = client.post(f"/cases/{case_id}/save", data=fields).get_data(as_text=True)
    warning = page.split('id="void-warning"')[1].split("</div>")[0]
    assert "result of physical therapy" in warning
    assert "arm pain" not in warning
