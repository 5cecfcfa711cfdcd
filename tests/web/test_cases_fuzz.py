"""IN-3 for the case forms: any text in any field answers 200 with errors, 303 or 409, never
5xx; a refused save writes nothing."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import Case

NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e12",
            "😀",
            "1e309",
            "-3",
            "11",
            "'; DROP TABLE cases;--",
            "{{ 7*7 }}",
            "x" * 10_000,
            "2026-02-30",
            "2099-01-01",
            "M50.12",
            "yes",
            "no",
        ]
    ),
)
TRIAL_FIELDS = (
    "date",
    "device",
    "position",
    "force_lb",
    "minutes",
    "pain_before",
    "pain_after",
    "peripheralization",
    "new_neuro_signs",
    "use_demonstrated",
    "tolerated",
)
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _case_and_version(client):
    response = client.post(
        "/cases/new",
        data={
            "name": "Fuzz Patient",
            "date_of_birth": "1960-01-01",
            "member_id": "W1",
            "payer": "aetna",
            "idempotency_key": "fuzz-key",
        },
    )
    case_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    return case_id


@given(values=st.fixed_dictionaries({name: NASTY for name in TRIAL_FIELDS}))
@SETTINGS
def test_any_trial_input_is_never_a_server_error(signed_in, app, values):
    client, _ = signed_in("clinician", credential="PT")
    case_id = _case_and_version(client)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    version = re.search(r'name="trials-version" type="hidden" value="(\d+)"', page).group(1)
    data = {f"trials-rows-0-{k}": v for k, v in values.items()} | {"trials-version": version}
    response = client.post(f"/cases/{case_id}/sections/trials", data=data)
    assert response.status_code in (200, 303)
    if response.status_code == 200:
        with app.app_context():
            case = get_session().scalar(select(Case).where(Case.id == case_id))
            assert case.trials == [] and str(case.version) == version


@given(
    values=st.fixed_dictionaries(
        {name: NASTY for name in ("name", "date_of_birth", "member_id", "payer", "weight_lb")}
    )
)
@SETTINGS
def test_any_new_case_input_is_never_a_server_error(signed_in, values):
    client, _ = signed_in("clinician", credential="PT")
    response = client.post("/cases/new", data={**values, "idempotency_key": "k"})
    assert response.status_code in (200, 303)
