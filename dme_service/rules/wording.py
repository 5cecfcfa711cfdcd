"""The sentences of a decision: warning texts and screening labels, for billing and clinicians.

Each warning says what was found in the case and why it matters, citing the source
(domain.md §§3, 7, 8, 9, 11). Kept apart from the engine so a reviewer can read every
sentence the service prints in one place.
"""

from __future__ import annotations

import re

# The payers' names as every page, document and export prints them.
PAYER_NAMES: dict[str, str] = {
    "medicare": "Medicare",
    "ibx_ma": "Independence Blue Cross Medicare Advantage",
    "aetna": "Aetna",
    "anthem": "Anthem",
    "premera": "Premera Blue Cross",
    "connectcare": "ConnectCare",
    "uhc_commercial": "UnitedHealthcare (commercial)",
    "cigna": "Cigna",
    "ibx_commercial": "Independence Blue Cross (commercial)",
    "self_pay": "Self-pay (no insurer)",
}

SCREENING_LABELS: dict[str, str] = {
    "fracture_or_acute_trauma": "fracture or acute trauma",
    "spinal_instability": "spinal instability",
    "spinal_malignancy": "spinal malignancy",
    "spinal_infection": "spinal infection",
    "severe_osteoporosis": "severe osteoporosis",
    "myelopathy": "myelopathy",
    "vertebrobasilar_insufficiency": "vertebrobasilar insufficiency",
    "recent_spinal_surgery": "recent spinal surgery",
    "uncontrolled_hypertension": "uncontrolled high blood pressure",
    "glaucoma": "glaucoma",
    "retinal_detachment": "a past retinal detachment",
    "heart_disease": "heart disease",
    "anticoagulant_use": "blood thinners (anticoagulants, including daily aspirin)",
    "hernia": "a hernia",
    "pregnancy": "pregnancy",
    "tmj_dysfunction": "TMJ dysfunction",
    "tmj_treated": "treated TMJ condition",
    "jaw_or_neck_distortion": "distortion of the lower jaw or neck anatomy",
    "over_door_unsafe": "a limitation making over-door traction unsafe",
}

INVERSION_TABLE_UNSUPERVISED = (
    "Do not use an inversion table or hang upside down without supervision: inversion raises "
    "blood pressure and eye pressure within minutes (Haskvitz and Hanten 1986; Friberg and "
    "Weinreb 1985: eye pressure 14.1 to 35.6 mmHg), and inversion tables have been recalled "
    "after ankle locks released and users fell (CPSC #08-109)."
)
INVERSION_TABLE_REQUESTED = (
    "An inversion table (gravity-assisted traction, E0941) was asked about: no payer covers "
    "it and the service does not recommend an unsupervised inversion device; a patient who "
    "buys one pays for it (ABN or financial-responsibility notice)."
)
HOME_LUMBAR_TRACTION = (
    "Home lumbar traction was asked about: traction may make little or no difference to low "
    "back pain (Wegner et al., Cochrane 2013, 32 trials) and payers do not cover home lumbar "
    "devices; this cervical order does not include one."
)
PRECAUTIONS: dict[str, str] = {
    "pregnancy": "pregnancy (increased ligamentous laxity and risk of abdominal compression)",
    "uncontrolled_hypertension": (
        "uncontrolled high blood pressure (blood pressure rises at heavy traction loads; "
        "Tsai 2011, Chang 2012)"
    ),
    "tmj_dysfunction": (
        "TMJ dysfunction with a chin-halter (over-door) unit (the chin strap loads the jaw "
        "joints; an occipital-pull unit avoids this)"
    ),
}


def inversion_high_risk(conditions: list[str]) -> str:
    named = join_words([SCREENING_LABELS[key] for key in conditions])
    return (
        f"Inversion is especially dangerous for this patient, who has {named}: hanging upside "
        "down raises blood and eye pressure. The patient must not use an inversion table."
    )


def precaution(keys: list[str]) -> str:
    named = "; ".join(PRECAUTIONS[key] for key in keys)
    return (
        f"Precaution for cervical traction: {named}. Start low, watch the response and "
        "document the clinician's clearance."
    )


def over_door_force(force: float) -> str:
    return (
        f"{pounds(force)} ordered on an over-door unit (E0860): over-door units are not built "
        "for more than 20 lb; lower the force or order a unit made for it."
    )


def order_frequency_prn(text: str) -> str:
    return (
        f'The order frequency "{text}" is PRN / as needed: orders that only state PRN or as '
        "needed are not acceptable; state minutes per session and sessions per day."
    )


def demonstrated_device_differs(shown: str, when: str, ordered: str) -> str:
    return (
        f"The home unit demonstrated in the supervised trial was {shown} (on {when}) but "
        f"{ordered} is ordered: payers' criterion 2 speaks of the selected device, so "
        f"demonstrate the {ordered} and record its trial before the order is signed."
    )


def same_or_similar(hcpcs: str, when: str, trial_date: str) -> str:
    return (
        f"Same or similar: a prior {hcpcs} dated {when} is less than 5 years before the latest "
        f"trial ({trial_date}); Medicare generally pays once per 5-year useful lifetime, so "
        "check same-or-similar before billing."
    )


def diagnosis_excludes1(pairs: list[tuple[str, str, str, str]]) -> str:
    listed = "; ".join(
        f'{code} with {other} ({owner} Excludes1: "{note}")' for code, other, owner, note in pairs
    )
    return (
        f"ICD-10-CM Excludes1: {listed}. Codes in an Excludes1 pair are not reported together; "
        "review the diagnoses before billing."
    )


def pounds(value: float) -> str:
    return f"{value:g} lb"


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# A case's decision status as a person reads it (pages, exports); the keys are the contract's.
DECISION_WORDS: dict[str, str] = {
    "eligible": "Eligible",
    "not_eligible": "Not eligible",
    "not_covered": "Not covered",
    "incomplete": "Incomplete",
    "contraindicated": "Contraindicated",
    "draft": "Draft",
}


# Where a person reads the decision, the contract's dotted paths stay out: the reason texts
# say "(screening.myelopathy is true)" or "(trials[1].use_demonstrated)" for API readers.
_PATH_IN_TEXT = re.compile(r"\s*\((?:[a-z_]+(?:\[\d+\])?\.)+[a-z_]+(?: is (?:true|false))?\)")


def without_field_paths(text: str | None) -> str:
    """A decision text for a person: without the contract's dotted field paths."""
    return _PATH_IN_TEXT.sub("", text or "")
