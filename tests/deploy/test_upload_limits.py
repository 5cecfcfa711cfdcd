"""The shipped nginx configuration lets the two upload forms receive their files (a signed
scan up to 10 MiB, an 835 up to 20 MB, and somewhat more, so the form can answer a file that
is too large), while every other address keeps the 1 MiB limit (security.md IN-2)."""

from __future__ import annotations

import socket

import pytest

from deploy.test_slowloris import gunicorn_port, nginx_port  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow
MB = 1024 * 1024


def _post_status(port: int, path: str, size: int) -> str:
    """The status line nginx answers a POST of `size` bytes to `path` with."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head)
        try:
            chunk = b"0" * (256 * 1024)
            sent = 0
            while sent < size:
                s.sendall(chunk[: size - sent])
                sent += len(chunk)
        except OSError:
            pass  # nginx answered early and closed: read its answer
        return s.recv(64).split(b"\r\n", 1)[0].decode()


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/signing/cases/7/ink", 12 * MB, "200"),  # over 10 MiB: the form says so itself
        ("/billing/remittances", 21 * MB, "200"),
        ("/signing/cases/7/ink", 41 * MB, "413"),
        ("/cases/7/save", 2 * MB, "413"),
        ("/signing/cases/7/ink/other", 2 * MB, "413"),
    ],
)
def test_only_the_upload_forms_take_large_bodies(nginx_port, path, size, status):  # noqa: F811
    assert _post_status(nginx_port, path, size).split()[1] == status
