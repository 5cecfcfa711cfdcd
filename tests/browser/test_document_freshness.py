"""In a real Chromium: a signed case's order changes (15 -> 20 minutes a session), and every
document made before reads as superseded; billing's "Download the billing packet" on the claim
page hands out a packet made from the case as it is now, and after the practitioner signs
again, one carrying the new signed order. The PDFs are read back with pypdf. Screenshots:
docs/screenshots/documents-superseded.png and billing-claim-packet.png.

The edit itself goes through the case service (the case page's warn-before-void walk is
tested with the signature's own pages).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from documents.pdfs import text as pdf_text

from browser.pages import open_as, serious_violations, shot
from browser.signed_cases import reyes_greene_and_nair, sign_again, sign_stored_case
from dme_service.db import get_session
from dme_service.models import User
from dme_service.services import documents
from dme_service.services.cases import edit as cases
from dme_service.services.cases import reading

pytestmark = pytest.mark.browser

OLD, NEW = "Time 15 minutes per session", "Time 20 minutes per session"
SIGNED = "Electronically signed by"


@pytest.fixture
def signed_case(app, make_user):
    """An eligible case signed by its practitioner, with its packet made under the signature."""

    def packet_and_instructions(session, case, people):
        for kind in ("packet", "instructions"):
            documents.render_document(session, people["clinician"], case.id, kind)

    people = reyes_greene_and_nair(make_user)
    logins, case_id, _ = sign_stored_case(app, people, packet_and_instructions)
    return app, logins, case_id


def change_minutes(app, logins, case_id, minutes):
    with app.app_context():
        session = get_session()
        clinician = session.get(User, logins["clinician"].id)
        case = reading.read_case(session, clinician, case_id)
        rx = case.home_prescription
        request = {
            "hcpcs": rx.hcpcs,
            "force_lb": rx.force_lb,
            "minutes": minutes,
            "sessions_per_day": rx.sessions_per_day,
            "length_of_need_months": rx.length_of_need_months,
            "frequency_text": f"{minutes} minutes, twice daily",
        }
        edit = cases.SectionEdit("prescription", {"request": request}, None)
        cases.save_section(session, clinician, case_id, case.version, edit, confirm_void=True)
        session.rollback()


def download_packet(page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the billing packet").click()
    assert download.value.suggested_filename.startswith("packet-")
    assert "superseded" not in download.value.suggested_filename
    return Path(download.value.path()).read_bytes()


def test_a_changed_signed_case_supersedes_its_documents_and_billing_gets_the_new_packet(
    live_server, browser, signed_case
):
    app, logins, case_id = signed_case
    change_minutes(app, logins, case_id, 20)  # voids the signature

    clinician = open_as(browser, live_server, logins["clinician"])
    clinician.goto(f"{live_server}/cases/{case_id}/documents")
    for kind in ("packet", "instructions", "swo"):
        rows = clinician.locator(f"#documents-{kind} tbody tr")
        assert rows.count() >= 1
        for n in range(rows.count()):
            assert "Superseded" in rows.nth(n).inner_text(), (kind, n)
            assert "Current" not in rows.nth(n).inner_text(), (kind, n)
    packet_row = clinician.locator("#documents-packet tbody tr").first.inner_text()
    assert "made before the case or its signature last changed" in packet_row
    assert serious_violations(clinician) == []
    assert clinician.errors == []
    clinician.locator("#documents-packet").scroll_into_view_if_needed()
    shot(clinician, "documents-superseded")

    billing = open_as(browser, live_server, logins["billing"])
    billing.goto(f"{live_server}/billing/cases/{case_id}")
    documents_card = billing.locator("section", has=billing.locator("#docs-heading"))
    packet_rows = documents_card.locator("tbody tr", has_text="PACKET")
    assert "Superseded" in packet_rows.first.inner_text()
    text = pdf_text(download_packet(billing))
    assert NEW in text and OLD not in text
    assert SIGNED not in text  # the void took the signature off; the packet does not claim it

    sign_again(app, logins, case_id)
    billing.goto(f"{live_server}/billing/cases/{case_id}")
    text = pdf_text(download_packet(billing))
    assert NEW in text and OLD not in text and SIGNED in text
    billing.reload()
    packet_rows = billing.locator("section", has=billing.locator("#docs-heading")).locator(
        "tbody tr", has_text="PACKET"
    )
    assert "Current" in packet_rows.first.inner_text()
    assert serious_violations(billing) == []
    assert billing.errors == []
    shot(billing, "billing-claim-packet")
