"""No download path ever hands out a document older than the case and its signature, unless it
is a stored version asked for by its own id, and then it is labelled superseded.

Table-driven over every way a PDF leaves the service: the case's "Download current" (web; the
button's POST and a GET of the same address, which never makes a version), the
documents page's listed versions, the billing claim page's packet button, the JSON API's
document and the urls its case view lists, the FHIR letter reference, the signed-order
download, the patient's printed instructions (patient side and the clinician's QR print), the
ink print and review PDFs, and the command line's `render`. Each is driven after a change of
the order (15 -> 20 minutes), after a void and a new signature, and after an amended order
(a paid claim's order made again), and the PDF is read back with pypdf.
While a changed order waits for its new signature, the patient's instructions keep the dose
last signed and say that the plan is being changed (docs/domain.md §10).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from types import SimpleNamespace

import pytest
from documents.pdfs import page_texts
from documents.pdfs import text as pdf_text
from services.case_steps import save, standard_case

from dme_service.db import get_session
from dme_service.models import Case, Document, User
from dme_service.services import signing
from dme_service.services.patient import links as patient_links
from web.api_helpers import bearer, token_for

pytestmark = pytest.mark.slow

# What each document prints of the order's time per session, by minutes.
DOSE = {
    ("swo", "en"): "Time {m} minutes per session",
    ("lmn", "en"): "for {m} minutes per session",
    ("instructions", "en"): "Time: {m} minutes.",
    ("instructions", "es"): "Tiempo: {m} minutos.",
    ("packet", "en"): "Time {m} minutes per session",
    ("submission", "en"): "Time {m} minutes per session",
    ("summary", "en"): "for {m} minutes per session",
}
SIGNED_MARK = "Electronically signed by"


@dataclass
class World:
    app: object
    db: object
    case_id: int
    clinician: object
    practitioner: object
    web: object  # the clinician's browser
    billing: object  # billing's browser
    api: dict  # the clinician's bearer headers

    @property
    def case(self) -> Case:
        self.db.expire_all()
        return self.db.get(Case, self.case_id)


@pytest.fixture
def world(app, db_session, clinic, make_user, session_client):
    clinician = make_user("clinician", credential="PT")
    practitioner = make_user("practitioner", credential="MD")
    biller = make_user("billing")
    case = standard_case(db_session, clinician, practitioner)
    # Sessions are made in an app context of their own, which lets go of these rows: keep ids.
    ids = {u.role: (u.id, u.role) for u in (clinician, practitioner, biller)}
    api = bearer(token_for(db_session, clinician))
    case_id = case.id
    web = session_client(SimpleNamespace(id=ids["clinician"][0], role="clinician"))
    billing = session_client(SimpleNamespace(id=ids["billing"][0], role="billing"))
    # Those app contexts ended the test's Session too; requests (inside the test's app
    # context) and the test share the one the registry gives now.
    db_session = get_session()
    found = World(
        app,
        db_session,
        case_id,
        db_session.get(User, ids["clinician"][0]),
        db_session.get(User, ids["practitioner"][0]),
        web,
        billing,
        api,
    )
    db_session.commit()  # SQLite: a read holds the write lock until its transaction ends
    return found


def change_minutes(world: World, minutes: int) -> None:
    """The clinician changes the order's time per session (and its frequency sentence)."""
    case = world.case
    rx = case.home_prescription
    request = {
        "hcpcs": rx.hcpcs,
        "force_lb": rx.force_lb,
        "minutes": minutes,
        "sessions_per_day": rx.sessions_per_day,
        "length_of_need_months": rx.length_of_need_months,
        "frequency_text": f"{minutes} minutes, twice daily",
    }
    save(world.db, world.clinician, case, "prescription", {"request": request}, confirm_void=True)


def sign(world: World) -> None:
    signing.sign(world.db, world.case_id, world.practitioner, expected_version=world.case.version)


def render_everything(world: World) -> None:
    """Every kind stored once, through the documents page's buttons."""
    for kind, lang in DOSE:
        if kind in ("swo", "lmn") and signing_stands(world):
            continue  # the signed ones are stored at signing and never made again
        response = world.web.post(
            f"/cases/{world.case_id}/documents", data={"kind": kind, "lang": lang}
        )
        assert response.status_code == 303, (kind, lang, response.status_code)


