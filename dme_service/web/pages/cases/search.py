"""The case list's search form: whose cases, patient name, date of birth, payer and status.

The search is sent by POST so names and dates of birth never appear in a URL or an access log
(docs/security.md LOG-3).
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import DateInput

from dme_service.rules.wording import PAYER_NAMES
from dme_service.services.cases.reading import CaseSearch
from dme_service.web.pages.cases.inputs import STATUS_WORDS, select_choices


class SearchForm(FlaskForm):
    scope = RadioField(
        "Whose cases",
        choices=select_choices([("mine", "My cases"), ("clinic", "All cases of the clinic")]),
        default="mine",
    )
    name = StringField("Patient name contains", [Length(max=200)])
    date_of_birth = StringField("Date of birth", [Length(max=20)], widget=DateInput())
    payer = SelectField(
        "Payer", choices=select_choices([("", "Any payer"), *PAYER_NAMES.items()]), default=""
    )
    status = SelectField(
        "Decision",
        choices=select_choices([("", "Any decision"), *STATUS_WORDS.items()]),
        default="",
    )

    def validate_date_of_birth(self, field) -> None:
        if (field.data or "").strip():
            try:
                date.fromisoformat(field.data.strip())
            except ValueError:
                raise ValidationError("Enter the date of birth as YYYY-MM-DD.") from None


def search_from(form: SearchForm) -> CaseSearch:
    born = (form.date_of_birth.data or "").strip()
    return CaseSearch(
        mine=form.scope.data != "clinic",
        name=(form.name.data or "").strip(),
        date_of_birth=date.fromisoformat(born) if born else None,
        payer=form.payer.data or "",
        status=form.status.data or "",
    )


def default() -> CaseSearch:
    """Before any search: the user's own cases."""
    return CaseSearch(mine=True)


def failure_context() -> dict:
    return {"cases": [], "flagged": set(), "title": "Cases"}
