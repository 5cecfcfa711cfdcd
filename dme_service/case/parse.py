"""The one parser and validator of `dme-case/1` documents (docs/case-format.md, "Case document").

The CLI, the JSON API and the web forms all call `parse` (or `parse_text`), so validation
has one source of truth. Every problem is collected, not just the first, as a `FieldError`
whose `field` is the dotted path of the offending value (`trials[1].pain_after`) or `$` for
the document as a whole, and whose `message` says what would be valid. The readers of each
part of the document (patient, diagnoses, trials, ...) are in case_format_parts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date

from dme_service.case import parts
from dme_service.case.fields import Reader
from dme_service.case.model import ALSO_REQUESTED, TOP_KEYS, Case, Trial
from dme_service.coding.payers import payer_ids

FORMAT = "dme-case/1"
WHOLE_DOCUMENT = "$"
MAX_BYTES = 1024 * 1024  # as the JSON API's MAX_CONTENT_LENGTH (docs/security.md IN-2)


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
    patient = parts.patient(r, top.get("patient"), payer)
    diagnoses = parts.diagnoses(r, top.get("diagnoses"))
    trials = parts.trials(r, top.get("trials"), patient)
    onset = r.date(top, "onset_date", "onset_date", required=False)
    screening = parts.screening(r, top.get("screening"))
    request = parts.request(r, top.get("request"))
    also = r.string_list(top, "also_requested", ALSO_REQUESTED)
    practitioner = parts.practitioner(r, top.get("treating_practitioner"))
    abn = r.boolean(top, "abn_on_file", "abn_on_file", required=False)
    priors = parts.prior_devices(r, top.get("prior_devices"))
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


def _check_onset(r: Reader, onset: date | None, trials: tuple[Trial, ...]) -> None:
    # Clarification 11: an onset after the latest trial is bad input.
    dates = [t.date for t in trials if t.date is not None]
    if onset is not None and dates and onset > max(dates):
        r.error("onset_date", f"{onset} is after the latest trial ({max(dates)})")
