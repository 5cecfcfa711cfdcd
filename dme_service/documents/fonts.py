"""The renderer's fonts: the bundled faces, and no font of the machine's.

WeasyPrint's FontConfiguration loads fontconfig's configuration, which by default lists every
font installed on the machine; Pango falls back to those for a character the CSS font stack
lacks, so the same patient name printed with DejaVu on one machine and as empty boxes on
another. `BundledFonts` loads `pdf_templates/fonts/fonts.conf` instead, which names no font
directory: the only faces the renderer knows are the ones print.css declares with @font-face
from `pdf_templates/fonts/` (Liberation; Noto Sans for the other alphabets; Droid Sans
Fallback for Chinese, Japanese and Korean). Pure: no Flask, no database.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from weasyprint.text.fonts import FontConfiguration

from dme_service.documents.fetcher import ASSETS_DIR

FONTS_CONF = ASSETS_DIR / "fonts" / "fonts.conf"
# fontconfig reads FONTCONFIG_FILE when a configuration is loaded; the variable is set only
# around that call, one thread at a time.
_environment = threading.Lock()


@contextlib.contextmanager
def fontconfig_file(path: Path):
    with _environment:
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(path)
        try:
            yield
        finally:
            if previous is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = previous


class BundledFonts(FontConfiguration):
    """A FontConfiguration over `fonts.conf` only: no system font is ever used."""

    def __init__(self, conf: Path = FONTS_CONF) -> None:
        with fontconfig_file(conf):
            super().__init__()
