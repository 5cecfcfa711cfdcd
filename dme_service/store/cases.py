"""A case's rows to and from its dme-case/1 document (case-format.md).

The database keeps a case normalized (trials, diagnoses, screening answers, prescription);
everything that decides or renders works on the document and on `case_format.parse` of it,
so the web forms, the JSON API and the command line judge a case the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dme_service import models
from dme_service.case.model import SCREENING_KEYS
from dme_service.case.model import Case as ParsedCase

FORMAT = "dme-case/1"


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


def apply_parsed(case: models.Case, parsed: ParsedCase) -> None:
    """Write a parsed case's clinical facts onto the case's rows (in the caller's transaction).

    The patient's identity and the treating practitioner are looked up and set by the caller
    (they are rows of their own); this replaces trials, diagnoses, screening and prescription.
    """
    case.payer = parsed.payer
    case.onset_date = parsed.onset_date
    case.abn_on_file = parsed.abn_on_file
    case.also_requested = list(parsed.also_requested)
    case.prior_devices = [
        {"hcpcs": prior.hcpcs, "date": prior.date.isoformat()} for prior in parsed.prior_devices
    ]
    case.diagnoses = [
        models.Diagnosis(position=i, code=code) for i, code in enumerate(parsed.diagnoses)
    ]
    case.trials = [trial_row(i, trial) for i, trial in enumerate(parsed.trials)]
    apply_screening(case, parsed.screening)
    apply_request(case, parsed)


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
