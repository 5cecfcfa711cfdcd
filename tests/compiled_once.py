"""What every test's app compiled again, identically: URL builders and templates.

Each test builds its own app (create_app), and nearly all of that time went to Werkzeug
generating and compiling a Python function per route to build its URLs, then to Jinja compiling
the same templates again. Both are pure functions of their input, so tests compile each once per
worker and every app gets the same code:

- a URL builder depends only on the rule (its text, converters and defaults), never on the app:
  Werkzeug binds it to the rule it serves when the rule is compiled;
- a template's code is kept in Jinja's own bytecode cache, checked against the template's source.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

# Werkzeug's own (private) builder compiler; without it tests simply compile per app.
_compile_builder = getattr(Rule, "_compile_builder", None)
_builders: dict[tuple, object] = {}


def _builder_compiled_once(self: Rule, append_unknown: bool = True):
    key = (self.rule, tuple(self._trace), repr(self.defaults), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


def url_builders() -> None:
    """From now on, a URL builder of the same rule is compiled once."""
    if _compile_builder is not None:
        Rule._compile_builder = _builder_compiled_once


def templates(app) -> None:
    """This app's templates come from the worker's compiled templates."""
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE


class TemplateCode(BytecodeCache):
    """Compiled templates in memory; Jinja recompiles when a template's source changed."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = TemplateCode()
