"""The readers of a dme-case/1 document's parts for `case_format.parse`: the patient, the
diagnoses, the trials, the screening answers, the home request, the treating practitioner and
the prior devices. Each reports its problems on the Reader by dotted path and returns what it
could read (case-format.md and its clarifications say what each part allows).
"""

from __future__ import annotations

from dme_service.case import limits
from dme_service.case.fields import Reader
from dme_service.case.model import (
    AUTHOR_ONLY_CREDENTIALS,
    HOME_DEVICES,
    PATIENT_KEYS,
    POSITIONS,
    PRACTITIONER_KEYS,
    PRIOR_DEVICE_KEYS,
    REQUEST_KEYS,
    SCREENING_KEYS,
    SIGNING_CREDENTIALS,
    TRIAL_DEVICES,
    TRIAL_KEYS,
    HomeRequest,
    Patient,
    Practitioner,
    PriorDevice,
    Trial,
)
from dme_service.coding import codes

CREDENTIALS = SIGNING_CREDENTIALS + AUTHOR_ONLY_CREDENTIALS


def patient(r: Reader, raw: object, payer: str | None = None) -> Patient | None:
    obj = r.object(raw, "patient", PATIENT_KEYS, what="the patient", required=True)
    if obj is None:
        return None
    name = r.text(obj, "name", "patient.name", limit=limits.MAX_NAME)
    born = r.date(obj, "date_of_birth", "patient.date_of_birth")
    member_id = r.text(obj, "member_id", "patient.member_id", limit=limits.MAX_MEMBER_ID)
    if member_id is not None and payer in limits.MBI_PAYERS:
        # The same rule as the web form: Medicare and IBX MA identify members by MBI.
        problem = limits.mbi_problem(member_id)
        if problem:
            r.error("patient.member_id", problem)
        member_id = limits.normal_mbi(member_id)
    weight = r.number(obj, "weight_lb", "patient.weight_lb", required=False)
    return Patient(name, born, member_id, weight)


def diagnoses(r: Reader, raw: object) -> tuple[str, ...]:
    if raw is None or raw == []:
        r.error("diagnoses", 'at least one ICD-10-CM code is required, e.g. ["M50.122"]')
        return ()
    if not isinstance(raw, list):
        r.error("diagnoses", f"must be a list of ICD-10-CM codes, not {r.kind(raw)}")
        return ()
    if len(raw) > limits.MAX_DIAGNOSES:
        r.error("diagnoses", _too_many("ICD-10-CM codes", limits.MAX_DIAGNOSES, len(raw), DX_WHY))
        return ()
    found: dict[str, int] = {}
    for i, value in enumerate(raw):
        path = f"diagnoses[{i}]"
        if not isinstance(value, str) or not value.strip() or len(value) > limits.MAX_CODE:
            r.error(path, f'must be an ICD-10-CM code such as "M50.122", not {r.kind(value)}')
            continue
        code = codes.lookup(value)
        shown = value.strip().upper()
        if code is None:
            r.error(path, f"{shown} is not an ICD-10-CM code")
        elif not code.billable:
            r.error(path, f"{code.code} is not a billable ICD-10-CM code (use {_hint(code)})")
        elif code.code in found:
            r.error(path, f"{code.code} is listed twice (also as diagnosis {found[code.code] + 1})")
        else:
            found[code.code] = i
    return tuple(found)


DX_WHY = f"an 837P claim carries {limits.MAX_DIAGNOSES}"


def _too_many(what: str, limit: int, count: int, why: str = "") -> str:
    """'at most 12 ICD-10-CM codes (an 837P claim carries 12), not 600' (IN-2 bounds)."""
    because = f" ({why})" if why else ""
    return f"at most {limit} {what}{because}, not {count}"


def _hint(code: codes.IcdCode) -> str:
    return codes.billable_hint(code) or "a more specific code"


def trials(r: Reader, raw: object, patient: Patient | None) -> tuple[Trial, ...]:
    # Clarification 3: no trials (absent, null or []) is `incomplete`, not bad input.
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.error("trials", f"must be a list of trials, not {r.kind(raw)}")
        return ()
    if len(raw) > limits.MAX_TRIALS:
        r.error("trials", _too_many("trials", limits.MAX_TRIALS, len(raw)))
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


def screening(r: Reader, raw: object) -> dict[str, bool | None]:
    # Clarification 4: absent or null is unanswered (incomplete); other non-booleans are bad.
    answers: dict[str, bool | None] = dict.fromkeys(SCREENING_KEYS)
    obj = r.object(raw, "screening", SCREENING_KEYS, what="the screening answers")
    if obj is None:
        return answers
    for key in SCREENING_KEYS:
        answers[key] = r.boolean(obj, key, f"screening.{key}", required=False)
    return answers


def request(r: Reader, raw: object) -> HomeRequest:
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
        frequency_text=r.line(
            obj,
            "frequency_text",
            "request.frequency_text",
            limit=limits.MAX_FREQUENCY_TEXT,
            required=False,
        ),
    )


def practitioner(r: Reader, raw: object) -> Practitioner | None:
    path = "treating_practitioner"
    obj = r.object(raw, path, PRACTITIONER_KEYS, what="the treating practitioner", required=True)
    if obj is None:
        return None
    name = r.text(obj, "name", f"{path}.name", limit=limits.MAX_NAME)
    npi = r.string(obj, "npi", f"{path}.npi")
    if npi is not None and not codes.npi_is_valid(npi):
        r.error(f"{path}.npi", _npi_problem(npi))
    credential = r.choice(
        obj, "credential", f"{path}.credential", CREDENTIALS, what="credential", upper=True
    )
    return Practitioner(name, npi, credential)


def _npi_problem(npi: str) -> str:
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return f"{limits.shown(npi)} is not an NPI: an NPI is exactly 10 digits"
    return f"{npi} is not a valid NPI: the check digit is wrong (Luhn over 80840 + NPI)"


def prior_devices(r: Reader, raw: object) -> tuple[PriorDevice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.error("prior_devices", f"must be a list, not {r.kind(raw)}")
        return ()
    if len(raw) > limits.MAX_PRIOR_DEVICES:
        r.error("prior_devices", _too_many("prior devices", limits.MAX_PRIOR_DEVICES, len(raw)))
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
