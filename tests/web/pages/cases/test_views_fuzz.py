"""IN-3 for the case forms: any text in any field of any case form answers 200 with errors,
303 or 409, never 5xx; a refused save writes nothing (the version does not move)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dme_service.db import get_session
from dme_service.models import Case
from dme_service.web.pages.cases.forms import NewCaseForm
from dme_service.web.pages.cases.page import SECTION_FORMS
from dme_service.web.pages.cases.search import SearchForm

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
            "0",
            "'; DROP TABLE cases;--",
            "{{ 7*7 }}",
            "x" * 10_000,
            "2026-02-30",
            "2099-01-01",
            "M50.12",
            "M50122",
            "yes",
            "no",
            "E0860",
            "medicare",
            "999999",
        ]
    ),
)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def leaf_names(form) -> list[str]:
    """Every input name a form posts (its first row for repeated rows), CSRF and version aside."""
    names = []
    for field in form:
        if hasattr(field, "entries"):
            entry = field.entries[0]
            names += leaf_names(entry.form) if hasattr(entry, "form") else [entry.name]
        elif field.type not in ("CSRFTokenField", "HiddenField"):
            names.append(field.name)
    return names


def form_fields(app, form_class, **kwargs) -> list[str]:
    with app.test_request_context():
        return leaf_names(form_class(formdata=None, **kwargs))


@pytest.fixture
def case_client(signed_in):
    client, _ = signed_in("clinician", credential="PT")
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
    return client, int(response.headers["Location"].rsplit("/", 1)[-1])


@pytest.mark.parametrize("section", list(SECTION_FORMS))
def test_any_section_input_is_never_a_server_error(app, case_client, section):
    client, case_id = case_client
    form_class = SECTION_FORMS[section]
    names = form_fields(app, form_class, prefix=form_class.prefix_name)

    @given(values=st.fixed_dictionaries({name: NASTY for name in names}))
    @SETTINGS
    def post_anything(values):
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        # The page is one form (issue 15): its one version, and this section's Save pressed.
        version = re.search(r'name="patient-version" type="hidden" value="(\d+)"', page).group(1)
        data = {**values, "patient-version": version, "section": section}
        response = client.post(f"/cases/{case_id}/save", data=data)
        assert response.status_code in (200, 303)
        if response.status_code == 200:
            with app.app_context():
                case = get_session().scalar(select(Case).where(Case.id == case_id))
                assert str(case.version) == version  # refused: nothing written

    post_anything()


def test_any_new_case_input_is_never_a_server_error(app, signed_in):
    client, _ = signed_in("clinician", credential="PT")
    names = form_fields(app, NewCaseForm)

    @given(values=st.fixed_dictionaries({name: NASTY for name in names}), key=st.uuids())
    @SETTINGS
    def post_anything(values, key):
        response = client.post("/cases/new", data={**values, "idempotency_key": str(key)})
        assert response.status_code in (200, 303)

    post_anything()


def test_any_search_input_is_never_a_server_error(app, signed_in):
    client, _ = signed_in("clinician", credential="PT")
    names = form_fields(app, SearchForm)

    @given(values=st.fixed_dictionaries({name: NASTY for name in names}))
    @SETTINGS
    def post_anything(values):
        assert client.post("/cases", data=values).status_code == 200

    post_anything()
