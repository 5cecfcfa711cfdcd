"""Browser tests (Playwright with Debian's chromium).

Screenshots go to a temporary folder, so `make test` leaves the work tree clean;
`make screenshots` sets DME_UPDATE_SCREENSHOTS=1 to refresh the README's docs/screenshots/.
"""

import os
import tempfile
from pathlib import Path


def screenshot_dir() -> Path:
    """docs/screenshots when refreshing them on purpose, else a throwaway folder."""
    if os.environ.get("DME_UPDATE_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return Path(tempfile.gettempdir()) / "dme-screenshots"
