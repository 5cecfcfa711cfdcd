"""The service's JSON logging (dme_service/jsonlog.py)."""

from __future__ import annotations

import logging

from dme_service.jsonlog import configure_logging


def test_weasyprints_per_step_progress_lines_stay_out_of_the_log(capfd):
    configure_logging("INFO")
    logging.getLogger("weasyprint.progress").info("Step 5 - Creating layout - Page 3")
    logging.getLogger("dme_service.test").info("kept")
    err = capfd.readouterr().err
    assert "Creating layout" not in err and '"kept"' in err
