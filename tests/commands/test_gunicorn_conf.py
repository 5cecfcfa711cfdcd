"""gunicorn.conf.py: preloaded warm master, staggered recycling, a recycle that costs nothing."""

from __future__ import annotations

import gc
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from commands.test_serve import ROOT, free_port, get_status
from commands.test_serve import server_env as server_env  # noqa: F401 (fixture)


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_master_preloads_the_app_so_workers_fork_warm():
    conf = load_conf()
    assert (conf.preload_app, conf.wsgi_app, conf.workers) == (True, "wsgi:app", 2)


def test_the_first_workers_get_spread_budgets_and_later_ones_the_full_one():
    conf = load_conf()
    budgets = [conf.worker_budget(age, 2, 1000, 0) for age in (1, 2, 3, 4)]
    assert budgets == [500, 1000, 1000, 1000]
    assert conf.worker_budget(1, 2, 0, 0) == 0  # recycling off stays off


def test_the_master_freezes_its_warm_objects_out_of_the_workers_collections():
    """A worker's full garbage collection would otherwise walk every object forked from the
    master (about 140 ms each time on the case page's process)."""
    conf = load_conf()
    cfg = SimpleNamespace(max_requests=0, workers=2, max_requests_jitter=0)
    gc.unfreeze()
    try:
        conf.pre_fork(SimpleNamespace(cfg=cfg), SimpleNamespace(age=1))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.slow
def test_workers_recycle_every_few_requests_and_every_request_is_answered(request, tmp_path):
    env = request.getfixturevalue("server_env")
    env.update(DME_MAX_REQUESTS="4", DME_AUDIT_SEAL_SECONDS="0")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with log.open("w") as output:
        process = subprocess.Popen(
            [gunicorn, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
        try:
            url = f"http://127.0.0.1:{port}/login"
            statuses = [get_status(url, timeout=60) for _ in range(24)]
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert statuses == [200] * 24
    assert log.read_text().count("Booting worker") >= 4  # 2 at start, then replacements
