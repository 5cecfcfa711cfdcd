"""The same patient again through the web, the JSON API and the command line: the case page
lists the patient's other cases with links and shows the carried prior device with its source;
removing it needs a reason; the API's and the command line's create say so too."""

from __future__ import annotations

import json
import re

import pytest
from sample_case import NOW, a_case, case_doc
from services.claim_cases import stored_case
from sqlalchemy import select

from dme_service import fhir
from dme_service.cli import main
from dme_service.db import get_session
from dme_service.models import AuditEvent, BillingEvent, CarriedPriorDevice, Case
from dme_service.rules.engine import evaluate
from web.api_helpers import bearer, token_for
from web.pages.cases.test_views import NEW_CASE, case_count, create

DELIVERED = "2026-11-20"


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


@pytest.fixture
def earlier(app, make_user, clinician):
    """The patient's earlier case in the clinic, paid, with proof of delivery on file."""
    _, author = clinician
    signer = make_user("practitioner", credential="MD", name="Sam Lee")
    billing = make_user("billing")
    with app.app_context():
        session = get_session()
        case = stored_case(session, author, signer)
        session.add(
            BillingEvent(
                case_id=case.id,
                from_state="submitted",
                to_state="paid",
                user_id=billing.id,
                delivery={"date": DELIVERED, "method": "in_clinic", "received_by": "Jane"},
            )
        )
        case.billing_state = "paid"
        session.commit()
        return case.id


def carried_id(app, case_id):
    with app.app_context():
        return get_session().scalar(
            select(CarriedPriorDevice.id).where(CarriedPriorDevice.case_id == case_id)
        )


