"""A case's rows to and from its dme-case/1 document (docs/case-format.md), and the one way
to load a case and to parse and decide it.

The database keeps a case normalized (trials, diagnoses, screening answers, prescription);
everything that decides or renders works on the document and on `case.parse.parse` of it,
so the web forms, the JSON API and the command line judge a case the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, object_session

from dme_service import models
from dme_service.case.model import SCREENING_KEYS
from dme_service.case.model import Case as ParsedCase
from dme_service.case.parse import FORMAT, CaseFormatError, FieldError, parse
from dme_service.documents.wording import TrialRecord, person
from dme_service.rules.decision import Decision
from dme_service.rules.engine import evaluate
from dme_service.store import unit_memo


class CaseNotFound(LookupError):
    """No such case in the user's clinic (another clinic's case does not exist here: AC-2).

    `status` and `message` as a service refusal carries them, so a view answers it alike.
    """

    status = 404

    def __init__(self, case_id: int) -> None:
        self.message = f"There is no case {case_id} in your clinic."
        super().__init__(self.message)
        self.case_id = case_id


class CaseIncomplete(ValueError):
    """The stored case does not parse yet (a draft); `errors` says what it lacks."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors

    @property
    def first(self) -> str:
        """The first problem as "field: message", for a sentence that starts with why."""
        return f"{self.errors[0].field}: {self.errors[0].message}"


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_CASE = select(models.Case).where(
    models.Case.id == bindparam("case_id"), models.Case.clinic_id == bindparam("clinic_id")
)
_CASE_WITH_ROWS = _CASE.options(
    joinedload(models.Case.patient),
    joinedload(models.Case.home_prescription),
    joinedload(models.Case.history),
    joinedload(models.Case.trials),
)


def load_case(
    session: Session,
    user: models.User,
    case_id: int,
    *,
    for_update: bool = False,
    with_rows: bool = False,
) -> models.Case:
    """The case if it belongs to the user's clinic, else CaseNotFound (AC-2); for an outside
    practitioner only a case naming them exists.

    `for_update` locks the row and reads it afresh, for a change made under the lock.
    `with_rows` reads the patient, the prescription, the recorded history and the trials in
    the same query (a page that shows the whole case reads them anyway, one query each; one
    list only, so the rows read stay one per trial).
    """
    query = _CASE_WITH_ROWS if with_rows else _CASE
    if user.outside:  # an outside practitioner sees only the cases naming them
        query = query.where(models.Case.treating_practitioner_id == user.id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    values = {"case_id": case_id, "clinic_id": user.clinic_id}
    case = session.scalars(query, values).unique().first()
    if case is None:
        raise CaseNotFound(case_id)
    return case


def parsed_and_decided(case: models.Case) -> tuple[ParsedCase, Decision]:
    """The stored case parsed from its rows and the engine's decision on it. Raises
    CaseIncomplete when the rows do not make a whole case yet (a draft). Worked out once per
    unit of work (store/unit_memo.py): the case page's documents card and the packet's
    checklist both ask."""
    session = object_session(case)
    if session is None:
        outcome = _parse_and_decide(case)
    else:
        key = ("parsed_and_decided", case.id)
        outcome = unit_memo.remembered(session, key, lambda: _parse_and_decide(case))
    if isinstance(outcome, CaseIncomplete):
        raise CaseIncomplete(outcome.errors)
    return outcome


def _parse_and_decide(case: models.Case) -> tuple[ParsedCase, Decision] | CaseIncomplete:
    try:
        parsed = parse(case_document(case))
    except CaseFormatError as error:
        return CaseIncomplete(error.errors)
    return parsed, evaluate(parsed)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: float | None) -> float | int | None:
    """12.0 -> 12, so documents read as people wrote them."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def trial_document(trial: models.Trial) -> dict[str, Any]:
    return {
        "date": _iso(trial.date),
        "device": trial.device,
        "position": trial.body_position,
        "force_lb": _number(trial.force_lb),
        "minutes": _number(trial.minutes),
        "pain_before": trial.pain_before,
        "pain_after": trial.pain_after,
        "peripheralization": trial.peripheralization,
        "new_neuro_signs": trial.new_neuro_signs,
        "use_demonstrated": trial.use_demonstrated,
        "tolerated": trial.tolerated,
    }


def request_document(rx: models.HomePrescription | None) -> dict[str, Any]:
    if rx is None:
        return {"hcpcs": "E0860"}
    fields = {
        "hcpcs": rx.hcpcs,
        "force_lb": _number(rx.force_lb),
        "minutes": _number(rx.minutes),
        "sessions_per_day": rx.sessions_per_day,
        "length_of_need_months": rx.length_of_need_months,
        "frequency_text": rx.frequency_text,
    }
    return {key: value for key, value in fields.items() if value is not None}


def practitioner_document(user: models.User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"name": user.name, "npi": user.npi or "", "credential": user.credential or ""}


def patient_document(patient: models.Patient) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": patient.name,
        "date_of_birth": _iso(patient.date_of_birth),
        "member_id": patient.member_id,
    }
    if patient.weight_lb is not None:
        document["weight_lb"] = _number(patient.weight_lb)
    return document


def case_document(case: models.Case) -> Mapping[str, Any]:
    """`to_document(case)`, made once per unit of work (store/unit_memo.py) for the readers
    that only read it: the case page hashes it for the signature, the documents' sources and
    billing's reviews, parses it and fills its forms from it. Shared: never change it (take
    `to_document` for a document of one's own)."""
    session = object_session(case)
    if session is None:
        return to_document(case)
    return unit_memo.remembered(session, ("case_document", case.id), lambda: to_document(case))


