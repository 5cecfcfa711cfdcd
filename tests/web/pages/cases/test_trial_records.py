"""The trial as a therapist records it on the case page: who ran it (the signed-in clinician,
with credential) on the trial row, and a short note per trial."""

from __future__ import annotations

import pytest

from web.pages.cases.test_page_save import send, stored, the_page
from web.pages.cases.test_views import TRIAL_ROW, create


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT", name="Dana Reyes")


def page_text(client, case_id) -> str:
    return client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_a_saved_trial_shows_who_ran_it_and_its_note(clinician):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), **TRIAL_ROW}
    fields["trials-rows-0-note"] = "Seated, 20 degrees of flexion; set-up taught."
    assert send(client, case_id, fields, section="trials").status_code == 303
    page = page_text(client, case_id)
    assert "Run by Dana Reyes, PT" in page
    assert the_page(client, case_id)["trials-rows-0-note"] == (
        "Seated, 20 degrees of flexion; set-up taught."
    )


def test_a_trial_not_saved_yet_says_who_it_will_be_recorded_as_run_by(clinician):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), **TRIAL_ROW, "trials-rows-0-pain_after": "11"}
    page = send(client, case_id, fields, section="trials").get_data(as_text=True)
    assert "it will be recorded as run by you, Dana Reyes, PT" in page


def test_changing_only_a_note_saves_it(app, clinician):
    client, _ = clinician
    case_id = create(client)
    send(client, case_id, {**the_page(client, case_id), **TRIAL_ROW})
    version = stored(app, case_id)["version"]
    fields = {**the_page(client, case_id), "trials-rows-0-note": "Tolerated well."}
    assert send(client, case_id, fields).status_code == 303
    assert stored(app, case_id)["version"] == version + 1
    assert the_page(client, case_id)["trials-rows-0-note"] == "Tolerated well."


def test_a_note_too_long_is_refused_beside_it_and_kept(app, clinician):
    client, _ = clinician
    case_id = create(client)
    fields = {**the_page(client, case_id), **TRIAL_ROW, "trials-rows-0-note": "x" * 501}
    response = send(client, case_id, fields, section="trials")
    page = response.get_data(as_text=True)
    assert 'id="trials-rows-0-note-error"' in page
    assert "Keep the note to 500 characters or fewer." in page
    assert stored(app, case_id)["trials"] == 0


# --- the 409 page of the page's one Save --------------------------------------------------


def test_a_conflict_shows_every_edited_section_and_saves_them_together(app, clinician):
    from web.pages.cases.page_form import page_fields

    client, _ = clinician
    case_id = create(client)
    fields = the_page(client, case_id)
    first = dict(fields, **{"patient-weight_lb": "180"})
    assert send(client, case_id, first).status_code == 303
    mine = dict(fields, **TRIAL_ROW, **{"request-length_of_need_months": "6"})
    response = send(client, case_id, mine, section="trials")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    # The page was made before the weight was saved, so its patient section differs too.
    assert "Patient and payer, In-clinic trials and Home prescription were changed" in page
    assert page.count("Your entries (not saved)") == 3
    again = page_fields(page, form_id="conflict-form")
    again["patient-weight_lb"] = "180"  # theirs wins there
    assert again["trials-rows-0-pain_after"] == "3"
    assert again["request-length_of_need_months"] == "6"
    assert send(client, case_id, again).status_code == 303
    saved = stored(app, case_id)
    assert saved["trials"] == 1 and saved["name"] == "Jane Q. Doe"
    shown = the_page(client, case_id)
    assert shown["request-length_of_need_months"] == "6"
    assert shown["patient-weight_lb"] == "180"
    assert shown["order-onset_date"] == ""  # a section not on the 409 page stays as stored
