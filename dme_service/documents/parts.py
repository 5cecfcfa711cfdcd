"""Pieces shared by the LMN and the SWO: the signature block and the letterhead.

A document without a signature event says plainly that it awaits one; it never carries a
stamped or typed-in signature (PIM ch. 3 §3.3.2.4: no signature stamps).
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.types import RenderOptions


def author(options: RenderOptions) -> str | None:
    """The PDF's /Author: the practitioner once the document is signed; before that the
    clinic (an unsigned draft is nobody's letter yet)."""
    if options.signature is not None:
        return options.signature.name
    return options.clinic.name if options.clinic else None


def signature_context(case: Case, options: RenderOptions) -> dict:
    """Who signs (the case's treating practitioner) and, when signed, the e-signature line."""
    signer = case.treating_practitioner
    signature = options.signature
    context = {
        "name": signer.name,
        "credential": signer.credential,
        "npi": signer.npi,
        "may_sign": signer.may_sign,
        "signed": signature is not None,
        "statement": None,
        "date": None,
        # Printed to be signed in ink: blank signature and date lines.
        "wet_ink": options.wet_ink and signature is None,
    }
    if signature is not None:
        context["statement"] = signature.statement()
        context["date"] = w.long_date(signature.signed_at.date())
    return context
