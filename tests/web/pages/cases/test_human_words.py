"""Human words on the case page (issue 15): no dotted field paths (trials[1].use_demonstrated,
screening.myelopathy), no snake_case keys (tmj_dysfunction, awaiting_signature) and no raw
warning codes where a person reads, in a draft, an incomplete, a contraindicated and an
eligible case with warnings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dme_service.case.model import SCREENING_KEYS
from web.pages.cases.page_form import page_fields
from web.pages.cases.test_page_save import send
from web.pages.cases.test_trials_revision2 import MONDAY, WEDNESDAY
from web.pages.cases.test_views import create

DOTTED_PATH = re.compile(r"\b[a-z_]{3,}(?:\[\d+\])?\.[a-z_]+\b")
SNAKE_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
RAW_CODE = re.compile(r"\b[A-Z]+_[A-Z_]+\b")
# A payer's key where its name belongs ("aetna" for Aetna), and keys turned into words by a
# plain capital ("Tmj dysfunction", "Order frequency prn", "Over door unsafe").
PAYER_KEY = re.compile(
    r"\b(?:medicare|aetna|anthem|cigna|premera|connectcare|ibx_ma|ibx_commercial|"
    r"uhc_commercial|self_pay)\b"
)
NAIVE_WORDS = re.compile(r"\bTmj\b|\b[Pp]rn\b|\bOver door\b")
# Web addresses and e-mail addresses read as text are not field paths.
ADDRESS = re.compile(
    r"\S+@\S+|\b(?:https?://)?(?:[a-z0-9-]+\.)+(?:com|org|gov|net|io|us|clinic)\b\S*"
)


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    return " ".join(reader.parts)


def developer_strings(html: str) -> list[str]:
    text = visible_text(html)
    # addresses and file names are not field paths
    text = ADDRESS.sub("", text)
    text = re.sub(r"\b\w+\.(?:pdf|json|csv|zip|xml|txt)\b", "", text)
    return (
        DOTTED_PATH.findall(text)
        + SNAKE_KEY.findall(text)
        + RAW_CODE.findall(text)
        + PAYER_KEY.findall(text)
        + NAIVE_WORDS.findall(text)
    )


@pytest.fixture
def clinician(signed_in):
    return signed_in("clinician", credential="PT")


def states(client, signer_id):
    """The case page in each state a clinician meets."""
    case_id = create(client)
    yield "draft", client.get(f"/cases/{case_id}").get_data(as_text=True)
    fields = page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))
    fields.update({**MONDAY, "trials-rows-0-tolerated": "", "dx-codes-0": "M50.122"})
    fields.update({"order-treating_practitioner": str(signer_id), "order-onset_date": "2026-07-01"})
    send(client, case_id, fields, section="trials")
    yield "incomplete", client.get(f"/cases/{case_id}").get_data(as_text=True)
    fields = page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))
    fields.update({**MONDAY, **WEDNESDAY, "request-hcpcs": "E0860", "request-force_lb": "25"})
    fields.update({f"screening-{key}": "no" for key in SCREENING_KEYS})
    fields.update({"screening-tmj_dysfunction": "yes", "screening-tmj_treated": "yes"})
    send(client, case_id, fields, section="trials")
    yield "eligible with warnings", client.get(f"/cases/{case_id}").get_data(as_text=True)
    fields = page_fields(client.get(f"/cases/{case_id}").get_data(as_text=True))
    fields["screening-myelopathy"] = "yes"
    send(client, case_id, fields, section="screening")
    yield "contraindicated", client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_no_developer_strings_on_the_case_page(clinician, make_user):
    client, _ = clinician
    signer_id = make_user("practitioner", credential="MD", name="Sam Lee").id
    seen = {}
    for state, html in states(client, signer_id):
        seen[state] = html
        assert developer_strings(html) == [], state
    assert "Ordered unit not the one demonstrated" in seen["eligible with warnings"]
    assert "Force too high for an over-door unit" in seen["eligible with warnings"]
    assert "Absolute contraindication to cervical traction: myelopathy" in seen["contraindicated"]


def test_the_scan_finds_what_it_looks_for():
    html = "<p>Use (trials[1].use_demonstrated) and tmj_dysfunction, ORDER_FREQUENCY_PRN</p>"
    assert developer_strings(html) == [
        "trials[1].use_demonstrated",
        "use_demonstrated",
        "tmj_dysfunction",
        "ORDER_FREQUENCY_PRN",
    ]
    assert developer_strings("<td>aetna</td><td>Tmj dysfunction</td>") == ["aetna", "Tmj"]
    assert developer_strings("<p>Order frequency prn; Over door unsafe</p>") == [
        "prn",
        "Over door",
    ]


def test_the_scan_leaves_addresses_alone():
    html = "<p>pt@demo.clinic, med.noridianmedicare.com/web/jddme and www.availity.com</p>"
    assert developer_strings(html) == []