def test_the_new_case_page_names_the_earlier_case_and_carries_its_unit(clinician, earlier):
    client, _ = clinician
    case_id = create(
        client,
        member_id="1eg4 te5 mk73",
        idempotency_key="k-same-1",
        same_patient_confirmed="k-same-1",
    )
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "This patient already has 1 other case in your clinic" in page
    assert f'href="/cases/{earlier}"' in page
    assert "Prior device E0860" in page and "delivered by this clinic on" in page
    assert f"case #{earlier}" in page
    # The carried unit is shown apart, not as a typed row of the order form.
    row = re.search(r'name="order-prior-0-hcpcs"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert '<option selected value="">Choose</option>' in row


def test_a_known_patient_is_created_again_only_when_asked_and_once_per_form(
    app, clinician, earlier
):
    client, _ = clinician
    asked = client.post("/cases/new", data={**NEW_CASE, "idempotency_key": "k-ask-1"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and case_count(app) == 1
    assert "Not created yet: this patient already has 1 case in your clinic" in page
    assert f'href="/cases/{earlier}"' in page and 'value="Jane Q. Doe"' in page
    assert 'name="same_patient_confirmed" value="k-ask-1"' in page
    confirmed = {**NEW_CASE, "idempotency_key": "k-ask-1", "same_patient_confirmed": "k-ask-1"}
    first = client.post("/cases/new", data=confirmed)
    again = client.post("/cases/new", data=confirmed)  # the same submission sent twice
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] and case_count(app) == 2
    # The form opened again has a new key: the earlier answer does not hold for it.
    reloaded = {**NEW_CASE, "idempotency_key": "k-ask-2", "same_patient_confirmed": "k-ask-1"}
    response = client.post("/cases/new", data=reloaded)
    assert response.status_code == 200 and case_count(app) == 2
    assert "Not created yet: this patient already has 2 cases" in response.get_data(as_text=True)


def test_a_first_case_shows_no_same_patient_card(clinician):
    client, _ = clinician
    case_id = create(client, idempotency_key="k-same-2")
    assert 'id="same-patient"' not in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_removing_the_carried_unit_needs_a_reason_and_shows_who_and_why(app, clinician, earlier):
    client, user = clinician
    case_id = create(client, idempotency_key="k-same-3", same_patient_confirmed="k-same-3")
    row = carried_id(app, case_id)
    version = re.search(
        r'name="patient-version" type="hidden" value="(\d+)"',
        client.get(f"/cases/{case_id}").get_data(as_text=True),
    ).group(1)
    url = f"/cases/{case_id}/prior-devices/{row}/remove"

    refused = client.post(url, data={"version": version, "reason": "  "})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Say why this unit is not a prior device" in page
    assert 'aria-invalid="true"' in page

    done = client.post(url, data={"version": version, "reason": "Returned unopened"})
    assert done.status_code == 303
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "was removed from the prior devices by" in page and "Returned unopened" in page
    with app.app_context():
        assert get_session().get(Case, case_id).prior_devices == []


def test_billing_may_not_remove_a_carried_unit(app, signed_in, clinician, earlier):
    client, _ = clinician
    case_id = create(client, idempotency_key="k-same-4", same_patient_confirmed="k-same-4")
    biller, _ = signed_in("billing")
    url = f"/cases/{case_id}/prior-devices/{carried_id(app, case_id)}/remove"
    assert biller.post(url, data={"version": "1", "reason": "x"}).status_code == 403


def test_the_api_create_answers_with_the_same_patient_warning(
    db_session, clinician, earlier, make_user
):
    client, user = clinician
    practitioner = make_user("practitioner", credential="MD")
    headers = bearer(token_for(db_session, user))
    doc = case_doc(**{"treating_practitioner.npi": practitioner.npi})
    doc["patient"]["member_id"] = "1EG4-TE5-MK73"
    response = client.post("/api/v1/cases", json=doc, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    same = body["same_patient"]
    assert same["other_cases"][0]["id"] == earlier
    assert same["carried_prior_devices"] == [
        {"hcpcs": "E0860", "date": DELIVERED, "source_case_id": earlier}
    ]
    assert f"case {earlier}" in same["warning"]
    assert {"hcpcs": "E0860", "date": DELIVERED} in body["case"]["prior_devices"]
    codes = [w["code"] for w in body["decision"]["warnings"]]
    assert "SAME_OR_SIMILAR" in codes


def test_the_command_line_warns_and_still_creates(
    app, monkeypatch, database_url, clinician, earlier, make_user, tmp_path, capsys
):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    _, user = clinician
    practitioner = make_user("practitioner", credential="MD")
    parsed = a_case(**{"treating_practitioner.npi": practitioner.npi})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fhir.bundle_json(parsed, evaluate(parsed), now=NOW, key="e")))
    assert main(["import-fhir", str(path), "--user", user.email]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["same_patient"]["other_cases"][0]["id"] == earlier
    assert "warning: This patient already has 1 other case" in captured.err
    assert result["same_patient"]["carried_prior_devices"][0]["date"] == DELIVERED


# --- the new-case form's look-up ------------------------------------------------------------


def test_the_new_case_form_look_up_lists_the_patients_cases(app, clinician, earlier):
    client, _ = clinician
    found = client.post(
        "/cases/same-patient", data={"member_id": "1eg4-te5-mk73", "date_of_birth": "1958-03-14"}
    )
    assert found.status_code == 200
    (case,) = found.get_json()["cases"]
    assert case["id"] == earlier and case["url"] == f"/cases/{earlier}"
    assert case["words"].startswith(f"Case #{earlier}: E0860, begun ")
    assert case["words"].endswith(", delivered Nov 20, 2026")
    with app.app_context():
        actions = get_session().scalars(select(AuditEvent.action)).all()
    assert "case.same_patient.lookup" in actions


@pytest.mark.parametrize(
    "data",
    [
        {"member_id": "1EG4TE5MK73", "date_of_birth": "1958-03-15"},
        {"member_id": "1EG4TE5MK73", "date_of_birth": "not a date"},
        {"member_id": "", "date_of_birth": "1958-03-14"},
    ],
)
def test_the_look_up_finds_nothing_for_another_or_half_typed_patient(clinician, earlier, data):
    client, _ = clinician
    assert client.post("/cases/same-patient", data=data).get_json() == {"cases": []}


def test_billing_may_not_look_patients_up(signed_in):
    biller, _ = signed_in("billing")
    data = {"member_id": "1EG4TE5MK73", "date_of_birth": "1958-03-14"}
    assert biller.post("/cases/same-patient", data=data).status_code == 403


# --- billing's pages ------------------------------------------------------------------------


def test_billing_queue_and_claim_page_warn_of_a_duplicate_claim(app, signed_in, make_user):
    clinician = make_user("clinician", credential="PT")
    signer = make_user("practitioner", credential="MD")
    with app.app_context():
        session = get_session()
        first = stored_case(session, clinician, signer).id
        second = stored_case(session, clinician, signer).id
    biller, _ = signed_in("billing")
    claim = biller.get(f"/billing/cases/{second}").get_data(as_text=True)
    assert "The same patient has another claim in this clinic" in claim
    assert f"Possible duplicate claim: case #{first} (E0860)" in claim
    queue = biller.get("/billing/").get_data(as_text=True)
    assert f"case #{second} (E0860) for the same patient is also open" in queue
