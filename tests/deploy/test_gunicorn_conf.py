"""gunicorn.conf.py (what `make serve` runs): settings the penetration test asked for."""

from __future__ import annotations

import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_pentest_i5_the_control_socket_is_off():
    """I5: gunicorn 27 opened ~/.gunicorn/gunicorn.ctl, and a second instance took it over."""
    assert runpy.run_path(str(CONF))["control_socket_disable"] is True


def test_pentest_m2_sync_workers_keep_the_timeout_the_proxy_config_assumes():
    """deploy/nginx/dme_proxy.conf waits 35 s for gunicorn, whose timeout is 30 s."""
    settings = runpy.run_path(str(CONF))
    assert settings["worker_class"] == "sync" and settings["timeout"] == 30
    proxy = (CONF.parent / "deploy/nginx/dme_proxy.conf").read_text()
    assert "proxy_request_buffering on;" in proxy and "client_header_timeout 10s;" in proxy
