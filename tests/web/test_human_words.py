"""Human words on every page of each role, and in the billing CSV: no dotted field paths, no
snake_case keys, no raw warning codes, no payer keys and no keys turned into words by a plain
capital ("Tmj dysfunction") where a person reads.

The demo clinic (six cases in every state) is seeded, each staff user signs in, and every page
reachable by following the links from their home page is read (GET only; a page answers with
what a person reads: its text, or a CSV's cells). The PDFs are scanned in
tests/documents/test_human_words.py with the same checks (web/pages/cases/test_human_words.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy.orm import Session

from dme_service.db import get_engine
from web.pages.cases.test_human_words import developer_strings

PAGE_LIMIT = 80  # per role; the demo clinic has far fewer distinct pages
# Links that are not pages to read: sign-out, file downloads handled by their own scans.
SKIPPED = re.compile(
    r"^/(?:logout|static/)|\.pdf$|/documents/\d+(?:/|$)|/download|/documents/\w+/current"
)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and not href.startswith(("#", "mailto:", "tel:", "http")):
            self.found.append(href)


def links(html: str, base: str) -> list[str]:
    reader = _Links()
    reader.feed(html)
    paths = []
    for href in reader.found:
        parts = urlsplit(urljoin(base, href))
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture
def demo(app):
    from dme_service.commands.demo import seed

    with Session(get_engine(app)) as session:
        passwords = seed(session)
        session.commit()
    return passwords


def crawl(client, start: str = "/"):
    """(path, what a person reads) for every page reachable from `start`."""
    seen, queue = set(), [start]
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.pop(0)
        if path in seen or SKIPPED.search(urlsplit(path).path):
            continue
        seen.add(path)
        response = client.get(path)
        kind = response.headers.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith(("text/csv", "text/html")):
            continue
        body = response.get_data(as_text=True)
        if kind.startswith("text/csv"):
            yield path, body.replace('","', " ").replace('"', " ")
        elif kind.startswith("text/html"):
            yield path, body
            queue.extend(p for p in links(body, path) if p not in seen)


@pytest.mark.parametrize(
    "email", ["pt@demo.clinic", "md@demo.clinic", "billing@demo.clinic", "admin@demo.clinic"]
)
def test_no_developer_strings_on_any_page_of_a_role(app, demo, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": demo[email]}).status_code == 303
    found, pages = {}, 0
    for path, body in crawl(client):
        pages += 1
        bad = developer_strings(body)
        if bad:
            found[path] = sorted(set(bad))
    assert pages >= 3, email
    assert found == {}, email
