"""The one parser and validator of `dme-case/1` documents (../shared/docs/case-format.md).

The CLI, the JSON API and the web forms all call `parse` (or `parse_text`), so validation
has one source of truth. Every problem is collected, not just the first, as a `FieldError`
whose `field` is the dotted path of the offending value (`trials[1].pain_after`) or `$` for
the document as a whole, and whose `message` says what would be valid.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date

from dme_service.case import (
    ALSO_REQUESTED,
    AUTHOR_ONLY_CREDENTIALS,
    HOME_DEVICES,
    PATIENT_KEYS,
    POSITIONS,
    PRACTITIONER_KEYS,
    PRIOR_DEVICE_KEYS,
    REQUEST_KEYS,
    SCREENING_KEYS,
    SIGNING_CREDENTIALS,
    TOP_KEYS,
    TRIAL_DEVICES,
    TRIAL_KEYS,
    Case,
    HomeRequest,
    Patient,
    Practitioner,
    PriorDevice,
    Trial,
)
from dme_service.case_fields import Reader
from dme_service.rules import codes
from dme_service.rules.policy import payer_ids

FORMAT = "dme-case/1"
WHOLE_DOCUMENT = "$"
MAX_BYTES = 1024 * 1024  # as the JSON API's MAX_CONTENT_LENGTH (security.md IN-2)

CREDENTIALS = SIGNING_CREDENTIALS + AUTHOR_ONLY_CREDENTIALS


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: `field` is a dotted path (`$` = the whole document)."""

    field: str
    message: str

    def as_json(self) -> dict:
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class CaseFormatError(ValueError):
    """The document is not a valid dme-case/1 case; `errors` lists every problem."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def parse_text(text: str | bytes, *, today: date | None = None) -> Case:
    """Decode JSON text (or UTF-8 bytes) and `parse` it."""
    return parse(decode_json(text), today=today)


def decode_json(text: str | bytes) -> object:
    """The JSON value of `text`, or CaseFormatError naming `$` with what went wrong."""

    def fail(message: str) -> CaseFormatError:
        return CaseFormatError([FieldError(WHOLE_DOCUMENT, message)])

    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_BYTES:
            raise fail(f"the document is larger than {MAX_BYTES} bytes")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise fail(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if len(text) > MAX_BYTES:
        raise fail(f"the document is larger than {MAX_BYTES} characters")
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_int=_bounded_int, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise fail(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise fail("the document is nested too deeply") from None
    except ValueError as exc:
        raise fail(f"not valid JSON: {exc}") from None


def _bounded_int(digits: str) -> int | float:
    # Python refuses to convert integers of thousands of digits; such a number is out of
    # range for every field, so it becomes infinity and the field reports it.
    return int(digits) if len(digits) <= 30 else math.inf


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse(doc: object, *, today: date | None = None) -> Case:
    """Validate a decoded JSON value as a dme-case/1 case; `today` bounds every date."""
    reader = Reader(today or date.today())
    case = _case(reader, doc)
    if reader.errors or case is None:
        raise CaseFormatError([FieldError(path, message) for path, message in reader.errors])
    return case


def _case(r: Reader, doc: object) -> Case | None:
    if doc is None:
        r.error(WHOLE_DOCUMENT, "a case document must be a JSON object, not null")
        return None
    top = r.object(doc, WHOLE_DOCUMENT, TOP_KEYS, what="a case document")
    if top is None:
        return None
    fmt = r.string(top, "format", "format", required=False)
    if fmt is not None and fmt != FORMAT:
        r.error("format", f"must be {FORMAT!r} (or left out), not {fmt!r}")
    payer = r.choice(top, "payer", "payer", payer_ids(), what="payer")
    patient = _patient(r, top.get("patient"))
    diagnoses = _diagnoses(r, top.get("diagnoses"))
    trials = _trials(r, top.get("trials"), patient)
    onset = r.date(top, "onset_date", "onset_date", required=False)
    screening = _screening(r, top.get("screening"))
    request = _request(r, top.get("request"))
    also = r.string_list(top, "also_requested", ALSO_REQUESTED)
    practitioner = _practitioner(r, top.get("treating_practitioner"))
    abn = r.boolean(top, "abn_on_file", "abn_on_file", required=False)
    priors = _prior_devices(r, top.get("prior_devices"))
    _check_onset(r, onset, trials)
    if r.errors:
        return None
    return Case(
        patient=patient,
        payer=payer,
        diagnoses=diagnoses,
        screening=screening,
        request=request,
        treating_practitioner=practitioner,
        trials=trials,
        onset_date=onset,
        also_requested=also,
        abn_on_file=bool(abn),
        prior_devices=priors,
    )


def _patient(r: Reader, raw: object) -> Patient | None:
    obj = r.object(raw, "patient", PATIENT_KEYS, what="the patient", required=True)
    if obj is None:
        return None
    name = r.text(obj, "name", "patient.name")
    born = r.date(obj, "date_of_birth", "patient.date_of_birth")
    member_id = r.text(obj, "member_id", "patient.member_id")
    weight = r.number(obj, "weight_lb", "patient.weight_lb", required=False)
    return Patient(name, born, member_id, weight)


def _diagnoses(r: Reader, raw: object) -> tuple[str, ...]:
    if raw is None or raw == []:
        r.error("diagnoses", 'at least one ICD-10-CM code is required, e.g. ["M50.122"]')
        return ()
    if not isinstance(raw, list):
        r.error("diagnoses", f"must be a list of ICD-10-CM codes, not {r.kind(raw)}")
        return ()
    found = []
    for i, value in enumerate(raw):
        path = f"diagnoses[{i}]"
        if not isinstance(value, str) or not value.strip():
            r.error(path, f'must be an ICD-10-CM code such as "M50.122", not {r.kind(value)}')
            continue
        code = codes.lookup(value)
        shown = value.strip().upper()
        if code is None:
            r.error(path, f"{shown} is not an ICD-10-CM code")
        elif not code.billable:
            r.error(path, f"{code.code} is not a billable ICD-10-CM code (use {_hint(code)})")
        else:
            found.append(code.code)
    return tuple(found)


def _hint(code: codes.IcdCode) -> str:
    return codes.billable_hint(code) or "a more specific code"


def _trials(r: Reader, raw: object, patient: Patient | None) -> tuple[Trial, ...]:
    # Clarification 3: no trials (absent, null or []) is `incomplete`, not bad input.
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.error("trials", f"must be a list of trials, not {r.kind(raw)}")
        return ()
    trials = []
    for i, item in enumerate(raw):
        trial = _trial(r, item, f"trials[{i}]", patient)
        if trial is not None:
            trials.append(trial)
    return tuple(trials)


def _trial(r: Reader, raw: object, path: str, patient: Patient | None) -> Trial | None:
    obj = r.object(raw, path, TRIAL_KEYS, what="a trial", required=True)
    if obj is None:
        return None
    when = r.date(obj, "date", f"{path}.date")
    if when and patient and patient.date_of_birth and when < patient.date_of_birth:
        r.error(f"{path}.date", f"{when} is before the patient's date of birth")
        when = None  # reported once; not compared again with onset_date
    device = r.choice(obj, "device", f"{path}.device", TRIAL_DEVICES, what="trial device")
    position = r.choice(obj, "position", f"{path}.position", POSITIONS, required=False)
    return Trial(
        date=when,
        device=device,
        position=position,
        force_lb=r.number(obj, "force_lb", f"{path}.force_lb"),
        minutes=r.number(obj, "minutes", f"{path}.minutes"),
        pain_before=r.pain(obj, "pain_before", f"{path}.pain_before"),
        pain_after=r.pain(obj, "pain_after", f"{path}.pain_after"),
        peripheralization=r.boolean(obj, "peripheralization", f"{path}.peripheralization"),
        new_neuro_signs=r.boolean(obj, "new_neuro_signs", f"{path}.new_neuro_signs"),
        # Absent or null is "not recorded": the decision is incomplete (clarification 3).
        use_demonstrated=r.boolean(
            obj, "use_demonstrated", f"{path}.use_demonstrated", required=False
        ),
        tolerated=r.boolean(obj, "tolerated", f"{path}.tolerated", required=False),
    )


def _screening(r: Reader, raw: object) -> dict[str, bool | None]:
    # Clarification 4: absent or null is unanswered (incomplete); other non-booleans are bad.
    answers: dict[str, bool | None] = dict.fromkeys(SCREENING_KEYS)
    obj = r.object(raw, "screening", SCREENING_KEYS, what="the screening answers")
    if obj is None:
        return answers
    for key in SCREENING_KEYS:
        answers[key] = r.boolean(obj, key, f"screening.{key}", required=False)
    return answers


def _request(r: Reader, raw: object) -> HomeRequest:
    obj = r.object(raw, "request", REQUEST_KEYS, what="the home request")
    if obj is None:
        return HomeRequest()
    hcpcs = r.choice(obj, "hcpcs", "request.hcpcs", HOME_DEVICES, required=False, upper=True)
    return HomeRequest(
        hcpcs=hcpcs or "E0860",
        force_lb=r.number(obj, "force_lb", "request.force_lb", required=False),
        minutes=r.number(obj, "minutes", "request.minutes", required=False),
        sessions_per_day=r.count(obj, "sessions_per_day", "request.sessions_per_day"),
        length_of_need_months=r.count(
            obj, "length_of_need_months", "request.length_of_need_months"
        ),
        frequency_text=r.string(obj, "frequency_text", "request.frequency_text", required=False),
    )


def _practitioner(r: Reader, raw: object) -> Practitioner | None:
    path = "treating_practitioner"
    obj = r.object(raw, path, PRACTITIONER_KEYS, what="the treating practitioner", required=True)
    if obj is None:
        return None
    name = r.text(obj, "name", f"{path}.name")
    npi = r.string(obj, "npi", f"{path}.npi")
    if npi is not None and not codes.npi_is_valid(npi):
        r.error(f"{path}.npi", _npi_problem(npi))
    credential = r.choice(
        obj, "credential", f"{path}.credential", CREDENTIALS, what="credential", upper=True
    )
    return Practitioner(name, npi, credential)


def _npi_problem(npi: str) -> str:
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return f"{npi!r} is not an NPI: an NPI is exactly 10 digits"
    return f"{npi} is not a valid NPI: the check digit is wrong (Luhn over 80840 + NPI)"


def _prior_devices(r: Reader, raw: object) -> tuple[PriorDevice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.error("prior_devices", f"must be a list, not {r.kind(raw)}")
        return ()
    found = []
    for i, item in enumerate(raw):
        path = f"prior_devices[{i}]"
        obj = r.object(item, path, PRIOR_DEVICE_KEYS, what="a prior device", required=True)
        if obj is None:
            continue
        hcpcs = r.hcpcs(obj, "hcpcs", f"{path}.hcpcs")
        when = r.date(obj, "date", f"{path}.date")
        found.append(PriorDevice(hcpcs, when))
    return tuple(found)


def _check_onset(r: Reader, onset: date | None, trials: tuple[Trial, ...]) -> None:
    # Clarification 11: an onset after the latest trial is bad input.
    dates = [t.date for t in trials if t.date is not None]
    if onset is not None and dates and onset > max(dates):
        r.error("onset_date", f"{onset} is after the latest trial ({max(dates)})")
