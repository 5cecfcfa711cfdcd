"""Small, shared ways of saying recorded facts in documents: numbers, dates, codes, doses.

Every document says the same fact the same way, so the LMN, the SWO and the trial note
cannot disagree on a number (domain.md §5: "numbers ... that differ from the SWO" are a
denial reason). Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from dme_service.case.length_of_need import in_months, is_lifetime
from dme_service.coding import codes
from dme_service.rules.wording import PAYER_NAMES

TRIAL_DEVICE_NAMES: dict[str, str] = {
    "mechanical": "clinic motorized (mechanical) cervical traction",
    "manual": "manual cervical traction by the therapist",
}
# case-format.md clarification 5: PRN is matched as a word, without regard to case.


@dataclass(frozen=True, slots=True)
class Signature:
    """A treating practitioner's electronic signature event."""

    name: str
    credential: str
    npi: str
    signed_at: datetime
    # "wet": signed in ink on the printed order; the scan was uploaded by `uploaded_by`
    # and its SHA-256 is `scan_sha256`.
    method: str = "electronic"
    uploaded_by: str | None = None
    scan_sha256: str | None = None

    def statement(self) -> str:
        """The signature line the documents print."""
        who = f"{self.name}, {self.credential} (NPI {self.npi})"
        if self.method == "wet":
            return (
                f"Signed in ink by {who}; the signed scan was uploaded by {self.uploaded_by} "
                f"on {date_time(self.signed_at)}."
            )
        return f"Electronically signed by {who} on {date_time(self.signed_at)}."


def person(name: str, credential: str | None) -> str:
    """A clinician as paper names them: "Dana Reyes, PT" (a name already ending in its
    credential is not given it twice)."""
    name, credential = name.strip(), (credential or "").strip()
    if not credential or name.upper().endswith(f", {credential.upper()}"):
        return name
    return f"{name}, {credential}"


@dataclass(frozen=True, slots=True)
class TrialRecord:
    """What the service keeps beside a trial of the case document (docs/case-format.md):
    the clinician who recorded it, that is who ran it, with their credential, and a note."""

    ran_by: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Clinic:
    """The clinic printed on letterheads and on the patient's instructions; as the DME
    supplier, its organization NPI and Medicare supplier number (PTAN) on every letterhead and
    its tax id (EIN) on the billing packet's cover, where the supplier's file is identified
    by the name the payer has it enrolled under (`supplier_name`)."""

    name: str
    phone: str | None = None
    address: str | None = None
    fax: str | None = None
    npi: str | None = None
    ptan: str | None = None
    tax_id: str | None = None
    legal_name: str | None = None  # when payers know the supplier by another name than `name`

    @property
    def supplier_name(self) -> str:
        """The name the claims carry (837P loop 2010AA), which the packet names too."""
        return self.legal_name or self.name

    @property
    def ein(self) -> str | None:
        """123456789 -> 12-3456789, the way an EIN is written."""
        digits = "".join(ch for ch in self.tax_id or "" if ch.isdigit())
        return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else (self.tax_id or None)


# Numbers in Spanish are written as in the United States (es_US): a decimal point, as the
# patient's scales and water-bag marks show it; "12,5" could be read as 12 or 125.
NUMBER_LOCALES = {"en": "en_US", "es": "es_US"}


def number(value: float | int, lang: str = "en") -> str:
    """12.0 -> "12", 12.5 -> "12.5", in English and in Spanish alike (NUMBER_LOCALES)."""
    if float(value).is_integer():
        return str(int(value))
    return format_decimal(value, format="#,##0.##", locale=NUMBER_LOCALES.get(lang, lang))


def percent(part: float, whole: float) -> int:
    """A whole percentage rounded half up, as a reader rounds: 1 of 8 is 13% (Python's round()
    rounds halves to even and printed 12%)."""
    return int((Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal(1), ROUND_HALF_UP))


def document_title(label: str, case_number: int | str | None, lang: str = "en") -> str:
    """The PDF's title (/Title, XMP dc:title, the viewer's tab): the kind of document and the
    case number, never the patient's name, which would reach window titles and search indexes
    of shared files (docs/security.md PDF-4)."""
    if case_number is None:
        return label
    return f"{label} — {'caso' if lang == 'es' else 'case'} {case_number}"


def long_date(day: date, lang: str = "en") -> str:
    """October 2, 2026 / 2 de octubre de 2026."""
    return format_date(day, format="long", locale=lang)


def date_time(moment: datetime, lang: str = "en") -> str:
    """October 2, 2026 at 3:04 PM UTC: an unambiguous time for a signature."""
    zone = moment.tzname() or ""
    text = format_datetime(moment, format="MMMM d, y 'at' h:mm a", locale=lang)
    return f"{text} {zone}".strip()


def hcpcs_descriptor(code: str) -> str:
    return codes.HCPCS_DESCRIPTORS.get(code, code)


def device_name(device: str) -> str:
    """How a trial device is named in prose: "E0860 (Traction equipment, ...)"."""
    if device in TRIAL_DEVICE_NAMES:
        return TRIAL_DEVICE_NAMES[device]
    return f"the {device} unit ({hcpcs_descriptor(device).lower()})"


def icd_descriptor(code: str) -> str:
    """The ICD-10-CM tabular descriptor (from the rules' code index), or "" when unknown."""
    found = codes.lookup(code)
    return found.descriptor if found else ""


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (duration of symptoms at the trial)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def sessions_phrase(sessions: int) -> str:
    """English words for sessions per day, never "bid"/"tid" (domain.md §5, §10)."""
    words = {1: "once a day", 2: "twice a day", 3: "three times a day"}
    return words.get(sessions, f"{sessions} times a day")


def payer_name(payer: str) -> str:
    return PAYER_NAMES.get(payer, payer)


def member_id_label(payer: str) -> str:
    """Medicare's member number is the MBI (SWO element 1 accepts the name or the MBI)."""
    return "Medicare Beneficiary Identifier (MBI)" if payer == "medicare" else "Member ID"


def dose_sentence(request) -> str:
    """The home prescription in one sentence: the LMN and the SWO print this same text."""
    parts = [f"{number(request.force_lb)} pounds of traction" if request.force_lb else None]
    if request.minutes:
        parts.append(f"for {number(request.minutes)} minutes per session")
    if request.sessions_per_day:
        parts.append(f"{request.sessions_per_day} sessions a day")
    if request.length_of_need_months:
        months = request.length_of_need_months
        # "for 99 months" would read as eight years: 99 is Medicare's lifetime need
        parts.append(
            f"length of need {in_months(months)}"
            if is_lifetime(months)
            else f"for {in_months(months)}"
        )
    return ", ".join(p for p in parts if p)


_LB = re.compile(r"\blbs?\b\.?")
# Latin abbreviations a letter must not carry (domain.md §5), in plain English.
_LATIN = {"e.g.": "for example", "i.e.": "that is", "etc.": "and so on", "viz.": "namely"}


def plain_words(text: str) -> str:
    """Text that comes from elsewhere (policy wording) in the letter's words: pounds spelled
    out, no Latin abbreviations."""
    text = _LB.sub("pounds", text)
    for latin, plain in _LATIN.items():
        text = text.replace(latin, plain)
    return text