def signing_stands(world: World) -> bool:
    from dme_service.store.signed_content import check_signature

    valid = check_signature(world.db, world.case).valid
    world.db.commit()
    return valid


# --- the download paths --------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One PDF as a path handed it out: its bytes, and whether it was labelled superseded."""

    pdf: bytes
    superseded: bool
    where: str


def pdf_of(response, where: str) -> Download:
    assert response.status_code == 200, (where, response.status_code)
    assert response.mimetype == "application/pdf", where
    disposition = response.headers.get("Content-Disposition", "")
    superseded = (
        "superseded" in disposition or response.headers.get("X-Document-State") == "superseded"
    )
    return Download(response.data, superseded, where)


def web_current(world, kind, lang):
    """The "Download current" button's POST (it makes the version when needed), then the same
    address fetched by a GET, which sends the stored current version only."""
    url = f"/cases/{world.case_id}/documents/{kind}/current"
    made = pdf_of(world.web.post(url, data={"lang": lang}), f"web POST {url}")
    return [made, pdf_of(world.web.get(f"{url}?lang={lang}"), f"web GET {url}")]


def web_current_get_first(world, kind, lang):
    """The GET before any POST: the stored current version, or the page saying none is stored
    (409, no PDF), never an older one and never a new one made."""
    url = f"/cases/{world.case_id}/documents/{kind}/current?lang={lang}"
    response = world.web.get(url)
    if response.status_code == 409:
        assert response.mimetype == "text/html", url
        return [pdf_of(world.web.post(url.split("?")[0], data={"lang": lang}), f"web POST {url}")]
    return [pdf_of(response, f"web GET {url}")]


def api_document(world, kind, lang):
    """The API's GET: the stored current version, or 409 naming the POST that makes one."""
    url = f"/api/v1/cases/{world.case_id}/documents/{kind}?lang={lang}"
    response = world.web.get(url, headers=world.api)
    if response.status_code == 409:
        assert "POST" in response.get_json()["error"]["message"], url
        made = world.web.post(url, headers=world.api)
        assert made.status_code == 201, (url, made.status_code)
        response = world.web.get(url, headers=world.api)
    return [pdf_of(response, f"api {url}")]


def api_listed(world, kind, lang):
    """Every version the API's case view lists, fetched at the url it gives."""
    view = world.web.get(f"/api/v1/cases/{world.case_id}", headers=world.api).get_json()
    found = []
    for listed in view["documents"]:
        if (listed["kind"], listed["lang"]) != (kind, lang):
            continue
        client = world.web
        got = pdf_of(client.get(listed["url"], headers=world.api), f"api list {listed['url']}")
        # The view's flag and the file's label say the same.
        assert got.superseded == (not listed["current"]), listed
        assert listed["case_version"] is not None
        found.append(got)
    return found


def documents_page(world, kind, lang):
    """The case's documents page: its "Download current" button, then every version row by
    its link; a row shown as Current must be current, a Superseded one labelled superseded."""
    html = world.web.get(f"/cases/{world.case_id}/documents").get_data(as_text=True)
    block = html.split(f'id="documents-{kind}"', 1)[1].split('class="document-kind', 1)[0]
    action, data = current_button(block, lang)
    found = [pdf_of(world.web.post(action, data=data), f"documents page button {action}")]
    for row in re.findall(r"<tr(?: class=\"superseded\")?>\s*<td>.*?</tr>", block, re.S):
        if ("Spanish" in row) != (lang == "es"):
            continue
        shown_current = "badge-eligible" in row
        link = unescape(re.search(r'href="([^"]+/download)"', row).group(1))
        got = pdf_of(world.web.get(link), f"documents page row {link}")
        assert got.superseded == (not shown_current), (link, row)
        found.append(got)
    return found


def billing_claim_page(world, kind, lang):
    """Billing's claim page: the packet button, then each listed packet version's link."""
    html = world.billing.get(f"/billing/cases/{world.case_id}").get_data(as_text=True)
    action, data = current_button(html, lang, "/documents/packet/current")
    found = [pdf_of(world.billing.post(action, data=data), f"billing packet button {action}")]
    for row in re.findall(r"<tr[^>]*>\s*<td>PACKET</td>.*?</tr>", html, re.S):
        link = unescape(re.search(r'href="([^"]+/download)"', row).group(1))
        got = pdf_of(world.billing.get(link), f"billing claim row {link}")
        assert got.superseded == ("Current" not in row), (link, row)
        found.append(got)
    return found


