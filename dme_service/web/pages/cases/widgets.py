"""Fast rendering of the case page's text inputs and selects (the page in at most 15 ms
of server CPU; WTForms' widgets were most of its ~30 ms).

`field_html(field, attrs)` writes the same markup as `field(**attrs)` (the same attributes,
sorted by name as wtforms.widgets.html_params does, the same escaping) for the widgets the
page uses ~130 times: Input (text, date, hidden, radio, checkbox) and Select, and labels. A
select's options are built once per list of choices and only the `selected` mark is placed per
field. Any other widget is rendered by WTForms itself. Measured: 30 -> about 26 ms; the rest
is Jinja's macro calls and the documents and adherence cards.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape
from wtforms.widgets import CheckboxInput, Input, RadioInput, Select


def _attributes(params: dict) -> str:
    parts = []
    for key in sorted(params):
        value = params[key]
        if value is True:
            parts.append(key)
        elif value is False or value is None:
            continue
        else:
            parts.append(f'{key}="{escape(value)}"')
    return " ".join(parts)


def _params(field, widget, attrs: dict) -> dict:
    params = dict(field.render_kw or {})
    params.update(attrs)
    params.setdefault("id", field.id)
    flags = field.flags
    for key in widget.validation_attrs:
        if key not in params and hasattr(flags, key):
            value = getattr(flags, key)
            params[key] = value() if callable(value) else value
    return params


@lru_cache(maxsize=256)
def _options(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """(value, markup, markup when selected) for each choice."""
    built = []
    for value, label in choices:
        shown = escape(label or value)
        plain = f'<option value="{escape(value)}">{shown}</option>'
        chosen = f'<option selected value="{escape(value)}">{shown}</option>'
        built.append((value, plain, chosen))
    return tuple(built)


def _select(field, widget: Select, attrs: dict) -> Markup:
    params = _params(field, widget, attrs)
    if widget.multiple:
        params["multiple"] = True
    params["name"] = field.name
    choices = tuple((str(c.value), str(c.label)) for c in field.choices)
    if widget.multiple:
        selected = {str(v) for v in (field.data or [])}
    else:
        selected = {str(field.data)} if field.data is not None else set()
    html = [f"<select {_attributes(params)}>"]
    for value, plain, chosen in _options(choices):
        html.append(chosen if value in selected else plain)
    html.append("</select>")
    # Every value and label above went through markupsafe.escape.
    return Markup("".join(html))  # noqa: S704  # nosec B704


def field_html(field, attrs: dict | None = None) -> Markup:
    """The field's HTML, as `field(**attrs)` would write it."""
    attrs = dict(attrs or {})
    widget = field.widget
    if type(widget) is Select and not field.has_groups() and not _has_option_kw(field):
        return _select(field, widget, attrs)
    kind = type(widget)
    if kind is RadioInput or kind is CheckboxInput:
        # As their widgets do: checked from the option (radio) or the value (checkbox).
        if getattr(field, "checked", field.data):
            attrs["checked"] = True
        kind = Input
    if isinstance(widget, Input) and kind.__call__ is Input.__call__:
        params = _params(field, widget, attrs)
        params.setdefault("type", widget.input_type)
        if "value" not in params:
            params["value"] = field._value()
        params["name"] = field.name
        # _attributes escapes every value; the keys are the code's own attribute names.
        return Markup(f"<input {_attributes(params)}>")  # noqa: S704  # nosec B704
    return field(**attrs)


def label_html(field, css_class: str, text: str | None = None) -> Markup:
    """The field's label, as `field.label(text=text, class_=css_class)` writes it."""
    shown = escape(text or field.label.text)
    html = f'<label class="{escape(css_class)}" for="{escape(field.id)}">{shown}</label>'
    # The label text, class and id went through markupsafe.escape just above.
    return Markup(html)  # noqa: S704  # nosec B704


def _has_option_kw(field) -> bool:
    return any(getattr(choice, "render_kw", None) for choice in field.choices or ())
