"""A case's documents on the web: render a new version, preview it, download it.

Renders run in a bounded child process (docs/security.md PDF-3): a render that runs out of time
answers 503 with an error id and stores nothing. PDFs are sent with `no-store`, `nosniff` and
a file name made of the kind and the row id only (PDF-4); every version stays downloadable,
superseded ones marked as such on the case page. "Download current" is a form button (POST, with
the CSRF token): the file is made from the case and signature as they are now, and the service
makes a new version first when the stored one is older (services/document_freshness.py). A GET
never makes one (OUT-3): the same address fetched by a link, another site or a prefetch sends the
stored current version, or the documents page saying there is none yet. An older version is only
ever sent by its own id, and its file name then says it is superseded.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from dme_service.db import get_session
from dme_service.services import documents as service
from dme_service.services.cases.reading import read_case
from dme_service.services.documents import DOCUMENT_KINDS
from dme_service.store.cases import CaseNotFound
from dme_service.web.errors import Refused
from dme_service.web.forms import no_input_to_keep
from dme_service.web.responses import pdf_response
from dme_service.web.security.access import BILLING, CLINICIAN, PRACTITIONER, safe_next

bp = Blueprint("documents", __name__)

# Who may print a case's documents (billing prints the packet it submits).
RENDER_ROLES = frozenset({CLINICIAN, PRACTITIONER, BILLING})
RENDER_TIMEOUT_SECONDS = 20.0  # PDF-3; DOCUMENT_RENDER_TIMEOUT in the config overrides it


MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; a larger one cannot exist


@bp.url_value_preprocessor
def _refuse_impossible_ids(endpoint, values) -> None:
    """A larger id would overflow the database's integer (a 500); it cannot exist: 404."""
    if values and any(values.get(name, 0) > MAX_ID for name in ("case_id", "document_id")):
        raise Refused(404, "There is no such case or document in your clinic.", _back_step())


@bp.app_context_processor
def _document_helpers() -> dict:
    """What the `_case_documents.html` partial needs besides `case`."""
    return {
        "document_versions": lambda case: service.versions_of(get_session(), case),
        "signed_documents": lambda case: service.signed_document_ids(get_session(), case),
        "document_refusals": lambda case: service.refusals(get_session(), case),
        "document_kinds": DOCUMENT_KINDS,
        "document_labels": service.KIND_LABELS,
        "document_purposes": service.KIND_PURPOSES,
        "document_languages": service.LANGUAGES,
        "language_names": service.LANGUAGE_NAMES,
        "may_render": current_user.is_authenticated and current_user.role in RENDER_ROLES,
    }


@bp.get("/cases/<int:case_id>/documents")
def index(case_id: int):
    """The case's documents: every kind with its versions, and the render buttons."""
    return _page(case_id)


@bp.post("/cases/<int:case_id>/documents")
@no_input_to_keep("a button: the kind and language are chosen from fixed lists, not typed")
def render(case_id: int):
    """Render a new version, then back to the page the button was on (Post/Redirect/Get)."""
    kind = request.form.get("kind", "")
    lang = request.form.get("lang", "en")
    try:
        document = _made(service.render_document, case_id, kind, lang, render=_bounded_render)
    except service.CaseNotReady as problem:
        return _page(case_id, problem=_problem(kind, lang, problem), status=422)
    target = safe_next(request.form.get("next"), url_for(".index", case_id=case_id))
    anchor = f"#documents-{document.kind}"
    return redirect(target.split("#", 1)[0] + anchor, code=303)


@bp.get("/cases/<int:case_id>/documents/<kind>/current")
def current(case_id: int, kind: str):
    """The stored version made from the case and signature as they are now, as a file; when
    none is stored, the documents page says so beside the kind's "Download current" button."""
    lang = request.args.get("lang", "en")
    try:
        document = _made(service.stored_current, case_id, kind, lang)
    except service.CaseNotReady as problem:
        return _page(case_id, problem=_problem(kind, lang, problem), status=422)
    except service.NoCurrentVersion:
        return _page(case_id, problem=_not_made(kind, lang), status=409)
    except service.DocumentTampered:
        raise Refused(500, TAMPERED_WHAT, TAMPERED_NEXT) from None
    return _sent(document, current=True)


