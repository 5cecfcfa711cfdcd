"""Factories for valid dme-case/1 documents (dicts), so each test states only what it varies.

`a_case(payer="aetna", hcpcs="E0849", force_lb=20)` is a complete, valid case that is
`eligible` under Medicare for E0860 as built; keyword arguments change one fact each.
This is the one builder of a valid case document: the contract's example
(tests/sample_case.py), the documents' samples and the service steps all start from it.
"""

from __future__ import annotations

import copy
from datetime import date

from dme_service.case.model import SCREENING_KEYS

# The clock the parser is given in tests, so dates never drift into the future.
TODAY = date(2026, 11, 23)
VALID_NPI = "1234567893"  # Luhn over 80840 + NPI holds


def a_trial(**overrides) -> dict:
    """A supervised trial that improved (7 -> 3), demonstrated and tolerated."""
    trial = {
        "date": "2026-10-02",
        "device": "E0860",
        "position": "seated",
        "force_lb": 12,
        "minutes": 15,
        "pain_before": 7,
        "pain_after": 3,
        "peripheralization": False,
        "new_neuro_signs": False,
        "use_demonstrated": True,
        "tolerated": True,
    }
    trial.update(overrides)
    return trial


def a_screening(**answers) -> dict:
    """All 19 keys answered false, except those given."""
    screening = dict.fromkeys(SCREENING_KEYS, False)
    screening.update(answers)
    return screening


def a_case(
    payer: str = "medicare",
    hcpcs: str = "E0860",
    force_lb: float | None = 12,
    *,
    diagnoses: list[str] | tuple[str, ...] = ("M50.122",),
    trial: dict | None = None,
    trials: list[dict] | None = None,
    screening: dict | None = None,
    credential: str = "MD",
    abn_on_file: bool = False,
    also_requested: list[str] | tuple[str, ...] = (),
    prior_devices: list[dict] | tuple[dict, ...] = (),
    frequency_text: str = "15 minutes, twice daily",
    **top,
) -> dict:
    """A valid case document. `trial` overrides fields of the single trial; `trials`
    replaces the list; `screening` overrides answers; `top` sets any top-level key."""
    request = {
        "hcpcs": hcpcs,
        "force_lb": force_lb,
        "minutes": 15,
        "sessions_per_day": 2,
        "length_of_need_months": 3,
        "frequency_text": frequency_text,
    }
    if force_lb is None:
        del request["force_lb"]
    doc = {
        "format": "dme-case/1",
        "patient": {
            "name": "Jane Q. Doe",
            "date_of_birth": "1958-03-14",
            "member_id": "1EG4TE5MK73",
            "weight_lb": 160,
        },
        "payer": payer,
        "diagnoses": list(diagnoses),
        "onset_date": "2026-07-01",
        "trials": trials if trials is not None else [a_trial(**(trial or {}))],
        "screening": a_screening(**(screening or {})),
        "request": request,
        "also_requested": list(also_requested),
        "treating_practitioner": {"name": "Sam Lee", "npi": VALID_NPI, "credential": credential},
        "abn_on_file": abn_on_file,
        "prior_devices": list(prior_devices),
    }
    doc.update(top)
    return copy.deepcopy(doc)


def decide(doc: dict) -> dict:
    """Parse (with the tests' clock) and evaluate; the decision as JSON."""
    from dme_service.case.parse import parse
    from dme_service.rules.engine import evaluate

    return evaluate(parse(doc, today=TODAY)).as_json()


def reason(decision: dict, code: str) -> dict:
    """The decision's reason with this code (KeyError-like failure if absent)."""
    found = [r for r in decision["reasons"] if r["code"] == code]
    assert found, f"no reason {code}; reasons: {[r['code'] for r in decision['reasons']]}"
    return found[0]


def warning_codes(decision: dict) -> list[str]:
    return [w["code"] for w in decision["warnings"]]
