"""The Spanish catalog covers every patient sentence, and the committed .mo matches the .po.

The instructions' sentences are in the template and in documents/instructions_text.py (the
sentences the phone page shares, marked with `N_`); both are extracted."""

from __future__ import annotations

import io

from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from dme_service.documents import instructions_text
from dme_service.documents.fetcher import ASSETS_DIR
from dme_service.documents.i18n import TRANSLATIONS_DIR, Gettext, compile_po

CATALOG = TRANSLATIONS_DIR / "es" / "LC_MESSAGES"
WEB_PAGE = ASSETS_DIR.parent / "templates" / "patient" / "instructions.html"


def template_messages(template=ASSETS_DIR / "instructions.html") -> set:
    found = extract_from_file(babel_extract, str(template), options={"trimmed": "true"})
    return {message for _, message, _, _ in found}


def shared_messages() -> set:
    """The msgids marked with N_ in the module both instructions templates loop over."""
    found = extract_from_file("python", instructions_text.__file__, keywords={"N_": None})
    return {message for _, message, _, _ in found}


def test_the_shared_sentences_are_extracted():
    assert len(shared_messages()) > 60
    assert "Stop. Get care right away. Call 911 if it is sudden or bad." in shared_messages()
    # adjacent string literals are one msgid, as the templates look it up
    assert instructions_text.INVERSION_WARNING[0] in shared_messages()
    assert set(instructions_text.HIGH_RISK_LINES.values()) <= shared_messages()


def test_the_shared_sentences_are_written_once():
    """Neither template repeats a shared sentence as a literal: a wording change is one edit."""
    for template in (ASSETS_DIR / "instructions.html", WEB_PAGE):
        repeated = template_messages(template) & shared_messages()
        assert not repeated, f"{template.name}: use instructions_text for {sorted(repeated)}"


def test_every_sentence_of_the_instructions_has_a_spanish_translation():
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in template_messages() | shared_messages():
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key)
        assert entry is not None, f"not in messages.po: {key!r}"
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings), f"no Spanish for {key!r}"


def test_the_committed_mo_is_the_compiled_po():
    committed = read_mo((CATALOG / "messages.mo").open("rb"))
    fresh = read_mo(io.BytesIO(compile_po(CATALOG / "messages.po")))
    assert entries(committed) == entries(fresh)


def entries(catalog) -> dict:
    def hashable(value):
        return value if isinstance(value, str) else tuple(value)

    return {hashable(m.id): hashable(m.string) for m in catalog if m.id}


def test_gettext_translates_and_fills_in_numbers():
    spanish = Gettext("es")
    assert spanish("Weight: %(n)s pounds.", n="12,5") == "Peso: 12,5 libras."
    assert spanish.plural("For: %(num)s month.", "For: %(num)s months.", 1) == "Durante: 1 mes."
    assert Gettext("en")("Weight: %(n)s pounds.", n="12") == "Weight: 12 pounds."
