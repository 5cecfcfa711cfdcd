"""The standard written order (42 CFR 410.38(d)(1); domain.md §3.5).

The six required elements (beneficiary name or MBI, item description and HCPCS, quantity,
order date, treating practitioner name or NPI, signature) plus the elements the service
always adds and the record corroborates: force, minutes, sessions per day, length of need
and diagnosis codes. A PRN / "as needed" frequency is refused: "Orders that only state
'PRN' or 'as needed' ... are not acceptable".
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.parts import signature_context
from dme_service.documents.renderer import DocumentRefused, DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

# The dose fields an order cannot leave out: the patient's unit is set from them.
REQUIRED_DOSE = {
    "force_lb": "the force in pounds",
    "minutes": "the minutes per session",
    "sessions_per_day": "the sessions per day",
}


def check_order(case: Case) -> None:
    """Raise DocumentRefused, naming the field, when the order cannot be written."""
    request = case.request
    if w.is_prn(request.frequency_text):
        raise DocumentRefused(
            "request.frequency_text",
            f"{request.frequency_text!r} is a PRN / as-needed frequency, which is not an "
            "acceptable order; state minutes and sessions per day",
        )
    for name, words in REQUIRED_DOSE.items():
        if not getattr(request, name):
            raise DocumentRefused(f"request.{name}", f"the order needs {words}")


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    check_order(case)
    request = case.request
    return DocumentSource(
        kind="swo",
        template="swo.html",
        title=f"Standard written order: {case.patient.name}",
        lang="en",
        created=options.now,
        author=case.treating_practitioner.name,
        context={
            "case": case,
            "clinic": options.clinic,
            "member_label": w.member_id_label(case.payer),
            "payer_name": w.payer_name(case.payer),
            "dob": w.long_date(case.patient.date_of_birth),
            "descriptor": w.hcpcs_descriptor(request.hcpcs),
            "rows": added_elements(case),
            "dose": w.dose_sentence(request),
            "signature": signature_context(case, options),
            "prepared": w.long_date(options.now.date()),
        },
    )


def added_elements(case: Case) -> list[tuple[str, str]]:
    """The added elements, each as (label, value); an unrecorded one is left out."""
    request = case.request
    rows = [
        ("Force", f"{w.number(request.force_lb)} pounds"),
        ("Time", f"{w.number(request.minutes)} minutes per session"),
        ("Frequency", frequency(request)),
    ]
    if request.length_of_need_months:
        months = request.length_of_need_months
        rows.append(("Length of need", f"{months} month{'s' if months != 1 else ''}"))
    diagnoses = "; ".join(f"{code} {w.icd_descriptor(code)}".strip() for code in case.diagnoses)
    rows.append(("Diagnosis codes (ICD-10-CM)", diagnoses))
    return rows


def frequency(request) -> str:
    sessions = request.sessions_per_day
    text = f"{sessions} session{'s' if sessions != 1 else ''} a day"
    if request.frequency_text:
        text += f" ({request.frequency_text})"
    return text
