"""The standard written order (42 CFR 410.38(d)(1); domain.md §3.5).

The six required elements (beneficiary name or MBI, item description and HCPCS, quantity,
order date, treating practitioner name or NPI, signature) plus the elements the service
always adds and the record corroborates: force, minutes, sessions per day, length of need
and diagnosis codes. A PRN / "as needed" frequency is refused: "Orders that only state
'PRN' or 'as needed' ... are not acceptable".
"""

from __future__ import annotations

from dme_service.case.definitions import says_prn
from dme_service.case.length_of_need import in_months
from dme_service.case.model import Case
from dme_service.documents import availability
from dme_service.documents import wording as w
from dme_service.documents.parts import author, signature_context
from dme_service.documents.types import DocumentRefused, DocumentSource, RenderOptions
from dme_service.rules import order_frequency
from dme_service.rules.decision import Decision

# The dose fields an order cannot leave out: the patient's unit is set from them.
REQUIRED_DOSE = {
    "force_lb": "the force in pounds",
    "minutes": "the minutes per session",
    "sessions_per_day": "the sessions per day",
}
HEADER_REASON_MAX = 110


def check_order(case: Case, document: str = "order") -> None:
    """Raise DocumentRefused, naming the field, when the order cannot be written (the letter
    repeats the order's numbers, so it is refused the same way: `document="letter"`)."""
    request = case.request
    if says_prn(request.frequency_text):
        raise DocumentRefused(
            "request.frequency_text",
            f"{request.frequency_text!r} is a PRN / as-needed frequency, which is not an "
            "acceptable order; state minutes and sessions per day",
        )
    for name, words in REQUIRED_DOSE.items():
        if not getattr(request, name):
            as_on = ", as on the order" if document != "order" else ""
            raise DocumentRefused(f"request.{name}", f"the {document} needs {words}{as_on}")
    conflict = frequency_conflict(request)
    if conflict:
        raise DocumentRefused("request.frequency_text", conflict)


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    check_order(case)
    request = case.request
    return DocumentSource(
        kind="swo",
        template="swo.html",
        title=w.document_title("Standard written order", options.case_number),
        lang="en",
        created=options.now,
        author=author(options),
        context={
            "case": case,
            "clinic": options.clinic,
            "member_label": w.member_id_label(case.payer),
            "payer_name": w.payer_name(case.payer),
            "dob": w.long_date(case.patient.date_of_birth),
            "descriptor": w.hcpcs_descriptor(request.hcpcs),
            "rows": added_elements(case),
            "signature": signature_context(case, options),
            "prepared": w.long_date(options.now.date()),
            "against": against_criteria(case, decision, options.reason),
        },
    )


def against_criteria(case: Case, decision: Decision, reason: str | None) -> dict | None:
    """The marking of an order sent for signature against the payer's criteria, with the
    clinician's reason (documents/availability.py allows it only with one); None when eligible."""
    if decision.status == "eligible":
        return None
    status = decision.status.replace("_", " ")
    policy = availability.policy_words(decision)
    short = reason or ""
    if len(short) > HEADER_REASON_MAX:  # the page's top margin holds two lines; page 1 has it all
        short = short[: HEADER_REASON_MAX - 1].rstrip() + "…"
    header = f"Ordered against the payer's criteria ({status} under {policy}). Reason: {short}"
    return {
        "decision": f"The coverage decision is {status} under {policy}.",
        "reason": reason or "",
        "header": header,
    }


def added_elements(case: Case) -> list[tuple[str, str | tuple[str, ...]]]:
    """The added elements, each as (label, value); an unrecorded one is left out. The
    diagnoses are a tuple, one code with its words a line, so a biller finds each code."""
    request = case.request
    rows = [
        ("Force", f"{w.number(request.force_lb)} pounds"),
        ("Time", f"{w.number(request.minutes)} minutes per session"),
        ("Frequency", frequency(request)),
    ]
    if request.length_of_need_months:
        rows.append(("Length of need", in_months(request.length_of_need_months)))
    diagnoses = tuple(f"{code} {w.icd_descriptor(code)}".strip() for code in case.diagnoses)
    rows.append(("Diagnosis codes (ICD-10-CM)", diagnoses))
    return rows


def frequency(request) -> str:
    """Built from the structured fields only, so the row cannot disagree with them (the free
    text is checked against them by `frequency_conflict`)."""
    sessions = request.sessions_per_day
    return (
        f"{sessions} session{'s' if sessions != 1 else ''} a day, "
        f"{w.number(request.minutes)} minutes each, every day"
    )


def frequency_conflict(request) -> str | None:
    """Why the order's free-text frequency contradicts its minutes or sessions, or None."""
    text = request.frequency_text
    if not text:
        return None
    # the same reading of the sentence as the case form (rules/order_frequency.py)
    minutes = set(order_frequency.stated_minutes(text))
    counts = set(order_frequency.stated_sessions(text))
    wrong_minutes = request.minutes and minutes and minutes != {float(request.minutes)}
    wrong_count = request.sessions_per_day and counts and counts != {request.sessions_per_day}
    if not (wrong_minutes or wrong_count):
        return None
    return (
        f'says "{text}", but minutes is {w.number(request.minutes)} and sessions_per_day is '
        f"{request.sessions_per_day}; make the frequency text agree with them"
    )
