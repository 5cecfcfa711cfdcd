"""A GET of the case page shows each section from plain views (shown_forms.py) exactly as the
WTForms section forms filled from the stored case show it: field by field (name, id, label,
data, number, errors, checked and selected, the control's HTML) and as a whole page."""

from __future__ import annotations

import re

import pytest
from flask_login import login_user

from dme_service.db import get_session
from dme_service.models import User
from dme_service.services.cases import reading as case_reading
from dme_service.store.cases import load_case, to_document
from dme_service.web.pages.cases import page as case_page
from dme_service.web.pages.cases.page import SECTION_FORMS, form_data
from dme_service.web.pages.cases.shown_forms import form_view
from dme_service.web.pages.cases.views import render_case
from dme_service.web.pages.cases.widgets import field_html
from web.pages.cases.test_views import clinician as clinician  # noqa: F401 (fixture)
from web.pages.cases.test_views import post_section, signer, standard_case  # noqa: F401

ATTRS = [None, {"class": "input", "autocomplete": "off", "aria-describedby": "x-hint"}]
# What a clinician fills in beyond the standard case: the history, a second diagnosis, a
# clinic trial (its home-unit questions hidden), a blank-answer trial, prior units, the ABN.
RICH = {
    "history": {
        "history-physical_therapy_weeks": "6",
        "history-physical_therapy_traction": "without",
        "history-physical_therapy_result": 'pain "unchanged" <NPRS 7> & worse',
        "history-spurling_test": "positive",
        "history-imaging_kind": "mri",
        "history-imaging_date": "2026-08-01",
        "history-ndi_percent": "42",
        "history-psfs_average": "4.5",
    },
    "diagnoses": {"dx-codes-0": "M50122", "dx-codes-1": "M47.812"},
    "trials": {
        "trials-rows-0-date": "2026-10-02",
        "trials-rows-0-device": "E0860",
        "trials-rows-0-position": "seated",
        "trials-rows-0-force_lb": "12.5",
        "trials-rows-0-minutes": "15",
        "trials-rows-0-pain_before": "7",
        "trials-rows-0-pain_after": "3",
        "trials-rows-0-peripheralization": "no",
        "trials-rows-0-new_neuro_signs": "no",
        "trials-rows-0-use_demonstrated": "yes",
        "trials-rows-0-tolerated": "no",
        "trials-rows-0-note": "chin strap <loose>",
        "trials-rows-1-date": "2026-09-28",
        "trials-rows-1-device": "mechanical",
        "trials-rows-1-force_lb": "15.0",
        "trials-rows-1-minutes": "10",
        "trials-rows-1-pain_before": "6",
        "trials-rows-1-pain_after": "6",
        "trials-rows-1-peripheralization": "yes",
        "trials-rows-1-new_neuro_signs": "no",
    },
    "order": {
        "order-onset_date": "2026-07-01",
        "order-abn_on_file": "y",
        "order-also_requested": "home_lumbar_traction",
        "order-prior-0-hcpcs": "E0849",
        "order-prior-0-date": "2020-01-15",
    },
}


def wtforms_sections(case, signers) -> dict:
    """The section forms as the page built them with WTForms before the plain views."""
    document = to_document(case)
    forms = {
        section: form_class.make(data=form_data(section, case, document), meta={"csrf": False})
        for section, form_class in SECTION_FORMS.items()
    }
    forms["order"].set_signers(signers)
    return forms


def leaves(form):
    """Every field a form shows, lists and rows opened, in page order."""
    for field in form:
        if isinstance(field, list) or hasattr(field, "entries"):
            for entry in field if isinstance(field, list) else field.entries:
                inner = getattr(entry, "form", None)
                yield from leaves(inner) if inner is not None else [entry]
        elif field.type != "CSRFTokenField":
            yield field


def options(field) -> list:
    return list(field) if field.type in ("YesNo", "MultiCheckbox") else []


@pytest.fixture
def rich_case(app, clinician, signer):  # noqa: F811 (fixtures)
    client, user = clinician
    case_id = standard_case(client, signer)
    for section, data in RICH.items():
        response = post_section(client, case_id, section, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 303, (section, re.findall(r"field-error[^<]*<", page))
    return case_id, user


@pytest.mark.parametrize("which", ["rich", "draft"])
def test_every_field_shows_what_the_wtforms_form_showed(app, rich_case, clinician, which):  # noqa: F811
    client, user = clinician
    case_id = rich_case[0] if which == "rich" else _draft(client)
    with app.test_request_context():
        login_user(get_session().get(User, user.id))
        case = load_case(get_session(), user, case_id)
        signers = case_reading.signers(get_session(), user.clinic_id)
        document = to_document(case)
        old = wtforms_sections(case, signers)
        new = case_page.section_forms(case, signers, {})
        for section, form_class in SECTION_FORMS.items():
            assert type(new[section]).__name__ == "FormView", section
            shown = {field.name: field for field in leaves(new[section])}
            made = [field for field in leaves(old[section])]
            assert list(shown) == [field.name for field in made], section
            for field in made:
                view = shown[field.name]
                assert (view.id, view.label.text) == (field.id, field.label.text), field.name
                assert view.data == field.data, field.name
                assert view.errors == list(field.errors) == [], field.name
                if field.type in ("NumberText", "WholeText"):
                    assert view.value == field.value, field.name
                # A radio group or check list is shown option by option (below).
                for attrs in ATTRS if not options(field) else ():
                    expected = str(field(**(attrs or {})))
                    assert str(field_html(view, attrs)) == expected, field.name
                made_options, shown_options = options(field), options(view)
                assert len(made_options) == len(shown_options), field.name
                for made_option, shown_option in zip(made_options, shown_options, strict=True):
                    assert shown_option.checked == made_option.checked, made_option.id
                    assert str(field_html(shown_option, {"data-absolute": "yes"})) == str(
                        made_option(**{"data-absolute": "yes"})
                    )
            # The same views are what a fresh build gives (nothing kept between requests).
            again = form_view(form_class, form_data(section, case, document), section)
            assert [f.data for f in leaves(again)] == [f.data for f in leaves(new[section])]


def test_the_page_is_the_page_the_wtforms_forms_made(app, rich_case, clinician):  # noqa: F811
    client, user = clinician
    case_id = rich_case[0]
    with app.test_request_context(f"/cases/{case_id}"):
        login_user(get_session().get(User, user.id))
        case = load_case(get_session(), user, case_id)
        signers = case_reading.signers(get_session(), user.clinic_id)
        shown, _ = render_case(case)
        made, _ = render_case(case, bound=wtforms_sections(case, signers))
    ticket = re.compile(r'name="page_ticket" value="[^"]*"')
    shown, made = ticket.sub("", shown), ticket.sub("", made)
    # The rich case shows what it was given (the comparison is not of two empty pages).
    for value in ('value="12.5"', "chin strap &lt;loose&gt;", 'selected value="E0849"', "checked"):
        assert value in shown
    assert shown == made


def _draft(client) -> int:
    from web.pages.cases.test_views import create

    return create(client)
