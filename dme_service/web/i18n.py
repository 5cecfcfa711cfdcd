"""Flask-Babel for the patient's pages: English and Spanish from the shared gettext catalogs.

The catalogs live in `dme_service/translations/` and are the same ones the printed
instructions use, so a sentence reads the same on paper and on the phone. The locale is the
patient's own choice, else the link's language (set by the clinician), else the clinic's
default; the view that knows these puts the answer in `g.patient_lang`. Staff pages are English.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request

LANGUAGES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"


def select_locale() -> str:
    """Flask-Babel's locale selector: what the patient view decided, English otherwise."""
    lang = g.get("patient_lang")
    return lang if lang in LANGUAGES else "en"


def browser_language() -> str:
    """The best of our languages for the browser's Accept-Language header (or English)."""
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def choose_language(choice: str | None, *defaults: str | None) -> str:
    """The first of the patient's choice and the defaults that is one of our languages."""
    for lang in (choice, *defaults):
        if lang in LANGUAGES:
            return lang
    return "en"


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our catalogs and locale selector (gettext in Jinja: `_()`)."""
    from flask_babel import Babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
