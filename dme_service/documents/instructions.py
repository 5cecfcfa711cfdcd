"""The patient's instructions, in English or Spanish (domain.md §10 and §9.4).

Only the unit on the order, with the order's numbers: the dose in large type on page 1
with the stop rules and red flags, set-up steps for that unit, how it should feel, the
warning against unsupervised inversion tables (naming the patient's own high-risk
condition), the low-back note, the clinic's phone and a 14-day log for the follow-up.
The sentences the phone page shares are in dme_service/documents/instructions_text.py (msgids marked
for gettext), the rest in the template; Spanish comes from the catalog.
"""

from __future__ import annotations

import base64
import io

from dme_service.case.length_of_need import is_lifetime
from dme_service.case.model import INVERSION_HIGH_RISK, Case
from dme_service.documents import instructions_text as sentences
from dme_service.documents import wording as w
from dme_service.documents.i18n import Gettext
from dme_service.documents.swo import REQUIRED_DOSE
from dme_service.documents.types import DocumentRefused, DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

PNEUMATIC = ("E0849", "E0855", "E0856")
LOG_DAYS = 14
TITLE = "Your home neck traction"  # msgid; the template's heading uses the same text


def check_instructions(case: Case, decision: Decision) -> None:
    """Instructions are for a unit the patient may use; refuse what must not be taught."""
    if case.request.hcpcs == "E0941":
        raise DocumentRefused(
            "request.hcpcs",
            "no instructions are printed for a gravity or inversion device (E0941)",
        )
    if decision.status == "contraindicated":
        keys = ", ".join(decision.contraindications) or "a contraindication"
        raise DocumentRefused("screening", f"traction is contraindicated ({keys})")
    for name, words in REQUIRED_DOSE.items():
        if not getattr(case.request, name):
            raise DocumentRefused(f"request.{name}", f"the instructions need {words}")


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    check_instructions(case, decision)
    lang = options.lang
    gettext = Gettext(lang)
    return DocumentSource(
        kind="instructions",
        template="instructions.html",
        title=w.document_title(gettext(TITLE), options.case_number, lang),
        lang=lang,
        created=options.now,
        author=options.clinic.name if options.clinic else None,
        context=context(case, options, gettext),
    )


def context(case: Case, options: RenderOptions, gettext: Gettext) -> dict:
    request, lang = case.request, options.lang
    # The patient sets up the home unit as it was shown to them: on the latest home-unit trial
    # (the one that decides criterion 2), not on a later trial of the clinic's own machine.
    trial = case.latest_home_trial or case.latest_trial
    screening = case.screening
    return {
        "_": gettext,
        "ngettext": gettext.plural,
        "sentences": sentences,
        "patient": case.patient,
        "hcpcs": request.hcpcs,
        "unit": unit_kind(request.hcpcs),
        # "12.5" in Spanish too: US scales and bags show a decimal point
        "force": w.number(request.force_lb),
        "minutes": w.number(request.minutes),
        "sessions": request.sessions_per_day,
        "months": request.length_of_need_months,
        "lifetime": is_lifetime(request.length_of_need_months),
        "supine": bool(trial and trial.position == "supine"),
        "high_risk": [key for key in INVERSION_HIGH_RISK if screening.get(key)],
        # the TMJ line for every unit (an E0849 may be chosen because of the TMJ: defect #7)
        "tmj": bool(screening.get("tmj_dysfunction")),
        "chin_strap": sentences.has_chin_strap(
            request.hcpcs, bool(screening.get("jaw_or_neck_distortion"))
        ),
        "lumbar_asked": "home_lumbar_traction" in case.also_requested,
        "inversion_asked": "inversion_table" in case.also_requested,
        "clinic": options.clinic,
        "signed": options.signature is not None,
        "plan_changing": options.plan_changing,
        "signed_on": w.long_date(options.signature.signed_at.date(), lang)
        if options.signature
        else None,
        "qr": qr_data_uri(options.link_url) if options.link_url else None,
        "log_days": range(1, LOG_DAYS + 1),
        "log_sessions": range(1, request.sessions_per_day + 1)
        if request.sessions_per_day <= 4
        else None,
        "printed": w.long_date(options.now.date(), lang),
    }


def unit_kind(hcpcs: str) -> str:
    """Over-door (water bag and pulley), pneumatic (pump), or another stand or frame."""
    if hcpcs == "E0860":
        return "over_door"
    return "pneumatic" if hcpcs in PNEUMATIC else "frame"


def qr_data_uri(url: str) -> str:
    """The patient's link as an inline PNG QR code: nothing is fetched while rendering."""
    import qrcode

    image = qrcode.make(url, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/png;base64,{encoded}"
