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
from wtforms.widgets import CheckboxInput, DateInput, Input, RadioInput, Select


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
    # A flag not set reads as None (wtforms Flags) and writes nothing: only the set ones count.
    flags = vars(field.flags)
    if flags:
        for key in widget.validation_attrs:
            if key not in params and key in flags:
                value = flags[key]
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


class ShownField:
    """A field shown without WTForms (shown_forms.py): it writes its own control, and a whole
    field block (label, hint, control) from markup it keeps per process."""

    __slots__ = ()
    errors: list

    def control(self, attrs: dict | None) -> Markup:
        raise NotImplementedError

    def block(self, render, args: tuple) -> Markup:
        raise NotImplementedError


def field_html(field, attrs: dict | None = None) -> Markup:
    """The field's HTML, as `field(**attrs)` would write it."""
    if isinstance(field, ShownField):
        return field.control(attrs)
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
    if isinstance(widget, Input) and _plain_input(kind, field):
        params = _params(field, widget, attrs)
        params.setdefault("type", widget.input_type)
        if "value" not in params:
            params["value"] = field._value()
        params["name"] = field.name
        # _attributes escapes every value; the keys are the code's own attribute names.
        return Markup(f"<input {_attributes(params)}>")  # noqa: S704  # nosec B704
    return field(**attrs)


def _plain_input(kind: type, field) -> bool:
    """True when the widget writes what Input writes: Input itself, or a date input of a
    field without a date format (the date widgets only add min/max formatted from it)."""
    if kind.__call__ is Input.__call__:
        return getattr(field, "_datalist", None) is None
    if issubclass(kind, DateInput) and kind.__call__ is DateInput.__call__:
        return getattr(field, "format", None) is None and getattr(field, "_datalist", None) is None
    return False


def label_html(field, css_class: str, text: str | None = None) -> Markup:
    """The field's label, as `field.label(text=text, class_=css_class)` writes it."""
    shown = escape(text or field.label.text)
    html = f'<label class="{escape(css_class)}" for="{escape(field.id)}">{shown}</label>'
    # The label text, class and id went through markupsafe.escape just above.
    return Markup(html)  # noqa: S704  # nosec B704


def _has_option_kw(field) -> bool:
    return any(getattr(choice, "render_kw", None) for choice in field.choices or ())


# --- whole fields: label, hint, error and control (the case macros' markup, in Python) ----
# A Jinja macro call costs tens of microseconds and the case page made about 500 of them
# (each field's macro called two more); these write the same markup in one Python call.


def _described(field, hint) -> str:
    ids = []
    if hint:
        ids.append(f"{field.id}-hint")
    if field.errors:
        ids.append(f"{field.id}-error")
    return " ".join(ids)


def _error_html(field) -> str:
    if not field.errors:
        return ""
    text = escape(" ".join(str(e) for e in field.errors))
    return f'<p class="field-error" id="{escape(field.id)}-error">{text}</p>'


def _hint_html(field, hint) -> str:
    return f'<p class="hint" id="{escape(field.id)}-hint">{escape(hint)}</p>' if hint else ""


def _control_attrs(field, hint, attrs: dict) -> dict:
    described = _described(field, hint)
    if described:
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def text_field(
    field, hint=None, inputmode=None, size="", autocomplete="off", type=None, label=None
) -> Markup:
    """A text input with its label, hint and error (the `text` macro)."""
    args = (hint, inputmode, size, autocomplete, type, label)
    if isinstance(field, ShownField) and not field.errors:
        return field.block(_text_block, args)
    return _text_block(field, *args)


def _text_block(field, hint, inputmode, size, autocomplete, type, label) -> Markup:
    attrs = {"class": "input", "autocomplete": autocomplete}
    if inputmode:
        attrs["inputmode"] = inputmode
    if type:
        attrs["type"] = type
    control = field_html(field, _control_attrs(field, hint, attrs))
    invalid = " field-invalid" if field.errors else ""
    html = (
        f'<div class="field {escape(size)}{invalid}">{label_html(field, "label", label)}'
        f"{_hint_html(field, hint)}{_error_html(field)}{control}</div>"
    )
    # Every value above went through escape, label_html or field_html.
    return Markup(html)  # noqa: S704  # nosec B704


def select_field(field, hint=None, size="") -> Markup:
    """A select with its label, hint and error (the `select` macro)."""
    if isinstance(field, ShownField) and not field.errors:
        return field.block(_select_block, (hint, size))
    return _select_block(field, hint, size)


def _select_block(field, hint, size) -> Markup:
    control = field_html(field, _control_attrs(field, hint, {"class": "input"}))
    invalid = " field-invalid" if field.errors else ""
    html = (
        f'<div class="field {escape(size)}{invalid}">{label_html(field, "label")}'
        f"{_hint_html(field, hint)}{_error_html(field)}{control}</div>"
    )
    # Every value above went through escape, label_html or field_html.
    return Markup(html)  # noqa: S704  # nosec B704


def check_field(field, hint=None) -> Markup:
    """A checkbox with its label, error and hint (the `checkbox` macro)."""
    if isinstance(field, ShownField) and not field.errors:
        return field.block(_check_block, (hint,))
    return _check_block(field, hint)


def _check_block(field, hint) -> Markup:
    invalid = " field-invalid" if field.errors else ""
    hint_html = f'<p class="hint">{escape(hint)}</p>' if hint else ""
    html = (
        f'<div class="field check{invalid}">{_error_html(field)}'
        f"{field_html(field, {'class': 'check-input'})} {label_html(field, 'check-label')}"
        f"{hint_html}</div>"
    )
    # Every value above went through escape, label_html or field_html.
    return Markup(html)  # noqa: S704  # nosec B704


ABSOLUTE_FLAG = (
    "<strong>Absolute contraindication:</strong> with this answer no home traction unit is "
    "recommended."
)


def yes_no_field(field, hint, absolute=False) -> Markup:
    """A yes/no question as a radio group (the `yes_no` macro); `absolute` marks an absolute
    contraindication, which cases.js flags as soon as Yes is chosen."""
    if isinstance(field, ShownField) and not field.errors:
        return field.block(_yes_no_block, (hint, absolute))
    return _yes_no_block(field, hint, absolute)


def _yes_no_block(field, hint, absolute) -> Markup:
    classes = ["question"]
    if field.errors:
        classes.append("field-invalid")
    if absolute:
        classes.append("question-absolute")
        if field.data == "yes":
            classes.append("flagged")
    described = f' aria-describedby="{escape(field.id)}-hint"' if hint else ""
    extra = {"data-absolute": "yes"} if absolute else {}
    radios = "".join(
        f'<label class="radio" for="{escape(option.id)}">{field_html(option, dict(extra))} '
        f"{escape(option.label.text)}</label>"
        for option in field
    )
    if field.data not in ("yes", "no"):
        radios += '<span class="unanswered">Not answered yet</span>'
    flag = ""
    if absolute:
        hidden = "" if field.data == "yes" else " hidden"
        flag = f'<p class="contra-flag"{hidden}>{ABSOLUTE_FLAG}</p>'
    html = (
        f'<fieldset class="{" ".join(classes)}" id="{escape(field.id)}"{described}>'
        f'<legend class="question-text">{escape(field.label.text)}</legend>'
        f'<p class="hint" id="{escape(field.id)}-hint">{escape(hint or "")}</p>'
        f'{_error_html(field)}<div class="radios">{radios}</div>{flag}</fieldset>'
    )
    # Every value above went through escape or field_html; ABSOLUTE_FLAG is the code's own.
    return Markup(html)  # noqa: S704  # nosec B704