def current_button(html: str, lang: str, action_ends: str = "/current") -> tuple[str, dict]:
    """The form of a "Download current" button for `lang`: its action and what it posts."""
    for form in re.findall(r"<form [^>]*>.*?</form>", html, re.S):
        action = re.search(r'action="([^"]+)"', form).group(1)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        if action.endswith(action_ends) and fields.get("lang") == lang:
            assert 'method="post"' in form, form
            return unescape(action), fields
    raise AssertionError(f"no Download current button for {lang}")


def signed_order_download(world, kind, lang):
    """The signing pages' download of a stored SWO or LMN by id."""
    ids = [d.id for d in world.db.query(Document).filter_by(case_id=world.case_id, kind=kind)]
    world.db.commit()
    found = []
    for document_id in ids:
        url = f"/signing/documents/{document_id}.pdf"
        found.append(pdf_of(world.web.get(url), f"signed order {url}"))
    return found


def patient_pdf(world, kind, lang):
    _, raw = patient_links.create_link(world.db, world.case, world.clinician, lang=lang)
    patient = world.app.test_client()
    assert patient.get(f"/p?t={raw}").status_code == 303
    return [pdf_of(patient.get(f"/patient/instructions.pdf?lang={lang}"), "patient page")]


def staff_qr_print(world, kind, lang):
    html = world.web.post(f"/cases/{world.case_id}/patient-link", data={"lang": lang}).get_data(
        as_text=True
    )
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    url = f"/cases/{world.case_id}/patient-link/print"
    return [pdf_of(world.web.post(url, data={"token": token}), "clinician QR print")]


def ink_review(world, kind, lang):
    url = f"/signing/cases/{world.case_id}/review.pdf"
    return [pdf_of(world.web.get(url), "review PDF")]


def command_line(world, kind, lang, tmp_path):
    """`dme-service render` of the case document the API gives for the case."""
    from dme_service.cli import main

    view = world.web.get(f"/api/v1/cases/{world.case_id}", headers=world.api).get_json()
    source = tmp_path / f"case-{kind}-{lang}.json"
    source.write_text(json.dumps(view["case"]))
    out = tmp_path / f"{kind}-{lang}.pdf"
    args = ["render", str(source), "--document", kind, "--lang", lang, "-o", str(out)]
    assert main(args) == 0
    return [Download(out.read_bytes(), False, "command line render")]


# (path, the kinds it hands out)
ALL = tuple(DOSE)
PATHS = [
    (web_current_get_first, ALL),
    (web_current, ALL),
    (api_document, ALL),
    (api_listed, ALL),
    (documents_page, ALL),
    (billing_claim_page, (("packet", "en"),)),
    (signed_order_download, (("swo", "en"), ("lmn", "en"))),
    (patient_pdf, (("instructions", "en"), ("instructions", "es"))),
    (staff_qr_print, (("instructions", "en"),)),
    (ink_review, (("swo", "en"),)),
    (command_line, ALL),
]
CASES = [(path, kind, lang) for path, kinds in PATHS for kind, lang in kinds]


def downloads(world, path, kind, lang, tmp_path):
    if path is command_line:
        return path(world, kind, lang, tmp_path)
    return path(world, kind, lang)


def problems(download: Download, kind: str, lang: str, minutes: int, old: int, signed=None):
    """What is wrong with a download not labelled superseded: it must print the current
    minutes, never the old ones, and (when `signed` is given) be signed or not."""
    if download.superseded:
        return []  # an older version asked for by its id, and labelled so
    text = pdf_text(download.pdf)
    phrase = DOSE[(kind, lang)]
    found = []
    if phrase.format(m=minutes) not in text:
        found.append(f"{download.where}: no {phrase.format(m=minutes)!r}")
    if phrase.format(m=old) in text:
        found.append(f"{download.where}: still {phrase.format(m=old)!r}")
    if signed is not None and (SIGNED_MARK in text) != signed:
        found.append(f"{download.where}: {'not ' if signed else ''}signed")
    return found