@bp.post("/cases/<int:case_id>/documents/<kind>/current")
@no_input_to_keep("a button: the kind and language are chosen from fixed lists, not typed")
def make_current(case_id: int, kind: str):
    """The "Download current" button: the document made from the case and signature as they
    are now, as a file; made (and stored) first when the stored one is older or none is."""
    lang = request.form.get("lang", "en")
    try:
        document = _made(service.current_document, case_id, kind, lang, render=_bounded_render)
    except service.CaseNotReady as problem:
        return _page(case_id, problem=_problem(kind, lang, problem), status=422)
    except service.DocumentTampered:
        raise Refused(500, TAMPERED_WHAT, TAMPERED_NEXT) from None
    return _sent(document, current=True)


def _made(make, case_id: int, kind: str, lang: str, **options):
    """The document `make` (a documents service) gives; no such case or kind is the page
    saying so."""
    try:
        return make(get_session(), current_user, case_id, kind, lang, **options)
    except CaseNotFound:
        raise Refused(404, "There is no such case in your clinic.", _back_step()) from None
    except service.DocumentNotFound:
        raise Refused(404, f"There is no document kind {kind!r}.", _back_step()) from None


@bp.get("/cases/<int:case_id>/documents/<int:document_id>/preview")
def preview(case_id: int, document_id: int):
    """The PDF shown in the browser's viewer (inline), for reading before printing."""
    document = _fetch(case_id, document_id, "document.preview")
    return _sent(document, current=_is_current(case_id, document), inline=True)


@bp.get("/cases/<int:case_id>/documents/<int:document_id>/download")
def download(case_id: int, document_id: int):
    """The PDF as a file to save or print."""
    document = _fetch(case_id, document_id, "document.download")
    return _sent(document, current=_is_current(case_id, document))


def _is_current(case_id: int, document) -> bool:
    return service.is_current(get_session(), current_user, case_id, document)


def _sent(document, *, current: bool, inline: bool = False):
    """The stored PDF; one that is not current says so in its file name and a header."""
    response = pdf_response(
        document.content, service.filename(document.kind, document.id, current), inline=inline
    )
    response.headers["X-Document-State"] = "current" if current else "superseded"
    return response


TAMPERED_WHAT = (
    "The stored file no longer matches the fingerprint (SHA-256) recorded when it was made, so "
    "it was not sent: it may have been altered."
)
TAMPERED_NEXT = (
    "Render the document again from the case page, and tell your clinic administrator, "
    "quoting the error id below."
)


def _fetch(case_id: int, document_id: int, action: str):
    try:
        return service.fetch(get_session(), current_user, case_id, document_id, action=action)
    except (CaseNotFound, service.DocumentNotFound):
        raise Refused(404, "There is no such document in your clinic.", _back_step()) from None
    except service.DocumentTampered:
        raise Refused(500, TAMPERED_WHAT, TAMPERED_NEXT) from None


def _bounded_render(kind, case, decision, **options):
    """The render in a child process with a wall clock and a memory ceiling (PDF-3)."""
    from dme_service.documents.bounded import RenderFailed, RenderTimeout, render_bounded

    timeout = current_app.config.get("DOCUMENT_RENDER_TIMEOUT", RENDER_TIMEOUT_SECONDS)
    try:
        return render_bounded(kind, case, decision, timeout=timeout, **options)
    except RenderTimeout:
        raise Refused(
            503,
            f"Printing took longer than {timeout:g} seconds and was stopped; nothing was saved.",
            "Wait a minute and press the button again. If it keeps happening, quote the "
            "error id below.",
        ) from None
    except RenderFailed:
        raise Refused(
            503,
            "Printing failed on our side; nothing was saved.",
            "Press the button again. If it keeps happening, quote the error id below.",
        ) from None


def _problem(kind: str, lang: str, problem: service.CaseNotReady) -> dict:
    """What the page shows next to the render button that failed (LOG-4)."""
    lines = [f"{error.field}: {error.message}" for error in problem.errors]
    return {"kind": kind, "lang": lang, "lines": lines}


NOT_MADE = (
    "No copy made from the case as it is now is stored yet, so none was sent. Press "
    '"Download current" to make one and download it.'
)


def _not_made(kind: str, lang: str) -> dict:
    """What the page shows beside the kind whose current version is not stored yet."""
    return {"kind": kind, "lang": lang, "lines": [], "what": NOT_MADE}


def _page(case_id: int, *, problem: dict | None = None, status: int = 200):
    try:
        case = read_case(get_session(), current_user, case_id)
    except CaseNotFound:
        raise Refused(404, "There is no such case in your clinic.", _back_step()) from None
    title = f"Documents · {case.patient.name}"
    html = render_template("documents/index.html", case=case, title=title, problem=problem)
    return html, status


def _back_step() -> str:
    return "Open the case again from your home page."
