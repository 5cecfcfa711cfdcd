"""Gettext catalogs for the patient's instructions (English source, Spanish translation).

Standard catalogs under `dme_service/translations/<lang>/LC_MESSAGES/messages.po|.mo`, the
layout Flask-Babel reads, so the web pages can reuse them. The compiled `.mo` is committed;
when the `.po` is newer (an edit not yet compiled) the catalog is compiled in memory, so a
stale `.mo` can never print old wording.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The catalog for `lang`; English (the source language) is the identity."""
    if lang == "en":
        return NullTranslations()
    folder = TRANSLATIONS_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    return Translations(io.BytesIO(compile_po(po)), domain=DOMAIN)


def compile_po(po: Path) -> bytes:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


class Gettext:
    """`_("Weight: %(n)s pounds.", n=12)` for templates: translate, then fill in."""

    def __init__(self, lang: str) -> None:
        self.catalog = translations(lang)

    def __call__(self, message: str, **values) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int, **values) -> str:
        text = self.catalog.ngettext(singular, plural, count)
        return text % {"num": count, **values}
