"""Inputs of the case forms: typed-text fields that keep what was typed, yes/no answers that
start unanswered, the words shown for codes, and where each document path lives on the page.

The fields only turn text into JSON values (a number, true/false); whether a value is allowed
is `case_format.parse`'s decision, and its messages come back onto these fields.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from dme_service.case.history import LABELS as HISTORY_LABELS
from dme_service.case.limits import MBI, MBI_PAYERS, mbi_problem, normal_mbi  # noqa: F401 - the forms' names
from dme_service.case.model import SCREENING_KEYS
from dme_service.case.response import response
from dme_service.rules.wording import SCREENING_LABELS

STATUS_WORDS: dict[str, str] = {
    "eligible": "Eligible",
    "not_eligible": "Not eligible",
    "not_covered": "Not covered",
    "incomplete": "Incomplete",
    "contraindicated": "Contraindicated",
    "draft": "Draft",
}

# One line per question (domain.md §8), shown under it.
SCREENING_HINTS = {
    "fracture_or_acute_trauma": (
        "Unhealed or acute fracture, or an acute neck injury (wait at least 24 h)."
    ),
    "spinal_instability": (
        "Ligamentous or atlantoaxial instability (RA, Down syndrome), spondylolisthesis grade 2+."
    ),
    "spinal_malignancy": "Tumour or metastasis in the spine.",
    "spinal_infection": "Osteomyelitis or discitis.",
    "severe_osteoporosis": "Severe osteoporosis or other bone weakness.",
    "myelopathy": "Signs of myelopathy or cord compression (central herniation, tumour).",
    "vertebrobasilar_insufficiency": (
        "Vertebral artery insufficiency or other cervical vascular compromise."
    ),
    "recent_spinal_surgery": "Spinal surgery still healing; follow the surgeon's clearance.",
    "uncontrolled_hypertension": (
        "Blood pressure rises at heavy traction loads (precaution; inversion risk)."
    ),
    "glaucoma": "Inversion raises eye pressure.",
    "retinal_detachment": "A past retinal detachment: inversion raises eye pressure.",
    "heart_disease": "Inversion raises blood pressure and heart strain.",
    "anticoagulant_use": "Blood thinners, including daily aspirin (inversion risk).",
    "hernia": "Inversion raises abdominal pressure.",
    "pregnancy": "Ligamentous laxity and risk of abdominal compression (precaution).",
    "tmj_dysfunction": (
        "An over-door chin strap loads the jaw joints; occipital-pull units avoid this."
    ),
    "tmj_treated": "Only needed when TMJ dysfunction is Yes: treated TMJ supports E0849/E0855.",
    "jaw_or_neck_distortion": "Distorted lower jaw or neck anatomy supports E0849/E0855.",
    "over_door_unsafe": "A limitation making over-door traction unsafe (ConnectCare, E0849/E0855).",
}


class NumberText(StringField):
    """A number typed as text (kept as typed); `.value` is an int or float, or None if blank."""

    message = "Enter a number, for example 12 or 12.5."

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.value = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            number = float(text)
        except ValueError:
            raise ValueError(self.message) from None
        if not math.isfinite(number):
            raise ValueError(self.message)
        self.value = int(number) if re.fullmatch(r"[+-]?[0-9]+", text) else number

    def process_data(self, value):
        self.value = value
        self.data = "" if value is None else _shown(value)


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class WholeText(NumberText):
    """A whole number typed as text (pain 0-10, counts); 7.5 goes to the parser, which says why."""

    message = "Enter a whole number, for example 7."


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as a field's choices.

    WTForms 3.3 deprecates tuple choices (removed in 3.4); SelectChoice renders the same options.
    """
    return [SelectChoice(value, label) for value, label in pairs]


class YesNo(RadioField):
    """A yes/no question that starts unanswered: no default, and unanswered is allowed."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", select_choices([("yes", "Yes"), ("no", "No")]))
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        self.data = {True: "yes", False: "no"}.get(value, value)

    def pre_validate(self, form):
        if self.data not in (None, "", "yes", "no"):
            raise ValidationError("Choose Yes or No.")

    @property
    def answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data)


class YesNoSelect(SelectField):
    """A compact yes/no for trial rows; "Not recorded" is a real choice (None)."""

    # Built once: a trial row has four of these and the case page shows every row.
    CHOICES = select_choices([("", "Not recorded"), ("yes", "Yes"), ("no", "No")])

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", self.CHOICES)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        self.data = {True: "yes", False: "no", None: ""}.get(value, value)

    @property
    def answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data)


class RequiredYesNoSelect(YesNoSelect):
    """A yes/no every trial must answer (the parser requires it): it starts empty on
    "Choose…", never on an answer-like "Not recorded". Left empty on a trial that is kept,
    the parser refuses it with the rest of the page's problems, shown in these words."""

    CHOICES = select_choices([("", "Choose…"), ("yes", "Yes"), ("no", "No")])
    required_message = "Choose Yes or No."


