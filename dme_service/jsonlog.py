"""Application logs as JSON lines: one record per line, no PHI, newlines cannot forge records.

docs/security.md LOG-3: a username such as "x\\n... admin LOGIN OK" must stay inside one record,
which JSON string escaping guarantees.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: ts, level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send dme_service, flask and gunicorn error logs to stderr as JSON lines at `level`
    (idempotent: one JSON handler however often it is called)."""
    root = logging.getLogger()
    if not any(getattr(handler, "_dme_json", False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._dme_json = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # WeasyPrint logs each step of every render ("Step 5 - Creating layout - Page 3") at
    # INFO: a dozen lines per document that say nothing an operator needs.
    logging.getLogger("weasyprint.progress").setLevel(max(logging.WARNING, root.level))
