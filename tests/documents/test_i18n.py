"""The Spanish catalog covers every patient sentence, and the committed .mo matches the .po."""

from __future__ import annotations

import io

from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from dme_service.documents.fetcher import ASSETS_DIR
from dme_service.documents.i18n import TRANSLATIONS_DIR, Gettext, compile_po

CATALOG = TRANSLATIONS_DIR / "es" / "LC_MESSAGES"


def template_messages() -> set:
    found = extract_from_file(
        babel_extract, str(ASSETS_DIR / "instructions.html"), options={"trimmed": "true"}
    )
    return {message for _, message, _, _ in found}


def test_every_sentence_of_the_instructions_has_a_spanish_translation():
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in template_messages():
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