def every_path(world, tmp_path, minutes, old, signed_kinds=None, patient_keeps=None):
    """Each path's downloads checked; returns every problem (all paths run before failing).

    `patient_keeps`: while a changed order waits for a new signature, the patient's
    instructions keep the minutes last signed and say the plan is being changed (the command
    line renders a case file, which knows no signature)."""
    found = []
    for path, kinds in PATHS:
        for kind, lang in kinds:
            got = downloads(world, path, kind, lang, tmp_path)
            if not got:
                found.append(f"{path.__name__} {kind} {lang}: nothing handed out")
            signed = None
            if signed_kinds is not None and path not in UNSIGNED_BY_DESIGN:
                signed = kind in signed_kinds
            expected, never = minutes, old
            keeps = patient_keeps is not None and kind == "instructions"
            if keeps and path is not command_line:
                expected, never = patient_keeps, minutes
            for download in got:
                found += problems(download, kind, lang, expected, never, signed)
                if download.superseded or expected == minutes:
                    continue
                if CHANGING[lang] not in pdf_text(download.pdf):
                    found.append(f"{download.where}: does not say the plan is being changed")
    return found


CHANGING = {"en": "Your plan is being changed.", "es": "Su plan está cambiando."}


# The practitioner's review copy is the unsigned order by design; the command line renders a
# case file, which carries no signature.
UNSIGNED_BY_DESIGN = (ink_review, command_line)
# What prints the practitioner's signature once the order is signed.
SIGNED_KINDS = {"swo", "lmn", "packet", "submission"}


def mentions(text: str, digests: set[str]) -> bool:
    return any(digest in text for digest in digests)


def fhir_letter_problems(world) -> list[str]:
    """The FHIR Bundle's letter reference names only a current LMN's SHA-256."""
    view = world.web.get(f"/api/v1/cases/{world.case_id}", headers=world.api).get_json()
    current = {d["sha256"] for d in view["documents"] if d["kind"] == "lmn" and d["current"]}
    older = {d["sha256"] for d in view["documents"] if d["kind"] == "lmn" and not d["current"]}
    bundle = world.web.get(f"/api/v1/cases/{world.case_id}/fhir", headers=world.api).get_json()
    letters = [
        e["resource"]["description"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    found = [f"FHIR letter names an older LMN: {t}" for t in letters if mentions(t, older)]
    found += [f"FHIR letter not a current LMN: {t}" for t in letters if not mentions(t, current)]
    return found


def test_after_a_change_no_path_hands_out_the_older_order(world, tmp_path):
    render_everything(world)
    change_minutes(world, 20)
    assert fhir_letter_problems(world) == []  # before any new LMN: no letter is referenced
    assert every_path(world, tmp_path, minutes=20, old=15) == []
    assert fhir_letter_problems(world) == []


def test_after_a_void_and_a_new_signature_every_path_hands_out_the_new_signed_order(
    world, tmp_path
):
    sign(world)
    render_everything(world)  # the packet and the rest, made under the first signature
    change_minutes(world, 20)  # voids it
    assert not signing_stands(world)
    waiting = every_path(world, tmp_path, minutes=20, old=15, signed_kinds=set(), patient_keeps=15)
    assert waiting == []
    sign(world)
    assert every_path(world, tmp_path, minutes=20, old=15, signed_kinds=SIGNED_KINDS) == []


def test_after_an_amended_order_every_path_hands_out_the_amended_order(world, tmp_path):
    from dme_service.services import order_amendment

    sign(world)
    render_everything(world)  # made under the signature the paid claim keeps
    world.case.billing_state = "paid"
    world.db.commit()
    order_amendment.amend(
        world.db,
        world.case_id,
        world.clinician,
        "20 minutes were ordered; 15 was a typing slip.",
        expected_version=world.case.version,
    )
    change_minutes(world, 20)
    # The paid claim's signature is superseded, not voided: nothing signed stands until the
    # practitioner signs order version 2 (signing again is the void test's second half).
    waiting = every_path(world, tmp_path, minutes=20, old=15, signed_kinds=set(), patient_keeps=15)
    assert waiting == []


def test_a_packet_after_signing_holds_the_signed_order_itself(world):
    sign(world)
    packet = world.billing.post(f"/cases/{world.case_id}/documents/packet/current").data
    for kind in ("swo", "lmn"):
        signed = (
            world.db.query(Document)
            .filter_by(case_id=world.case_id, kind=kind, superseded_at=None)
            .one()
        )
        pages = page_texts(signed.content)
        # a carried page also prints the packet's own page number below its footer
        carried = [re.sub(r" ?Packet page \d+ of \d+$", "", page) for page in page_texts(packet)]
        assert all(page in carried for page in pages), kind
