"""The forms of an HTML page as a browser would submit them (stdlib html.parser only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)

    def data(self, button: tuple[str, str] | None = None, **changes) -> list[tuple[str, str]]:
        """The fields as submitted (first value of a changed name replaced), plus a button."""
        out, done = [], set()
        for name, value in self.fields:
            if name in changes:
                if name in done:
                    continue
                value, _ = str(changes[name]), done.add(name)
            out.append((name, value))
        out += [(n, str(v)) for n, v in changes.items() if n not in done]
        if button is not None:
            out.append(button)
        return out


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                self._form.buttons.append((name, a.get("value", "")))
            elif kind not in ("button", "image", "reset", "file"):
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = (value, "selected" in a)
            self._text = []
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            value = value if value is not None else "".join(self._text).strip()
            if self._select_first is None:
                self._select_first = value
            if self._form is not None:
                self._form.options.setdefault(self._select, []).append(value)
            if selected and self._form is not None and not self._select_chosen:
                self._form.fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None and self._form:
                self._form.fields.append((self._select, self._select_first))
            self._select = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_for(html: str, action_pattern: str) -> Form | None:
    """The first form whose action matches the pattern (a regular expression)."""
    pattern = re.compile(action_pattern)
    return next((f for f in forms(html) if pattern.search(f.action)), None)