def to_document(case: models.Case) -> dict[str, Any]:
    """The case as a dme-case/1 document; absent facts are left out, never invented.

    A draft may lack what the format requires (payer, practitioner): the document then fails
    `case_format.parse` with the missing field named, which is what a draft should say.
    """
    answers = {answer.key: answer.answer for answer in case.screening_answers}
    document: dict[str, Any] = {
        "format": FORMAT,
        "patient": patient_document(case.patient),
        "payer": case.payer,
        "diagnoses": [diagnosis.code for diagnosis in case.diagnoses],
        "onset_date": _iso(case.onset_date),
        "trials": [trial_document(trial) for trial in case.trials],
        "screening": {key: answers.get(key) for key in SCREENING_KEYS},
        "request": request_document(case.home_prescription),
        "also_requested": list(case.also_requested or []),
        "treating_practitioner": practitioner_document(case.treating_practitioner),
        "abn_on_file": bool(case.abn_on_file),
        "prior_devices": list(case.prior_devices or []),
    }
    return {key: value for key, value in document.items() if value is not None}


# The case page's sections, each written by `apply_section` (services.cases.sections names
# the document keys of each).
SECTIONS: tuple[str, ...] = ("patient", "diagnoses", "trials", "screening", "prescription", "order")


def apply_parsed(
    case: models.Case, parsed: ParsedCase, recorded_by: models.User | None = None
) -> None:
    """Write a whole parsed case onto the case's rows (in the caller's transaction): every
    section, as a section save writes it. The patient's identity and the treating
    practitioner are rows of their own, looked up and set by the caller."""
    for section in SECTIONS:
        apply_section(case, section, parsed, recorded_by)


def apply_section(
    case: models.Case,
    section: str,
    parsed: ParsedCase,
    recorded_by: models.User | None = None,
    trial_notes: Sequence[str | None] | None = None,
) -> None:
    """Write one section of a parsed case onto the case's own rows and columns: the one
    writer for a section save and for a whole case. `recorded_by` is the user saving: who
    recorded each trial that is new (`trial_rows`)."""
    if section == "patient":
        case.payer = parsed.payer
    elif section == "diagnoses":
        case.diagnoses = [
            models.Diagnosis(position=i, code=code) for i, code in enumerate(parsed.diagnoses)
        ]
    elif section == "trials":
        case.trials = trial_rows(case, parsed.trials, recorded_by, trial_notes)
    elif section == "screening":
        apply_screening(case, parsed.screening)
    elif section == "prescription":
        apply_request(case, parsed)
    elif section == "order":
        case.onset_date = parsed.onset_date
        case.abn_on_file = parsed.abn_on_file
        case.also_requested = list(parsed.also_requested)
        case.prior_devices = [
            {"hcpcs": p.hcpcs, "date": p.date.isoformat()} for p in parsed.prior_devices
        ]


def trial_rows(
    case: models.Case,
    trials,
    recorded_by: models.User | None,
    notes: Sequence[str | None] | None = None,
) -> list[models.Trial]:
    """The case's new trial rows; a trial already stored keeps who recorded it and its note.

    A trial is the same trial while its date and device stay the same (a corrected force or
    pain score does not change who ran it); any other trial is recorded by `recorded_by`, the
    user saving. `notes`, one per trial, replaces the notes; None keeps the stored ones.
    """
    unclaimed = list(case.trials)
    rows = []
    for i, trial in enumerate(trials):
        row = trial_row(i, trial)
        same = next(
            (t for t in unclaimed if (t.date, t.device) == (trial.date, trial.device)), None
        )
        if same is not None:
            unclaimed.remove(same)
            row.recorded_by, row.note = same.recorded_by, same.note
        else:
            row.recorded_by = recorded_by
        if notes is not None:
            typed = notes[i] if i < len(notes) else None
            row.note = (typed or "").strip() or None
        rows.append(row)
    return rows


def trial_records(case: models.Case) -> tuple[TrialRecord, ...]:
    """What is kept beside each trial (who ran it, the note), in the document's trial order,
    for the documents that print the trials."""
    return tuple(
        TrialRecord(
            ran_by=person(t.recorded_by.name, t.recorded_by.credential) if t.recorded_by else None,
            note=t.note,
        )
        for t in case.trials
    )


def trial_row(position: int, trial) -> models.Trial:
    return models.Trial(
        position=position,
        date=trial.date,
        device=trial.device,
        body_position=trial.position,
        force_lb=trial.force_lb,
        minutes=trial.minutes,
        pain_before=trial.pain_before,
        pain_after=trial.pain_after,
        peripheralization=trial.peripheralization,
        new_neuro_signs=trial.new_neuro_signs,
        use_demonstrated=trial.use_demonstrated,
        tolerated=trial.tolerated,
    )


def apply_screening(case: models.Case, screening: dict[str, bool | None]) -> None:
    # Update rows in place: the (case_id, key) unique constraint would refuse a delete and
    # re-insert of the same key inside one flush.
    existing = {answer.key: answer for answer in case.screening_answers}
    for key in SCREENING_KEYS:
        if key in existing:
            existing[key].answer = screening.get(key)
        else:
            case.screening_answers.append(
                models.ScreeningAnswer(key=key, answer=screening.get(key))
            )


def apply_request(case: models.Case, parsed: ParsedCase) -> None:
    request = parsed.request
    rx = case.home_prescription or models.HomePrescription()
    rx.hcpcs = request.hcpcs
    rx.force_lb = request.force_lb
    rx.minutes = request.minutes
    rx.sessions_per_day = request.sessions_per_day
    rx.length_of_need_months = request.length_of_need_months
    rx.frequency_text = request.frequency_text
    case.home_prescription = rx
