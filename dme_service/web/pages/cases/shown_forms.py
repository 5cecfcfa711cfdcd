"""The case page's section forms as a GET shows them: plain views of the stored case, built
without WTForms (the page in at most 15 ms of server CPU; building the six WTForms forms, about
350 forms and 9,000 fields with the trial rows, cost about a fifth of it).

A view holds what the templates read of a field (name, id, label, data, errors, a number's
value, a radio group's options) and writes its control as `widgets.field_html` writes the
field's. What a field is (its label, widget, choices, maxlength and other attributes) is read
once per process from a blank WTForms form of the section, so the forms stay the one place
that says it; what it holds is the case's value turned as the field's `process_data` turns it.
A POST (a save, "add a trial row", a failed save shown again) still binds the WTForms forms,
which check and convert what was typed, and the page renders those.
"""

from __future__ import annotations

import functools
import threading
import types
from typing import Any

from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.widgets import Input, Select

from dme_service.web.pages.cases.inputs import NumberText, YesNo, YesNoSelect, _shown
from dme_service.web.pages.cases.widgets import ShownField, _attributes, _options, _params

# --- what each field is, read once per process from a blank form ----------------------


class Spec:
    """One field of a section form as WTForms defines it: how it is shown, not what it holds."""

    __slots__ = (
        "kind",
        "field_class",
        "label",
        "type",
        "short_name",
        "static",
        "choices",
        "default",
        "held",
        "number",
    )

    def __init__(self, field) -> None:
        self.field_class = type(field)
        self.held = _holder(type(field))
        self.number = isinstance(field, NumberText)
        self.default = field.default
        self.type = field.type
        self.short_name = field.short_name
        self.label = field.label.text if hasattr(field, "label") else ""
        self.choices: tuple[tuple[str, str], ...] = ()
        self.static: dict = {}
        widget = field.widget
        if isinstance(field, RadioField | SelectMultipleField) and not isinstance(widget, Select):
            self.kind = "options"  # a radio group or a list of check boxes
            self.choices = _choice_pairs(field)
            option_widget = field.option_widget
            self.static = {"type": option_widget.input_type}
        elif type(widget) is Select and not field.has_groups():
            self.kind = "select"
            self.choices = _choice_pairs(field)
            self.static = _params(field, widget, {})
            del self.static["id"]
        elif isinstance(widget, Input):
            self.kind = "check" if isinstance(field, BooleanField) else "input"
            self.static = _params(field, widget, {})
            del self.static["id"]
            self.static.setdefault("type", widget.input_type)
        else:
            raise TypeError(f"{field.name}: no plain view for {type(widget).__name__}")


def _choice_pairs(field) -> tuple[tuple[str, str], ...]:
    return tuple((str(c.value), str(c.label)) for c in (field.choices or ()))


class FormSpec:
    """A form's fields, in order: a Spec, a list's (entry spec, min entries) or a row's."""

    __slots__ = ("form_class", "fields")

    def __init__(self, form) -> None:
        self.form_class = type(form)
        self.fields: dict[str, Any] = {}
        for field in form:
            if field.type == "CSRFTokenField":
                continue
            if isinstance(field, FieldList):
                entry = field.entries[0]
                inner = FormSpec(entry.form) if isinstance(entry, FormField) else Spec(entry)
                self.fields[field.short_name] = ListSpec(field.short_name, inner, field)
            else:
                self.fields[field.short_name] = Spec(field)


class ListSpec:
    __slots__ = ("short_name", "entry", "min_entries", "default")

    def __init__(self, short_name: str, entry, field: FieldList) -> None:
        self.short_name = short_name
        self.entry = entry
        self.min_entries = field.min_entries
        self.default = field.default


_specs: dict[type, FormSpec] = {}
_specs_lock = threading.Lock()


def spec_of(form_class) -> FormSpec:
    """The section form's fields, read from one blank form (the first request builds it)."""
    found = _specs.get(form_class)
    if found is None:
        with _specs_lock:
            blank = form_class.make(data={}, meta={"csrf": False})
            found = _specs.setdefault(form_class, FormSpec(blank))
    return found


# --- what each field holds, as its process_data would turn the stored value ------------

_UNSET = object()


def _as_choice(value: Any) -> Any:
    return str(value) if value is not None else None


