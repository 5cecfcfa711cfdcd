"""The case page's history section: recorded as typed, kept with the case, refused at the field
with the typed values kept, and never shown to billing or admin."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import AuditEvent, Case
from web.pages.cases.page_form import page_fields
from web.pages.cases.test_views import create


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


def the_page(client, case_id) -> dict:
    return page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))


def send(client, case_id, fields, **extra):
    return client.post(f"/cases/{case_id}/save", data={**fields, **extra})


def stored_history(app, case_id) -> dict | None:
    with app.app_context():
        db = get_session()
        db.expire_all()
        row = db.get(Case, case_id).history
        if row is None:
            return None
        return {
            "weeks": row.physical_therapy_weeks,
            "traction": row.physical_therapy_traction,
            "result": row.physical_therapy_result,
            "spurling": row.spurling_test,
            "ndi": row.ndi_percent,
            "imaging_date": row.imaging_date.isoformat() if row.imaging_date else None,
        }


TYPED = {
    "history-physical_therapy_weeks": "6",
    "history-physical_therapy_traction": "without",
    "history-physical_therapy_result": "neck and arm pain unchanged",
    "history-spurling_test": "positive",
    "history-ndi_percent": "42",
}


def test_the_section_is_on_the_page_with_its_fields(clinician):
    client, _ = clinician
    case_id = create(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="section-history"' in page
    assert "History and prior treatment" in page
    for name in TYPED:
        assert f'name="{name}"' in page
    # Nothing recorded: every choice starts at "Not recorded", every box empty.
    fields = the_page(client, case_id)
    assert fields["history-spurling_test"] == ""
    assert fields["history-physical_therapy_weeks"] == ""


def test_history_is_saved_with_the_case_and_shown_again(app, clinician):
    client, _ = clinician
    case_id = create(client)
    response = send(client, case_id, {**the_page(client, case_id), **TYPED}, section="history")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "saved=history" in response.headers["Location"]
    assert stored_history(app, case_id) == {
        "weeks": 6,
        "traction": "without",
        "result": "neck and arm pain unchanged",
        "spurling": "positive",
        "ndi": 42,
        "imaging_date": None,
    }
    fields = the_page(client, case_id)
    assert {key: fields[key] for key in TYPED} == TYPED
    with app.app_context():
        actions = get_session().scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == case_id)
        )
        assert "case.save.history" in list(actions)


def test_clearing_every_field_removes_the_history(app, clinician):
    client, _ = clinician
    case_id = create(client)
    send(client, case_id, {**the_page(client, case_id), **TYPED}, section="history")
    cleared = {**the_page(client, case_id), **{key: "" for key in TYPED}}
    assert send(client, case_id, cleared, section="history").status_code == 303
    assert stored_history(app, case_id) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("history-physical_therapy_weeks", "600", "whole number from 1 to 104"),
        ("history-physical_therapy_weeks", "six", "Enter a whole number"),
        ("history-imaging_date", "2099-01-01", "after today"),
        ("history-medications", "ibuprofen PRN", "instead of &#39;PRN&#39;"),
        ("history-physical_therapy_result", "failed all conservative care", "what was tried"),
        ("history-psfs_average", "12", "from 0 to 10"),
    ],
)
def test_a_refused_entry_is_shown_beside_its_field_with_everything_typed_kept(
    app, clinician, field, value, message
):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), **TYPED, field: value}
    response = send(client, case_id, fields, section="history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    field_id = field
    # The message sits in the field's own block, tied to its input.
    assert f'id="{field_id}-error"' in page
    error = page.split(f'id="{field_id}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'class="error-summary' in page or "error-summary" in page
    kept = page_fields(page)
    assert kept[field] == value  # as typed
    assert kept["history-physical_therapy_result"] == TYPED["history-physical_therapy_result"] or (
        field == "history-physical_therapy_result"
    )
    assert stored_history(app, case_id) is None  # nothing written


def test_a_result_without_its_medication_is_refused_at_the_medication(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), "history-medications_result": "no relief"}
    page = send(client, case_id, fields, section="history").get_data(as_text=True)
    error = page.split('id="history-medications-error">', 1)[1].split("</p>", 1)[0]
    assert html.unescape(error) == "Name the medications tried, or clear their result."


def test_history_is_saved_by_any_save_button_with_the_other_sections(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), **TYPED, "order-onset_date": "2026-07-01"}
    response = send(client, case_id, fields, section="order")
    assert response.status_code == 303
    assert "history" in response.headers["Location"]
    assert stored_history(app, case_id)["weeks"] == 6


@pytest.mark.parametrize("role", ["billing", "admin"])
def test_billing_and_admin_never_see_the_history(app, clinician, signed_in, role):
    client, _ = clinician
    case_id = create(client)
    send(client, case_id, {**the_page(client, case_id), **TYPED}, section="history")
    other, _ = signed_in(role)
    page = other.get(f"/cases/{case_id}")
    assert page.status_code in (403, 404)
    assert "neck and arm pain unchanged" not in page.get_data(as_text=True)


def test_a_history_saved_by_someone_else_first_gets_the_409_page_with_both(app, clinician):
    client, _ = clinician
    case_id = create(client)
    opened = the_page(client, case_id)  # the page as the user opened it
    send(client, case_id, {**the_page(client, case_id), **TYPED}, section="history")
    mine = {**opened, "history-physical_therapy_weeks": "8"}
    response = send(client, case_id, mine, section="history")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "History and prior treatment was changed while you were editing" in page
    theirs = page.split("Saved now", 1)[1].split("Your entries", 1)[0]
    assert "Weeks of physical therapy" in theirs and "6" in theirs
    assert "(yours: 8)" in theirs
    assert page_fields(page, "conflict-form")["history-physical_therapy_weeks"] == "8"
    assert stored_history(app, case_id)["weeks"] == 6  # nothing overwritten
