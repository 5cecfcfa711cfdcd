"""The service's JSON logging (dme_service/jsonlog.py)."""

from __future__ import annotations

import logging

import pytest

from dme_service.jsonlog import configure_logging


@pytest.fixture
def root_logging():
    """Restore the root logger's handlers and level, and WeasyPrint's, after the test."""
    root, progress = logging.getLogger(), logging.getLogger("weasyprint.progress")
    saved = (list(root.handlers), root.level, progress.level)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    progress.setLevel(saved[2])


def test_weasyprints_per_step_progress_lines_stay_out_of_the_log(root_logging):
    configure_logging("INFO")
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint.progress").isEnabledFor(logging.WARNING)
    assert logging.getLogger("dme_service.documents").isEnabledFor(logging.INFO)


def test_a_second_call_sets_the_level_and_adds_no_second_handler(root_logging):
    configure_logging("INFO")
    configure_logging("WARNING")
    json_handlers = [h for h in logging.getLogger().handlers if getattr(h, "_dme_json", False)]
    assert len(json_handlers) == 1
    assert not logging.getLogger("dme_service.documents").isEnabledFor(logging.INFO)