def _as_choices(value: Any) -> Any:
    try:
        return [str(v) for v in value]
    except (ValueError, TypeError):
        return None


# Each field class's process_data, written for the stored value (WTForms 3.3): a field whose
# class turns its value some other way has no plain view and the page says so at once.
_HELD = {
    Field.process_data: lambda value: value,
    BooleanField.process_data: bool,
    SelectField.process_data: _as_choice,
    SelectMultipleField.process_data: _as_choices,
    YesNo.process_data: lambda value: {True: "yes", False: "no"}.get(value, value),
    YesNoSelect.process_data: lambda value: {True: "yes", False: "no", None: ""}.get(value, value),
    NumberText.process_data: lambda value: "" if value is None else _shown(value),
}


def _holder(field_class: type):
    try:
        return _HELD[field_class.process_data]
    except KeyError:
        raise TypeError(f"{field_class.__name__}: no plain view of its data") from None


def _default(spec: Spec) -> Any:
    default = spec.default
    return default() if callable(default) else default


class Words:
    """A field's label words (what templates read as `field.label.text`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class FieldView(ShownField):
    """A field as the page shows it: its name, id, label and data; no errors on a GET."""

    __slots__ = ("spec", "name", "id", "data", "value", "errors", "label", "choices")

    def __init__(self, spec: Spec, name: str, value: Any) -> None:
        self.spec = spec
        self.name = name
        self.id = name
        self.label = Words(spec.label)
        self.errors: list[str] = []
        self.choices = spec.choices
        if value is _UNSET:
            value = _default(spec)
        # A number typed as text keeps the number too (NumberText.value).
        self.value = value if spec.number else None
        self.data = spec.held(value)

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def short_name(self) -> str:
        return self.spec.short_name

    def __iter__(self):
        """A radio group's or check list's options (what iterating the WTForms field gives)."""
        spec = self.spec
        if spec.kind != "options":
            return iter(())
        data = self.data
        chosen = set(data or ()) if isinstance(data, list) else {data}
        return iter(
            OptionView(self, index, value, label, value in chosen)
            for index, (value, label) in enumerate(self.choices)
        )

    def control(self, attrs: dict | None) -> Markup:
        """The input or select, as `widgets.field_html(field, attrs)` writes the field's."""
        spec = self.spec
        params = dict(spec.static)
        if attrs:
            params.update(attrs)
        params.setdefault("id", self.id)
        if spec.kind == "select":
            params["name"] = self.name
            selected = str(self.data) if self.data is not None else None
            html = [f"<select {_attributes(params)}>"]
            for value, plain, chosen in _options(self.choices):
                html.append(chosen if value == selected else plain)
            html.append("</select>")
            # Every value and label above went through markupsafe.escape.
            return Markup("".join(html))  # noqa: S704  # nosec B704
        if spec.kind == "check":
            if self.data:
                params["checked"] = True
            params.setdefault("value", "y")
        elif "value" not in params:
            params["value"] = "" if self.data is None else str(self.data)
        params["name"] = self.name
        # _attributes escapes every value; the keys are the code's own attribute names.
        return Markup(f"<input {_attributes(params)}>")  # noqa: S704  # nosec B704

    def block(self, render, args: tuple) -> Markup:
        """The whole field as `render(self, *args)` writes it (the blocks of
        widgets.text_field and the like), from markup kept per process: for a text input
        everything but the value, which is escaped into it here; for a select, radio group or
        check box the whole block, kept only when what it holds is one of its own choices (or
        checked or not). Nothing typed about a patient is kept between requests."""
        spec = self.spec
        if spec.kind == "input":
            before, after = _around_value(render, spec, self.name, args)
            text = "" if self.data is None else str(self.data)
            # The markup around the value is the code's own, written by `render`.
            return Markup(f"{before}{escape(text)}{after}")  # noqa: S704  # nosec B704
        data = self.data
        if _is_own_choice(spec, self.choices, data):
            return _whole(render, spec, self.name, self.choices, data, args)
        return render(self, *args)


_VALUE_MARK = "\x00value\x00"


