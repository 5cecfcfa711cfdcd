"""The print asset fetcher (security.md PDF-1): data: and bundled files only."""

from __future__ import annotations

import logging

import pytest

from dme_service.documents.fetcher import ASSETS_DIR, AssetFetcher, FetchRefused

FONT = ASSETS_DIR / "fonts" / "LiberationSans-Regular.ttf"


@pytest.fixture
def fetcher():
    return AssetFetcher()


def test_a_data_url_is_served(fetcher):
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_a_bundled_font_is_served(fetcher):
    response = fetcher.fetch(FONT.as_uri())
    assert response.read() == FONT.read_bytes()
    assert response.content_type == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "file:///etc/passwd",
        (ASSETS_DIR.as_uri() + "/../pyproject.toml"),
        (ASSETS_DIR.as_uri() + "/%2e%2e/pyproject.toml"),
        "file://evil.example/etc/hostname",
        ASSETS_DIR.as_uri() + "/fonts",
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/font.ttf",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
    ],
    ids=[
        "etc-hostname",
        "etc-passwd",
        "dot-dot-out-of-the-assets",
        "encoded-dot-dot",
        "remote-file-host",
        "a-directory",
        "loopback-http",
        "cloud-metadata-http",
        "https",
        "ftp",
        "javascript",
    ],
)
def test_everything_else_is_refused(fetcher, url):
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)


def test_a_symlink_out_of_the_assets_is_refused(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("canary")
    (assets / "link.css").symlink_to(secret)
    (assets / "real.css").write_text("p { color: red }")
    fetcher = AssetFetcher(assets)
    assert fetcher.fetch((assets / "real.css").as_uri()).read() == b"p { color: red }"
    with pytest.raises(FetchRefused):
        fetcher.fetch((assets / "link.css").as_uri())


def test_a_refusal_is_logged(fetcher, caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(FetchRefused):
        fetcher.fetch("file:///etc/hostname")
    assert "file:///etc/hostname" in caplog.text


def test_redirects_are_not_followed(fetcher):
    handlers = {type(handler).__name__ for handler in fetcher.handlers}
    assert "HTTPRedirectHandler" not in handlers
