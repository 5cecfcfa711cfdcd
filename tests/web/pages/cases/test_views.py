"""The case screens through the test client: list, new case (idempotent, PRG), the case page,
section saves, field errors with input kept, the 409 page, clinic scoping and roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dme_service.case.limits import MAX_DIAGNOSES
from dme_service.case.model import SCREENING_KEYS
from dme_service.db import get_session
from dme_service.models import Case

KEY = "5a0e8c52-7a57-4d6b-9a3e-0c1f2d3e4a5b"
NEW_CASE = {
    "name": "Jane Q. Doe",
    "date_of_birth": "1958-03-14",
    "member_id": "1EG4-TE5-MK73",
    "payer": "medicare",
    "idempotency_key": KEY,
}


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


@pytest.fixture
def signer(make_user):
    return make_user("practitioner", credential="MD", name="Sam Lee")


def case_count(app):
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Case))


def create(client, **changes):
    response = client.post("/cases/new", data={**NEW_CASE, **changes})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def version_of(client, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return re.search(r'name="patient-version" type="hidden" value="(\d+)"', page).group(1)


def post_section(client, case_id, section, data, version=None):
    prefix = {"prescription": "request", "diagnoses": "dx"}.get(section, section)
    version = version or version_of(client, case_id)
    body = {f"{prefix}-version": version, **data}
    return client.post(f"/cases/{case_id}/sections/{section}", data=body)


TRIAL_ROW = {
    "trials-rows-0-date": "2026-10-02",
    "trials-rows-0-device": "E0860",
    "trials-rows-0-position": "seated",
    "trials-rows-0-force_lb": "12",
    "trials-rows-0-minutes": "15",
    "trials-rows-0-pain_before": "7",
    "trials-rows-0-pain_after": "3",
    "trials-rows-0-peripheralization": "no",
    "trials-rows-0-new_neuro_signs": "no",
    "trials-rows-0-use_demonstrated": "yes",
    "trials-rows-0-tolerated": "yes",
}
REQUEST = {
    "request-hcpcs": "E0860",
    "request-force_lb": "12",
    "request-minutes": "15",
    "request-sessions_per_day": "2",
    "request-length_of_need_months": "3",
    "request-frequency_text": "15 minutes, twice daily",
}


def standard_case(client, signer, **changes):
    case_id = create(client)
    steps = [
        ("diagnoses", {"dx-codes-0": "M50122"}),
        ("trials", TRIAL_ROW),
        ("screening", {f"screening-{key}": "no" for key in SCREENING_KEYS}),
        ("prescription", REQUEST),
        (
            "order",
            {"order-treating_practitioner": str(signer.id), "order-onset_date": "2026-07-01"},
        ),
    ]
    for section, data in steps:
        response = post_section(client, case_id, section, {**data, **changes.get(section, {})})
        assert response.status_code == 303, (section, response.get_data(as_text=True)[:3000])
    return case_id


def test_new_case_redirects_to_the_draft_case_page(clinician, app):
    client, _ = clinician
    case_id = create(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Jane Q. Doe" in page and "Draft" in page
    assert "Add at least one diagnosis" in page


def test_double_submitted_new_case_creates_one_case(clinician, app):
    client, _ = clinician
    first, second = create(client), create(client)
    assert first == second and case_count(app) == 1


def test_same_key_other_entries_is_422(clinician, app):
    client, _ = clinician
    create(client)
    response = client.post("/cases/new", data={**NEW_CASE, "name": "Other Person"})
    assert response.status_code == 422 and case_count(app) == 1


def test_new_case_without_its_key_is_400(clinician, app):
    client, _ = clinician
    response = client.post("/cases/new", data={**NEW_CASE, "idempotency_key": ""})
    assert response.status_code == 400 and case_count(app) == 0


def test_medicare_member_id_must_be_an_mbi(clinician, app):
    client, _ = clinician
    response = client.post("/cases/new", data={**NEW_CASE, "member_id": "W123456789"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Medicare MBI" in page
    assert 'value="Jane Q. Doe"' in page and case_count(app) == 0


def test_commercial_member_id_is_not_checked_as_an_mbi(clinician, app):
    client, _ = clinician
    create(client, payer="aetna", member_id="W123456789")
    assert case_count(app) == 1


def test_standard_case_is_eligible_on_the_page(clinician, signer):
    client, _ = clinician
    case_id = standard_case(client, signer)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'badge badge-eligible">Eligible<' in page
    assert "Inversion table unsupervised" in page


def test_e0849_at_25_lb_gets_kx(clinician, signer):
    client, _ = clinician
    changes = {"prescription": {"request-hcpcs": "E0849", "request-force_lb": "25"}}
    case_id = standard_case(client, signer, **changes)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(r'class="modifiers">KX<', page)


def test_myelopathy_yes_is_contraindicated(clinician, signer):
    client, _ = clinician
    case_id = standard_case(client, signer, screening={"screening-myelopathy": "yes"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'badge badge-contraindicated">Contraindicated<' in page


def test_pain_of_11_shows_the_field_error_and_keeps_every_entry(clinician, signer):
    client, _ = clinician
    case_id = create(client)
    response = post_section(
        client, case_id, "trials", {**TRIAL_ROW, "trials-rows-0-pain_after": "11"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="trials-rows-0-pain_after-error"' in page
    assert "Must be a whole number from 0 to 10, not 11." in page
    assert 'href="#trials-rows-0-pain_after"' in page  # the summary links to the field
    for name, value in TRIAL_ROW.items():
        if name.endswith(("force_lb", "minutes", "pain_before", "date")):
            assert (
                f'name="{name}" type="text" value="{value}"' in page or f'value="{value}"' in page
            )
    assert 'value="11"' in page


def test_a_trial_left_without_a_required_answer_is_refused_beside_it(clinician):
    client, _ = clinician
    case_id = create(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="trials-rows-0-new_neuro_signs".*?</select>', page, re.S)
    assert '<option selected value="">Choose…</option>' in select.group(0)
    assert "Not recorded" not in select.group(0)
    typed = {**TRIAL_ROW, "trials-rows-0-new_neuro_signs": "", "trials-rows-0-pain_after": "4"}
    response = post_section(client, case_id, "trials", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'id="trials-rows-0-new_neuro_signs-error">([^<]*)<', page)
    assert error is not None and error.group(1) == "Choose Yes or No."
    assert 'href="#trials-rows-0-new_neuro_signs"' in page  # the summary links to the field
    assert 'value="4"' in page and 'value="2026-10-02"' in page  # nothing typed is lost


def test_stale_save_gets_the_409_page_with_both_versions(clinician):
    client, _ = clinician
    case_id = create(client)
    old = version_of(client, case_id)
    assert post_section(client, case_id, "trials", TRIAL_ROW, version=old).status_code == 303
    mine = {**TRIAL_ROW, "trials-rows-0-pain_after": "5"}
    response = post_section(client, case_id, "trials", mine, version=old)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Your entries were not saved" in page and 'value="5"' in page
    assert "(yours: 5)" in page


def test_the_409_page_compares_with_the_version_the_page_was_loaded_from(clinician):
    """Pain after was 3 when the page was opened; someone saved 4; the user typed 5 and a new
    force. The page says what changed since it was opened (3 -> 4, by whom), that the user
    changed it too, and leaves out what only the user changed."""
    client, user = clinician
    case_id = create(client)
    assert post_section(client, case_id, "trials", TRIAL_ROW).status_code == 303
    opened = version_of(client, case_id)
    theirs = {**TRIAL_ROW, "trials-rows-0-pain_after": "4"}
    assert post_section(client, case_id, "trials", theirs, version=opened).status_code == 303
    mine = {**TRIAL_ROW, "trials-rows-0-pain_after": "5", "trials-rows-0-force_lb": "14"}
    response = post_section(client, case_id, "trials", mine, version=opened)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    since = page[page.index('id="since-opened-title"') : page.index('id="conflict-form"')]
    assert f"Changed since you opened the page (version {opened})" in since
    row = re.search(r"<tr class=\"differs\">(.*?)</tr>", since, re.S).group(1)
    cells = [" ".join(cell.split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[0].startswith("Trial 1, pain after")
    assert "you changed it too" in cells[0]
    assert cells[1:3] == ["3 of 10", "4 of 10"]
    assert cells[3].startswith(user.name)
    assert "force" not in since  # only the user changed the force: not someone else's change
    assert since.count("you changed it too") == 1


def test_the_409_page_does_not_ask_to_choose_when_both_typed_the_same(clinician):
    client, _ = clinician
    case_id = create(client)
    assert post_section(client, case_id, "trials", TRIAL_ROW).status_code == 303
    opened = version_of(client, case_id)
    same = {**TRIAL_ROW, "trials-rows-0-pain_after": "4"}
    assert post_section(client, case_id, "trials", same, version=opened).status_code == 303
    mine = {**same, "trials-rows-0-force_lb": "14"}
    page = post_section(client, case_id, "trials", mine, version=opened).get_data(as_text=True)
    since = page[page.index('id="since-opened-title"') : page.index('id="conflict-form"')]
    assert "Trial 1, pain after" in since and "you changed it too" not in since


def test_other_clinics_case_is_404(clinician, signed_in, app):
    from dme_service.models import Clinic

    client, _ = clinician
    case_id = create(client)
    with app.app_context():
        session = get_session()
        other = Clinic(name="Elsewhere")
        session.add(other)
        session.commit()
        other_id = other.id
    stranger, _ = signed_in("clinician", clinic_id=other_id)
    assert stranger.get(f"/cases/{case_id}").status_code == 404
    assert post_section(stranger, case_id, "trials", TRIAL_ROW, version="1").status_code == 404


def test_billing_may_not_open_the_case_page(clinician, signed_in):
    client, _ = clinician
    case_id = create(client)
    billing, _ = signed_in("billing")
    assert billing.get(f"/cases/{case_id}").status_code == 403


def test_list_search_by_post_finds_by_name(clinician):
    client, _ = clinician
    create(client)
    create(client, name="Zebulon Testpatient", idempotency_key="k-2", same_patient_confirmed="k-2")
    page = client.post("/cases", data={"scope": "mine", "name": "zebulon"}).get_data(as_text=True)
    assert "Zebulon Testpatient" in page and "Jane Q. Doe" not in page


def test_code_search_json(clinician):
    client, _ = clinician
    results = client.get("/cases/codes?q=c5-c6 radic").get_json()["results"]
    assert results[0]["code"] == "M50.122"


@pytest.mark.parametrize(
    ("query", "first"),
    [("herniated disc c5-c6", "M50.222"), ("C6", "M50.122"), ("pinched nerve", "M54.12")],
)
def test_code_search_json_speaks_a_therapists_words(clinician, query, first):
    client, _ = clinician
    body = client.get(f"/cases/codes?q={query}").get_json()
    assert body["results"][0]["code"] == first
    assert body["more"] is (query == "C6")


def test_trial_response_json(clinician):
    client, _ = clinician
    query = "pain_before=7&pain_after=3&peripheralization=no&new_neuro_signs=no"
    assert client.get(f"/cases/trial-response?{query}").get_json()["response"] == "improved"


def test_a_database_failure_on_save_keeps_every_entry_and_gives_an_error_id(
    clinician, monkeypatch, caplog
):
    from sqlalchemy.exc import OperationalError

    from dme_service.services.cases import edit as case_service

    client, _ = clinician
    case_id = create(client)

    def broken(*args, **kwargs):
        raise OperationalError("UPDATE cases", {}, Exception("database is locked"))

    monkeypatch.setattr(case_service, "save_section", broken)
    response = post_section(client, case_id, "trials", TRIAL_ROW)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    error_id = re.search(r"quote (E-[0-9A-Z]{6})", page).group(1)
    assert error_id in [getattr(record, "error_id", None) for record in caplog.records]
    assert "UPDATE cases" not in page and "Traceback" not in page
    for value in ("2026-10-02", 'value="12"', 'value="7"', 'value="3"'):
        assert value in page


def test_search_post_keeps_phi_out_of_the_url(clinician):
    client, _ = clinician
    create(client)
    response = client.post("/cases", data={"scope": "clinic", "name": "Jane", "payer": "medicare"})
    assert response.status_code == 200 and response.request.url.endswith("/cases")
    assert 'value="Jane"' in response.get_data(as_text=True)


def test_mass_assignment_of_status_is_ignored(clinician, app):
    client, _ = clinician
    case_id = create(client)
    post_section(
        client, case_id, "trials", {**TRIAL_ROW, "status": "eligible", "billing_state": "paid"}
    )
    with app.app_context():
        case = get_session().get(Case, case_id)
        assert (case.status, case.billing_state) == ("draft", "draft")


def test_add_another_trial_without_javascript_adds_a_row_and_keeps_the_first(clinician):
    client, _ = clinician
    case_id = create(client)
    response = post_section(client, case_id, "trials", {**TRIAL_ROW, "action": "add_row"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="trials-rows-1-date"' in page and 'value="2026-10-02"' in page


def test_find_codes_without_javascript_lists_matches_with_add_buttons(clinician):
    client, _ = clinician
    case_id = create(client)
    data = {"dx-query": "c5-c6 radic", "action": "search"}
    page = post_section(client, case_id, "diagnoses", data).get_data(as_text=True)
    assert 'name="dx-add_code" value="M50.122"' in page
    assert "More codes match" not in page


def test_find_codes_without_javascript_says_when_more_codes_match(clinician):
    client, _ = clinician
    case_id = create(client)
    data = {"dx-query": "radiculopathy", "action": "search"}
    page = post_section(client, case_id, "diagnoses", data).get_data(as_text=True)
    assert "More codes match than are listed" in page


def test_a_category_code_is_refused_with_its_billable_codes_offered(clinician):
    client, _ = clinician
    case_id = create(client)
    page = post_section(client, case_id, "diagnoses", {"dx-codes-0": "M50.12"}).get_data(
        as_text=True
    )
    assert "is not a billable ICD-10-CM code" in page
    for child in ("M50.120", "M50.121", "M50.122", "M50.123"):
        assert f'name="dx-add_code" value="{child}"' in page


def test_draft_lists_what_to_do_next_with_links_to_the_fields(clinician):
    client, _ = clinician
    case_id = create(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'href="#dx-codes-0">Add at least one diagnosis' in page
    assert 'href="#order-treating_practitioner">Choose the treating practitioner' in page


def test_incomplete_case_links_each_unanswered_question(clinician, signer):
    client, _ = clinician
    case_id = standard_case(client, signer, screening={"screening-glaucoma": ""})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'badge badge-incomplete">Incomplete<' in page
    assert 'href="#screening-glaucoma-0">Answer the screening question: glaucoma.' in page


STALE_EDITS = {
    "patient": {
        "patient-name": "Jane Doe",
        "patient-date_of_birth": "1958-03-14",
        "patient-member_id": "1EG4TE5MK73",
        "patient-payer": "medicare",
    },
    "diagnoses": {"dx-codes-0": "G54.2"},
    "trials": {**TRIAL_ROW, "trials-rows-0-pain_after": "5"},
    "screening": {"screening-myelopathy": "yes"},
    "prescription": {**REQUEST, "request-length_of_need_months": "6"},
    "order": {
        "order-onset_date": "2026-06-01",
        "order-prior-0-hcpcs": "E0860",
        "order-prior-0-date": "2022-01-05",
    },
}


@pytest.mark.parametrize("section", list(STALE_EDITS))
def test_each_section_has_a_409_page_with_both_versions(clinician, signer, section):
    client, _ = clinician
    case_id = standard_case(client, signer)
    response = post_section(client, case_id, section, STALE_EDITS[section], version="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved now (version" in page and "Your entries (not saved)" in page
    assert "differs" in page


def test_a_hostile_patient_name_is_shown_as_text_everywhere(clinician):
    client, _ = clinician
    name = "<script>alert(1)</script> {{ 7*7 }}"
    case_id = create(client, name=name)
    for page in (
        client.get(f"/cases/{case_id}").get_data(as_text=True),
        client.post("/cases", data={"scope": "clinic"}).get_data(as_text=True),
    ):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page


def test_unmet_criterion_is_shown_with_its_clause_and_the_modifier(clinician, signer):
    client, _ = clinician
    changes = {"prescription": {"request-hcpcs": "E0849", "request-force_lb": "15"}}
    case_id = standard_case(client, signer, **changes)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'badge badge-not_eligible">Not eligible<' in page
    assert '<span class="reason-mark">Not met</span>' in page
    assert "LCD L33823" in page
    assert re.search(r'class="modifiers">GZ<', page)


def test_over_door_above_20_lb_warns_next_to_the_force(clinician, signer):
    client, _ = clinician
    case_id = standard_case(client, signer, prescription={"request-force_lb": "25"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'class="field-warning" role="note"' in page


def test_pentest_h1_seven_thousand_diagnosis_fields_are_refused_at_the_field(
    clinician, monkeypatch
):
    """H1: 7,000 `dx-codes-N` fields held the write lock for 30 s; now the parser refuses them
    (the form keeps at most one code past the bound, so the message names the bound)."""
    from dme_service.coding import codes

    client, _ = clinician
    case_id = create(client)
    seen = []
    real = codes.excludes1_pairs
    monkeypatch.setattr(codes, "excludes1_pairs", lambda dx: seen.append(len(dx)) or real(dx))
    fields = {f"dx-codes-{i}": code for i, code in enumerate(["M50.120", "M54.12"] * 3500)}
    response = post_section(client, case_id, "diagnoses", fields)
    assert response.status_code == 200  # the form again, with the message (house style)
    page = response.get_data(as_text=True)
    assert "t most 12 ICD-10-CM codes" in page
    assert all(count <= 12 for count in seen)
    # The form itself keeps one code past the bound: 7,000 fields are neither built nor shown.
    shown = set(re.findall(r'name="dx-codes-(\d+)"', page))
    assert len(shown) <= MAX_DIAGNOSES + 1, len(shown)


def test_pentest_h1_a_save_decides_before_the_write_transaction_opens(
    clinician, signer, monkeypatch
):
    """H1: the decision ran inside BEGIN IMMEDIATE, so a slow one locked every other user out.
    The rules now run with no transaction open, and the stored decision is the same."""
    from dme_service.db import get_session
    from dme_service.services.cases import decide

    client, _ = clinician
    case_id = standard_case(client, signer)
    in_transaction = []
    real = decide.evaluate
    monkeypatch.setattr(
        decide,
        "evaluate",
        lambda parsed: in_transaction.append(get_session().in_transaction()) or real(parsed),
    )
    response = post_section(client, case_id, "prescription", {**REQUEST, "request-force_lb": "11"})
    assert response.status_code == 303, re.findall(r"field-error[^>]*>([^<]*)", response.text)
    assert in_transaction == [False]
    assert "Eligible" in client.get(f"/cases/{case_id}").get_data(as_text=True)
