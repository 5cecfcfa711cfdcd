"""The request logs (the dev server's and gunicorn's access log) print each request line: a
page whose address carries a secret redacts it there with a logging filter of its own
(docs/security.md LOG-3)."""

from __future__ import annotations

import logging

ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def redact_with(redaction: type[logging.Filter]) -> None:
    """Add the filter to every access logger, once however often the app is made. Gunicorn's
    atoms are arguments too, so a filter rewrites the formatted message."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(found, redaction) for found in logger.filters):
            logger.addFilter(redaction())
