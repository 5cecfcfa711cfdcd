"""A clinic's first day in a real browser (issue 13 "Done when"): on a fresh database,
`dme-service clinic create` -> open the link -> set a password -> sign in as admin -> invite a
PT and an outside MD -> both set passwords and sign in -> the PT routes an order to the
outside MD, who signs it. Screenshots of each step go to the screenshot folder."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from stdnum import luhn

from browser import screenshot_dir
from browser.pages import VIEWPORT
from browser.test_clinician import create_case, enter_standard_case
from dme_service.cli import main
from dme_service.db import get_session
from dme_service.models import Case, User

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
NPI = "104583726" + luhn.calc_check_digit("80840104583726")
PASSWORDS = {
    "it@lakeside.example": "green kettle on the stove",
    "maria@lakeside.example": "walks to the river each day",
    "okafor@ortho.example": "orthopedics across town",
}


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"setup-{name}.png"), full_page=True)


def fresh_page(browser):
    return browser.new_context(viewport=VIEWPORT).new_page()


def set_password_and_sign_in(page, link: str, email: str, shot_name: str | None = None):
    page.goto(link)
    assert page.get_by_role("heading", name="Choose your password").is_visible()
    page.get_by_label("New password", exact=True).fill(PASSWORDS[email])
    page.get_by_label("New password again").fill(PASSWORDS[email])
    if shot_name:
        shot(page, shot_name)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_load_state()
    assert "Your password is set" in page.content(), page.inner_text("main")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def invite(page, base_url: str, **fields) -> str:
    page.goto(f"{base_url}/admin/users/new")
    page.get_by_label("E-mail address").fill(fields["email"])
    page.get_by_label("Name as letters print it").fill(fields["name"])
    page.get_by_label("Role").select_option(fields["role"])
    page.get_by_label("Credential").select_option(fields["credential"])
    if fields.get("npi"):
        page.get_by_label("NPI").fill(fields["npi"])
    if fields.get("outside"):
        page.get_by_label("From outside the clinic").check()
    page.get_by_role("button", name="Invite").click()
    page.wait_for_load_state()
    return page.locator("#set-password-link").inner_text().strip()


def look_at_letterhead(pdf: bytes, npi: str) -> None:
    """What the admin typed in the clinic profile heads the order the MD reads (the first page
    is also kept as a PNG beside the screenshots, to look at)."""
    import io
    import subprocess

    from pypdf import PdfReader

    first = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Lakeside Spine & PT" in first
    assert "Phone (555) 010-2000 · Fax (555) 010-2001" in first
    assert f"Organization NPI {npi} · Medicare supplier number (PTAN) LK1234567" in first
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "setup-5b-order-letterhead.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        + [str(SCREENSHOTS / "setup-5b-order-letterhead.pdf")]
        + [str(SCREENSHOTS / "setup-5b-order-letterhead")],
        check=True,
    )


def test_a_clinic_sets_itself_up_and_an_outside_md_signs(
    live_server, browser, app, monkeypatch, database_url, capsys
):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    monkeypatch.setenv("DME_BASE_URL", live_server)  # for the command
    app.config["BASE_URL"] = live_server  # the server, as if started with it
    code = main(
        [
            "clinic",
            "create",
            "--name",
            "Lakeside Spine & PT",
            "--timezone",
            "America/Chicago",
            "--admin-email",
            "it@lakeside.example",
            "--admin-name",
            "Sam Ortiz",
            "--phone",
            "(555) 010-2000",
        ]
    )
    assert code == 0
    admin_link = re.search(rf"{re.escape(live_server)}/set-password/\S+", capsys.readouterr().out)

    admin = fresh_page(browser)
    set_password_and_sign_in(admin, admin_link.group(0), "it@lakeside.example", "1-set-password")
    assert admin.get_by_role("heading", name="Users").is_visible()
    pt_link = invite(
        admin,
        live_server,
        email="maria@lakeside.example",
        name="Maria Alvarez",
        role="clinician",
        credential="PT",
    )
    md_link = invite(
        admin,
        live_server,
        email="okafor@ortho.example",
        name="Daniel Okafor",
        role="practitioner",
        credential="MD",
        npi=NPI,
        outside=True,
    )
    shot(admin, "2-invitation-sent")
    admin.goto(live_server)
    shot(admin, "3-admin-users")
    admin.get_by_role("link", name="Clinic profile").click()
    admin.get_by_label("Organization NPI").fill(NPI)
    admin.get_by_label("Tax id (EIN)").fill("12-345678")  # one digit short
    admin.get_by_role("button", name="Save the clinic profile").click()
    admin.wait_for_load_state()
    assert "A tax id (EIN) has 9 digits" in admin.content()
    shot(admin, "3b-clinic-profile-error")
    admin.get_by_label("Tax id (EIN)").fill("12-3456789")
    admin.get_by_label("Fax").fill("(555) 010-2001")
    admin.get_by_label("Medicare supplier number (PTAN)").fill("LK1234567")
    admin.get_by_role("button", name="Save the clinic profile").click()
    admin.wait_for_load_state()
    assert "Saved." in admin.content()

    pt = fresh_page(browser)
    set_password_and_sign_in(pt, pt_link, "maria@lakeside.example")
    assert pt.get_by_role("heading", name="My cases").is_visible()
    md = fresh_page(browser)
    set_password_and_sign_in(md, md_link, "okafor@ortho.example")
    assert md.get_by_text("Nothing to sign").is_visible()

    with app.app_context():
        doctor = get_session().scalar(select(User).where(User.email == "okafor@ortho.example"))
    case_id = create_case(pt, live_server)
    enter_standard_case(pt, doctor)
    pt.goto(f"{live_server}/cases/{case_id}")
    shot(pt, "4-pt-case-routed")
    assert "Remind Daniel Okafor by e-mail" in pt.content()

    md.goto(live_server)
    md.get_by_role("link", name="Maria Alvarez").click()
    md.wait_for_load_state()
    shot(md, "5-outside-md-sign-page")
    href = md.get_by_role("link", name="Read the unsigned order and letter").get_attribute("href")
    review = md.request.get(f"{live_server}{href}")
    assert review.status == 200 and review.headers["content-type"] == "application/pdf"
    look_at_letterhead(review.body(), NPI)
    md.locator("input[name=confirm]").check()
    md.get_by_label("Your password").fill(PASSWORDS["okafor@ortho.example"])
    md.get_by_role("button", name="Sign order and letter").click()
    md.wait_for_load_state()
    shot(md, "6-outside-md-signed")
    assert md.get_by_text("Valid").first.is_visible()
    # The outside MD sees nothing else of the clinic.
    assert md.request.get(f"{live_server}/cases/{case_id}").status == 403
    assert md.request.get(f"{live_server}/cases").status == 403
    with app.app_context():
        db = get_session()
        db.expire_all()
        # Signing moves the claim to "signed" (it waits for billing's review).
        assert db.get(Case, int(case_id)).billing_state == "signed"
