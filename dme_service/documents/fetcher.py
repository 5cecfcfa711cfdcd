"""The one URL fetcher WeasyPrint may use: bundled print assets and `data:` URLs, nothing else.

docs/security.md PDF-1: WeasyPrint's default fetcher reads any `file://` path (a `<link
rel="attachment">` in a patient's name would embed /etc/passwd in the PDF) and fetches
loopback or cloud-metadata HTTP. This fetcher allows only `data:` URLs and regular files
whose real path (symlinks resolved) lies inside `pdf_templates/`; it follows no redirects.
A refused URL is logged and raised; WeasyPrint skips that resource and the render completes.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

ASSETS_DIR = (Path(__file__).resolve().parents[2] / "pdf_templates").resolve()

# Types WeasyPrint needs to know for bundled assets; `mimetypes` guesses the rest.
_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png"}


class FetchRefused(ValueError):
    """A URL the print renderer must not read (outside the assets, or not file:/data:)."""


class AssetFetcher(URLFetcher):
    """Serves `data:` URLs and files inside `assets_dir`; refuses (and logs) everything else."""

    def __init__(self, assets_dir: Path = ASSETS_DIR) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.assets_dir = Path(assets_dir).resolve()
        self.refused: deque[str] = deque(maxlen=100)  # the latest refusals, for tests

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._asset_path(url)
            if path is not None:
                return self._file_response(url, path)
        self._refuse(url)

    def _asset_path(self, url: str) -> Path | None:
        """The real path of a `file:` URL when it is a regular file inside the assets."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            real = Path(os.path.realpath(unquote(parts.path)))
        except (OSError, ValueError):
            return None
        if not real.is_relative_to(self.assets_dir) or not real.is_file():
            return None
        return real

    @staticmethod
    def _file_response(url: str, path: Path) -> URLFetcherResponse:
        content_type = _TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        # Read now, from the resolved path, so a symlink swapped after the check
        # cannot redirect the read.
        body = path.read_bytes()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _refuse(self, url: str) -> None:
        shown = url if len(url) <= 200 else url[:200] + "..."
        self.refused.append(shown)
        log.warning("pdf fetch refused: %s", shown)
        raise FetchRefused(f"refused by the print asset fetcher: {shown}")
