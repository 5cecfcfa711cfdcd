"""The case page's fast widgets write exactly what WTForms writes (widgets.field_html)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from dme_service.web.pages.cases.page import SECTION_FORMS
from dme_service.web.pages.cases.widgets import field_html, label_html

TYPED = MultiDict(
    {
        "patient-name": 'Jane "Q" <Doe> & Co',
        "patient-payer": "medicare",
        "patient-date_of_birth": "1958-03-14",
        "dx-codes-0": "M50.122",
        "trials-rows-0-date": "2026-10-02",
        "trials-rows-0-device": "E0860",
        "trials-rows-0-pain_before": "7",
        "trials-rows-0-use_demonstrated": "yes",
        "trials-rows-0-remove": "y",
        "trials-rows-1-device": "mechanical",
        "screening-myelopathy": "no",
        "screening-glaucoma": "yes",
        "request-hcpcs": "E0849",
        "request-force_lb": "twelve",
        "order-treating_practitioner": "7",
        "order-abn_on_file": "y",
        "order-also_requested": "inversion_table",
        "order-prior-0-hcpcs": "E0860",
    }
)
ATTRS = [{}, {"class": "input", "autocomplete": "off", "aria-describedby": "x-hint"}]


class Signer:
    id, name, credential, npi = 7, "Sam <Lee>", "MD", "1234567893"


def leaves(form):
    for field in form:
        if hasattr(field, "entries"):
            for entry in field.entries:
                yield from leaves(entry.form) if hasattr(entry, "form") else [entry]
        elif field.type in ("YesNo", "RadioField", "MultiCheckbox"):
            yield from field
        else:
            yield field


@pytest.mark.parametrize("section", list(SECTION_FORMS))
@pytest.mark.parametrize("formdata", [None, TYPED], ids=["stored", "typed"])
def test_field_html_writes_what_wtforms_writes(app, section, formdata):
    with app.test_request_context():
        form = SECTION_FORMS[section].make(formdata=formdata, meta={"csrf": False})
        if section == "order":
            form.set_signers([Signer()])
        if section == "trials" and formdata is not None:
            form.add_row()
        for field in leaves(form):
            for attrs in ATTRS:
                assert str(field_html(field, attrs)) == str(field(**attrs)), field.name
            if hasattr(field, "label") and field.type != "CSRFTokenField":
                expected = field.label(class_="label")
                assert str(label_html(field, "label")) == str(expected), field.name
                assert str(label_html(field, "label", "Other <b>")) == str(
                    field.label(text="Other <b>", class_="label")
                )
