"""The printed instructions for a patient link (kind "instructions", English or Spanish).

The PDF is the documents layer's (`documents.renderer`, the same catalogs as the web page),
rendered under the web limits (docs/security.md PDF-3: a child process with a wall clock) and
audited as a print (LOG-1). The patient prints their own copy from their pages; the
clinician prints one with the link's QR code right after making the link, the only moment
the raw token exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import Case, Clinic, PatientLink, utcnow
from dme_service.services.clinic.printed import printed_clinic
from dme_service.services.followed_order import as_followed
from dme_service.services.patient.links import PATIENT, is_live, token_hash
from dme_service.store.cases import CaseIncomplete, parsed_and_decided


class NotPrintable(ValueError):
    """The case cannot make patient instructions yet (a draft, no dose, contraindicated)."""


def decided_case(case: Case):
    """The case as the documents read it and its decision, or NotPrintable for a draft."""
    try:
        return parsed_and_decided(case)
    except CaseIncomplete as incomplete:
        raise NotPrintable("the case is not complete yet") from incomplete


def can_print(session: Session, link: PatientLink) -> bool:
    """True when the link's case makes a printed copy (it parses and has a dose to teach)."""
    from dme_service.services.patient.home_plan import home_plan

    case = session.get(Case, link.case_id)
    try:
        decided_case(case)
    except NotPrintable:
        return False
    return home_plan(session, case).has_dose


def render_instructions(
    session: Session,
    link: PatientLink,
    lang: str,
    *,
    user=PATIENT,
    link_url: str | None = None,
    render: Callable | None = None,
    now: datetime | None = None,
):
    """The instructions PDF of the link's case, audited as a print. Commits."""
    from dme_service.documents.types import DocumentRefused

    case = session.get(Case, link.case_id)
    parsed, decision = decided_case(case)
    options = _options(session, case, lang, now or utcnow(), link_url)
    zone = session.get(Clinic, case.clinic_id).timezone
    parsed, followed = as_followed(session, case, parsed, zone)
    options.update(followed)
    session.commit()  # no lock is held during the slow render
    if render is None:
        from dme_service.documents.bounded import render_bounded as render
    try:
        rendered = render("instructions", parsed, decision, **options)
    except DocumentRefused as refused:
        raise NotPrintable(refused.message) from None
    audit.case_event(session, user, "instructions.print", case)
    session.commit()
    return rendered


def _options(session: Session, case: Case, lang: str, now: datetime, link_url: str | None):
    """What the renderer needs besides the case: the standing signature, the clinic, the QR."""
    from dme_service.services.clinic.clinic_time import local
    from dme_service.services.clinic.printed import current_signature

    clinic = session.get(Clinic, case.clinic_id)
    return {
        "lang": lang,
        "now": local(now, clinic.timezone),  # printed on the clinic's day
        "signature": current_signature(session, case, clinic.timezone),
        "clinic": printed_clinic(clinic),
        "link_url": link_url,
        "case_number": case.id,
    }


def link_for_token(session: Session, case: Case, raw: str) -> PatientLink | None:
    """The case's live link for a raw token the clinician's page carried, or None."""
    link = session.scalar(select(PatientLink).where(PatientLink.token_hash == token_hash(raw)))
    if link is None or link.case_id != case.id or not is_live(link):
        return None
    return link
