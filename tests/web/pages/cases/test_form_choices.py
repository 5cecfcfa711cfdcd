"""Every form of the web package declares its choices as WTForms `SelectChoice`: tuple choices
are deprecated in WTForms 3.3 and removed in 3.4, so a tuple left anywhere breaks its page then.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings

import pytest
from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.fields.choices import SelectChoice, SelectFieldBase

import dme_service.web


def subclasses(cls: type) -> set[type]:
    direct = set(cls.__subclasses__())
    return direct.union(*(subclasses(sub) for sub in direct))


def web_forms() -> list[type[Form]]:
    """Every form class defined in a module of dme_service.web."""
    # Every module below the package, pages and API included: the package's own init imports
    # none of them, so listing only its direct modules found no form at all.
    for module in pkgutil.walk_packages(dme_service.web.__path__, "dme_service.web."):
        importlib.import_module(module.name)
    found = [cls for cls in subclasses(Form) if cls.__module__.startswith("dme_service.web.")]
    assert found, "no form class found under dme_service.web: the test would check nothing"
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def select_fields(form):
    """The form's choice fields, rows of field lists and sub-forms included."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from select_fields(entry.form if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            yield from select_fields(field.form)
        elif isinstance(field, SelectFieldBase):
            yield field


@pytest.mark.parametrize("form_class", web_forms(), ids=lambda cls: cls.__qualname__)
def test_form_declares_its_choices_without_deprecated_tuples(app, form_class):
    with app.test_request_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", "Passing SelectField choices", DeprecationWarning)
        form = form_class()
        for field in select_fields(form):
            kinds = {type(choice).__name__ for choice in field.choices or []}
            assert kinds <= {SelectChoice.__name__}, (field.name, kinds)
