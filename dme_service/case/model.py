"""The case (dme-case/1) as frozen dataclasses: what `case_format.parse` returns.

Field names are the contract's names (docs/case-format.md, "Case document"); a reader of the
contract finds every field here under the same name. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dme_service.case.response import deciding_index

# The 19 screening keys, in the contract's order. The first eight are absolute
# contraindications (case-format.md, status step 1).
ABSOLUTE_CONTRAINDICATIONS: tuple[str, ...] = (
    "fracture_or_acute_trauma",
    "spinal_instability",
    "spinal_malignancy",
    "spinal_infection",
    "severe_osteoporosis",
    "myelopathy",
    "vertebrobasilar_insufficiency",
    "recent_spinal_surgery",
)
# case-format.md "warnings": the groups in whom inversion raises blood or eye pressure, in the
# order the INVERSION_HIGH_RISK warning names them. The decision's warning, the patient's
# instructions, the home plan, the case page and the CDS Hooks advice all read this tuple.
INVERSION_HIGH_RISK: tuple[str, ...] = (
    "uncontrolled_hypertension",
    "glaucoma",
    "retinal_detachment",
    "heart_disease",
    "anticoagulant_use",
    "hernia",
    "pregnancy",
)
JAW_NECK_AND_DEVICE_KEYS: tuple[str, ...] = (
    "tmj_dysfunction",
    "tmj_treated",
    "jaw_or_neck_distortion",
    "over_door_unsafe",
)
OTHER_SCREENING_KEYS: tuple[str, ...] = INVERSION_HIGH_RISK + JAW_NECK_AND_DEVICE_KEYS
SCREENING_KEYS: tuple[str, ...] = ABSOLUTE_CONTRAINDICATIONS + OTHER_SCREENING_KEYS

HOME_DEVICES: tuple[str, ...] = ("E0860", "E0849", "E0855", "E0840", "E0850", "E0856", "E0941")
CLINIC_TRIAL_DEVICES: tuple[str, ...] = ("mechanical", "manual")
TRIAL_DEVICES: tuple[str, ...] = HOME_DEVICES + CLINIC_TRIAL_DEVICES
SIGNING_CREDENTIALS: tuple[str, ...] = ("MD", "DO", "DPM", "PA", "NP", "CNS")
AUTHOR_ONLY_CREDENTIALS: tuple[str, ...] = ("PT", "DC", "OT", "RN")
ALSO_REQUESTED: tuple[str, ...] = ("inversion_table", "home_lumbar_traction")
POSITIONS: tuple[str, ...] = ("seated", "supine")

# The keys each object of the document may have, in the contract's order; any other key
# is rejected by case_format (typos are caught).
TOP_KEYS = (
    "format",
    "patient",
    "payer",
    "diagnoses",
    "onset_date",
    "trials",
    "screening",
    "request",
    "also_requested",
    "treating_practitioner",
    "abn_on_file",
    "prior_devices",
)
PATIENT_KEYS = ("name", "date_of_birth", "member_id", "weight_lb")
TRIAL_KEYS = (
    "date",
    "device",
    "position",
    "force_lb",
    "minutes",
    "pain_before",
    "pain_after",
    "peripheralization",
    "new_neuro_signs",
    "use_demonstrated",
    "tolerated",
)
REQUEST_KEYS = (
    "hcpcs",
    "force_lb",
    "minutes",
    "sessions_per_day",
    "length_of_need_months",
    "frequency_text",
)
PRACTITIONER_KEYS = ("name", "npi", "credential")
PRIOR_DEVICE_KEYS = ("hcpcs", "date")


@dataclass(frozen=True, slots=True)
class Patient:
    name: str
    date_of_birth: date
    member_id: str
    weight_lb: float | None = None


@dataclass(frozen=True, slots=True)
class Trial:
    """One supervised in-clinic trial. `tolerated`/`use_demonstrated` may be unrecorded."""

    date: date
    device: str
    position: str | None
    force_lb: float
    minutes: float
    pain_before: int
    pain_after: int
    peripheralization: bool
    new_neuro_signs: bool
    use_demonstrated: bool | None
    tolerated: bool | None


def is_home_unit_trial(trial: Trial) -> bool:
    """A home-unit trial set up a home unit (device a HCPCS code) on the patient in the clinic;
    `mechanical` and `manual` are clinic trials (case-format.md `trials`)."""
    return trial.device not in CLINIC_TRIAL_DEVICES


@dataclass(frozen=True, slots=True)
class HomeRequest:
    """The home prescription (`request` in the document)."""

    hcpcs: str = "E0860"
    force_lb: float | None = None
    minutes: float | None = None
    sessions_per_day: int | None = None
    length_of_need_months: int | None = None
    frequency_text: str | None = None


@dataclass(frozen=True, slots=True)
class Practitioner:
    name: str
    npi: str
    credential: str

    @property
    def may_sign(self) -> bool:
        # 42 CFR 410.38(c)(2): physicians, PA, NP, CNS are treating practitioners.
        return self.credential in SIGNING_CREDENTIALS


@dataclass(frozen=True, slots=True)
class PriorDevice:
    hcpcs: str
    date: date


@dataclass(frozen=True, slots=True)
class Case:
    """A parsed, validated dme-case/1 document.

    `screening` maps every one of the 19 keys to True, False or None (unanswered).
    `trials` keeps the input order; `latest_trial_index` picks the one whose response counts,
    `latest_home_trial_index` the home-unit trial that decides criterion 2 (revision 2).
    """

    patient: Patient
    payer: str
    diagnoses: tuple[str, ...]
    screening: dict[str, bool | None]
    request: HomeRequest
    treating_practitioner: Practitioner
    trials: tuple[Trial, ...] = ()
    onset_date: date | None = None
    also_requested: tuple[str, ...] = ()
    abn_on_file: bool = False
    prior_devices: tuple[PriorDevice, ...] = field(default_factory=tuple)

    @property
    def latest_trial_index(self) -> int | None:
        """Index of the deciding trial: latest by date, ties to the later in the list."""
        return deciding_index([trial.date for trial in self.trials])

    @property
    def latest_trial(self) -> Trial | None:
        index = self.latest_trial_index
        return None if index is None else self.trials[index]

    @property
    def trials_by_date(self) -> tuple[tuple[int, Trial], ...]:
        """Each trial with its index in the input list, oldest first; ties keep the list's
        order, so the last one is the latest trial (clarification 3)."""
        return tuple(sorted(enumerate(self.trials), key=lambda pair: pair[1].date))

    @property
    def latest_home_trial_index(self) -> int | None:
        """Index of the latest home-unit trial (device a HCPCS code), which decides criterion
        2 (case-format.md clarification 13); ties to the later in the list; None if none."""
        best = None
        for i, trial in enumerate(self.trials):
            if not is_home_unit_trial(trial):
                continue
            if best is None or trial.date >= self.trials[best].date:
                best = i
        return best

    @property
    def latest_home_trial(self) -> Trial | None:
        index = self.latest_home_trial_index
        return None if index is None else self.trials[index]