@functools.lru_cache(maxsize=2048)
def _around_value(render, spec: Spec, name: str, args: tuple) -> tuple[str, str]:
    """The markup of a text field's block before and after its value."""
    marked = FieldView(spec, name, _VALUE_MARK)
    html = str(render(marked, *args))
    before, mark, after = html.partition(_VALUE_MARK)
    if not mark or _VALUE_MARK in after:
        raise ValueError(f"{name}: the value is not written once in its block")
    return before, after


def _is_own_choice(spec: Spec, choices, data) -> bool:
    if spec.kind == "check":
        return isinstance(data, bool)
    if data is None:
        return True
    values = [value for value, _ in choices]
    if isinstance(data, list):
        return all(item in values for item in data)
    return data in values


@functools.lru_cache(maxsize=2048)
def _whole(render, spec: Spec, name: str, choices, data, args: tuple) -> Markup:
    shown = FieldView(spec, name, _UNSET)
    shown.choices, shown.data = choices, data
    return render(shown, *args)


class OptionView(ShownField):
    """One radio button or check box of a group."""

    __slots__ = ("group", "id", "data", "label", "checked")

    def __init__(self, group: FieldView, index: int, value: str, label: str, checked: bool):
        self.group = group
        self.id = f"{group.id}-{index}"
        self.data = value
        self.label = Words(label or value)
        self.checked = checked

    @property
    def name(self) -> str:
        return self.group.name

    @property
    def errors(self) -> list[str]:
        return []

    def control(self, attrs: dict | None) -> Markup:
        params = dict(attrs or {})
        params.setdefault("id", self.id)
        if self.checked:
            params["checked"] = True
        params.setdefault("type", self.group.spec.static["type"])
        params.setdefault("value", self.data)
        params["name"] = self.group.name
        # _attributes escapes every value; the keys are the code's own attribute names.
        return Markup(f"<input {_attributes(params)}>")  # noqa: S704  # nosec B704


ASKED = frozenset({"is_blank", "is_clinic_trial"})


class FormView:
    """A section form or a row of one, as the templates read it: fields by name (attribute
    or item), and the form class's own questions (is_blank, is_clinic_trial) asked of it."""

    def __init__(self, form_class, fields: dict[str, Any], section: str | None = None) -> None:
        self.__dict__.update(fields)
        self._fields = fields
        self._form_class = form_class
        self.section = section

    @property
    def form(self) -> FormView:
        """A row is its own form (a WTForms list entry's `.form`)."""
        return self

    def __getitem__(self, name: str):
        return self._fields[name]

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def __iter__(self):
        return iter(self._fields.values())

    def __getattr__(self, name: str):
        # Not a field: one of the questions the templates ask of a row (TrialRow's own
        # is_blank and is_clinic_trial), answered by the form class's method on this view.
        if name not in ASKED:
            raise AttributeError(name)
        return types.MethodType(getattr(self._form_class, name), self)


def form_view(form_class, data: dict[str, Any], section: str | None = None) -> FormView:
    """A section form showing `data` (page.form_data), as `form_class.make(data=data)` would."""
    spec = spec_of(form_class)
    prefix = f"{form_class.prefix_name}-"
    return _view_of(spec, prefix, data, section)


def _view_of(spec: FormSpec, prefix: str, data: dict, section: str | None) -> FormView:
    fields: dict[str, Any] = {}
    for short_name, field_spec in spec.fields.items():
        name = prefix + short_name
        value = data.get(short_name, _UNSET)
        if isinstance(field_spec, ListSpec):
            fields[short_name] = _entries(field_spec, name, value)
        else:
            fields[short_name] = FieldView(field_spec, name, value)
    return FormView(spec.form_class, fields, section)


def _entries(spec: ListSpec, name: str, values: Any) -> list:
    if values is _UNSET:
        values = spec.default() if callable(spec.default) else (spec.default or ())
    entries: list = []
    for index, value in enumerate(values):
        entries.append(_entry(spec, f"{name}-{index}", value))
    while len(entries) < spec.min_entries:
        entries.append(_entry(spec, f"{name}-{len(entries)}", _UNSET))
    return entries


def _entry(spec: ListSpec, name: str, value: Any):
    if isinstance(spec.entry, FormSpec):
        row = value if isinstance(value, dict) else {}
        return _view_of(spec.entry, f"{name}-", row, None)
    return FieldView(spec.entry, name, value)
