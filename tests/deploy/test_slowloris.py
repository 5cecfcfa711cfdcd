"""The shipped reverse-proxy configuration survives slowloris (pen test M2; SECURITY.md).

Real sockets on loopback: gunicorn with the production worker settings (2 sync workers,
30 s timeout) behind nginx running deploy/nginx/dme_proxy.conf verbatim. Four clients send
a request's headers one line per second; meanwhile ordinary requests must be answered. The
same clients aimed at gunicorn directly must starve it (the attack of the report), which
shows the proxy is what protects. About 15 s; skipped where nginx is not installed (the
Makefile's APT_PACKAGES installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SLOW_CLIENTS = 4
SLOW_SECONDS = 6
PROBE_TIMEOUT = 2.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make deps installs it)"),
]

# The stand-in app reads the whole body, as the real upload forms do: answering a 12 MB POST
# without reading it made nginx see the connection reset while still sending, and answer 502.
APP = """
def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    while length > 0:
        length -= len(environ["wsgi.input"].read(min(length, 1 << 20)) or b"x" * length)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def gunicorn_port(tmp_path):
    (tmp_path / "tinyapp.py").write_text(APP)
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--workers", "2", "--worker-class", "sync", "--timeout", "30"]
    command += ["--no-control-socket", "--bind", f"127.0.0.1:{port}", "tinyapp:app"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        yield port
    finally:
        _stop_group(process)


@pytest.fixture
def nginx_port(tmp_path, gunicorn_port):
    port = _free_port()
    proxy = (REPO / "deploy/nginx/dme_proxy.conf").read_text()
    proxy = proxy.replace("/var/log/nginx/dme_access.log", str(tmp_path / "access.log"))
    (tmp_path / "dme_proxy.conf").write_text(proxy)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {REPO}/deploy/nginx/dme_log_format.conf;
    upstream dme_app {{ server 127.0.0.1:{gunicorn_port}; }}
    server {{
        listen 127.0.0.1:{port};
        include {tmp_path}/dme_proxy.conf;
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        yield port
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    """Stop a master and its workers. Killing only the master (as the first version did) left
    nginx's worker processes running after the test; each server starts in a session of its
    own, so the whole process group is asked to stop, then killed if it has not."""
    group = process.pid  # start_new_session: the master leads its own process group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def _slow_client(port: int, stop: threading.Event) -> None:
    """Slowloris: a request's headers, one line a second, never finished."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            line = 0
            while not stop.wait(1.0):
                line += 1
                s.sendall(f"X-Slow-{line}: {'a' * 8}\r\n".encode())
    except OSError:
        pass  # the server closed it: also fine


def _probe(port: int) -> bool:
    """One ordinary request; True when answered 200 within PROBE_TIMEOUT."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as s:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _under_slowloris(port: int) -> list[bool]:
    stop = threading.Event()
    clients = [
        threading.Thread(target=_slow_client, args=(port, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for client in clients:
        client.start()
    time.sleep(1.5)  # every slow client has connected and started its headers
    answers = []
    deadline = time.monotonic() + SLOW_SECONDS
    while time.monotonic() < deadline:
        answers.append(_probe(port))
    stop.set()
    for client in clients:
        client.join(5)
    return answers


def test_pentest_m2_the_buffering_proxy_keeps_answering_under_slowloris(nginx_port, gunicorn_port):
    assert _probe(nginx_port) and _probe(gunicorn_port)
    through_proxy = _under_slowloris(nginx_port)
    assert through_proxy and all(through_proxy)
    # Without the proxy, the same four clients starve both sync workers (the report's attack).
    direct = _under_slowloris(gunicorn_port)
    assert not any(direct)
