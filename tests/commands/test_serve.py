"""Serving: gunicorn on wsgi:app (what `make run` starts) and the development server."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dme_service.cli import main
from dme_service.commands.db import upgrade
from dme_service.db import get_engine

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_status(url: str, timeout: float = 90.0) -> int:
    """The status of GET url once the server answers (redirects not followed).

    gunicorn.conf.py preloads the app: the port opens only after the master's renderer
    warm-up, which takes tens of seconds when the machine's cores are shared."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return opener.open(url, timeout=5).status
        except urllib.error.HTTPError as answer:
            return answer.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def server_env(empty_app, database_url, tmp_path):
    upgrade(get_engine(empty_app))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DME_")}
    env.update(DME_DATABASE_URL=database_url, DME_INSTANCE_PATH=str(tmp_path / "instance"))
    return env


def serve(command: list[str], env: dict, port: int) -> int:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        return get_status(f"http://127.0.0.1:{port}/login")
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_gunicorn_with_two_workers_serves_the_login_page(server_env):
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    assert serve(command, server_env, port) == 200


@pytest.mark.slow
def test_development_server_serves_the_login_page(server_env):
    port = free_port()
    command = [sys.executable, "-m", "dme_service", "serve", "--port", str(port)]
    assert serve(command, server_env, port) == 200


def test_serve_refuses_production(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DME_ENV", "production")
    monkeypatch.setenv("DME_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DME_TRUSTED_HOSTS", "dme.example.org")
    monkeypatch.setenv("DME_BASE_URL", "https://dme.example.org")
    monkeypatch.setenv("DME_DATABASE_URL", "sqlite:///" + str(tmp_path / "p.sqlite3"))
    assert main(["serve"]) == 2
    assert "gunicorn" in capsys.readouterr().err
