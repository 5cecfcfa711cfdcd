"""Hostile input in documents: shown as text, never fetched, never embedded (security.md
PDF-1, OUT-1, OUT-2)."""

from __future__ import annotations

import http.server
import threading

import pytest

from dme_service.documents.fetcher import ASSETS_DIR
from dme_service.documents.render import render
from dme_service.documents.renderer import Renderer
from documents import pdfs
from documents.samples import NOW, SIGNED, case_and_decision

LINK_NAME = '<link rel="attachment" href="file:///etc/passwd">'
TEMPLATE_NAME = "{{7*7}} {{ config.SECRET_KEY }}"


@pytest.fixture(scope="module")
def loopback():
    """A loopback HTTP server that counts the requests it receives."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", [LINK_NAME, TEMPLATE_NAME], ids=["link-tag", "template-code"])
@pytest.mark.parametrize("kind", ["lmn", "swo", "instructions"])
def test_a_hostile_patient_name_is_printed_literally_and_embeds_nothing(kind, name):
    case, decision = case_and_decision(patient_name=name)
    rendered = render(kind, case, decision, now=NOW, signature=SIGNED)
    text = pdfs.text(rendered.pdf)
    assert name in text
    assert pdfs.attachments(rendered.pdf) == {}


def test_the_packet_embeds_only_the_decision_json():
    case, decision = case_and_decision(patient_name=LINK_NAME)
    rendered = render("packet", case, decision, now=NOW, signature=SIGNED)
    assert list(pdfs.attachments(rendered.pdf)) == ["decision.json"]
    assert not any(b"root:x:0:0" in stream for stream in pdfs.decompressed_streams(rendered.pdf))
    assert LINK_NAME in pdfs.text(rendered.pdf)


def test_raw_hostile_html_fetches_nothing_and_embeds_no_file(tmp_path, loopback):
    """Defence in depth: even HTML that reached the renderer unescaped fetches nothing."""
    base, seen = loopback
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a9c")
    html = f"""<html lang="en"><head><title>t</title>
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="{canary.as_uri()}">
    <style>@import url({base}/import.css); p {{ background: url({base}/bg.png) }}</style>
    </head><body><p>text</p><img src="{base}/img.png"><img src="http://169.254.169.254/x.png">
    <img src="{(ASSETS_DIR / ".." / "pyproject.toml").as_uri()}"></body></html>"""
    renderer = Renderer()
    document = renderer.layout(html)
    pdf = renderer.write(document, variant="pdf/ua-1")
    assert seen == []
    assert pdfs.attachments(pdf) == {}
    assert not any(b"CANARY-7f3a9c" in stream for stream in pdfs.decompressed_streams(pdf))
    assert any("canary.txt" in url for url in renderer.fetcher.refused)


def test_the_cached_stylesheet_loaded_its_fonts_through_the_asset_fetcher(monkeypatch):
    from dme_service.documents import fetcher as fetcher_module

    fetched: list[str] = []

    real_fetch = fetcher_module.AssetFetcher.fetch

    def counting_fetch(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(fetcher_module.AssetFetcher, "fetch", counting_fetch)
    Renderer()
    fonts = [url for url in fetched if url.endswith(".ttf")]
    # Liberation Serif and Sans, eighteen Noto Sans scripts (2 weights each) and one CJK face
    assert len(fonts) == 43
    assert all(url.startswith(ASSETS_DIR.as_uri()) for url in fonts)