def field_message(field, message: str) -> str:
    """A parser message as shown beside `field`: the field's own words for a missing answer
    when it has them, else the message as a sentence."""
    own = getattr(field, "required_message", None)
    if own and message.startswith("is required"):
        return own
    return plain(message)


def plain(message: str) -> str:
    """A parser message as a sentence for the page: 'is required (true or false)' -> ..."""
    text = message.replace("(true or false)", "(Yes or No)")
    text = text.replace("is required (a string)", "is required")
    text = text.replace("is required (an object)", "is required")
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", ")")) else text + "."


# --- where a document path is on the case page ------------------------------------------

_TOP_IDS = {
    "payer": "patient-payer",
    "patient": "patient-name",
    "diagnoses": "dx-codes-0",
    "trials": "trials-rows-0-date",
    "screening": "screening-" + SCREENING_KEYS[0] + "-0",
    "request": "request-hcpcs",
    "treating_practitioner": "order-treating_practitioner",
    "onset_date": "order-onset_date",
    "abn_on_file": "order-abn_on_file",
    "also_requested": "order-also_requested-0",
    "prior_devices": "order-prior-0-hcpcs",
    "history": "history-physical_therapy_weeks",
}
_PATH = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?")


def anchor_for(path: str) -> str:
    """The id of the input on the case page where the fact at `path` is entered."""
    match = _PATH.match(path)
    if match is None or match.group(1) not in _TOP_IDS:
        return "case-top"
    top, index, key = match.group(1), match.group(2), match.group(3)
    if top == "patient" and key:
        return f"patient-{key}"
    if top == "diagnoses" and index is not None:
        return f"dx-codes-{index}"
    if top == "trials" and index is not None:
        return f"trials-rows-{index}-{key or 'date'}"
    if top == "screening" and key:
        return f"screening-{key}-0"
    if top == "request" and key:
        return f"request-{key}"
    if top == "prior_devices" and index is not None:
        return f"order-prior-{index}-{key or 'hcpcs'}"
    if top == "history" and key in HISTORY_LABELS:
        return f"history-{key}"
    return _TOP_IDS[top]


_WORDS = {
    "date_of_birth": "date of birth",
    "member_id": "member id",
    "weight_lb": "weight",
    "force_lb": "force",
    "pain_before": "pain before",
    "pain_after": "pain after",
    "new_neuro_signs": "new neurological signs",
    "use_demonstrated": "use demonstrated",
    "hcpcs": "device",
    "sessions_per_day": "sessions per day",
    "length_of_need_months": "length of need",
    "frequency_text": "frequency wording",
    "onset_date": "onset date",
    "abn_on_file": "ABN on file",
    "treating_practitioner": "treating practitioner",
    "also_requested": "also requested",
}
_SECTION_WORDS = {
    "patient": "Patient",
    "payer": "Payer",
    "diagnoses": "Diagnosis",
    "trials": "Trial",
    "screening": "Screening",
    "request": "Home prescription",
    "prior_devices": "Prior device",
}


def label_for(path: str) -> str:
    """Words for a document path: 'trials[1].pain_after' -> 'Trial 2, pain after'."""
    match = _PATH.match(path)
    if match is None:
        return "The case"
    top, index, key = match.group(1), match.group(2), match.group(3)
    if top == "screening" and key:
        return "Screening: " + SCREENING_LABELS.get(key, key.replace("_", " "))
    if top == "history" and key in HISTORY_LABELS:
        words = HISTORY_LABELS[key]
        return "History: " + words[:1].upper() + words[1:]
    head = _SECTION_WORDS.get(top) or _WORDS.get(top, top.replace("_", " ")).capitalize()
    if index is not None:
        head = f"{head} {int(index) + 1}"
    if key:
        return f"{head}, {_WORDS.get(key, key.replace('_', ' '))}"
    return head


def trial_response_of(values) -> str | None:
    """improved / unchanged / worse for pain before/after and the two signs, or None when the
    pain scores are not two whole numbers 0-10 yet. The rule is the contract's (case.response)."""
    try:
        before, after = int(values.get("pain_before", "")), int(values.get("pain_after", ""))
    except ValueError:
        return None
    if not (0 <= before <= 10 and 0 <= after <= 10):
        return None
    return response(
        before,
        after,
        values.get("peripheralization") == "yes",
        values.get("new_neuro_signs") == "yes",
    )
