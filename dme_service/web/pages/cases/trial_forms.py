"""The in-clinic trials section: one row of inputs per trial, blank rows ignored.

Each row becomes a trial of the dme-case/1 document; the parser's `trials[i].<field>` errors
come back to row i of the rows that were kept (a blank or removed row is not a trial).
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Field, FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import Length

from dme_service.case.limits import MAX_TRIALS
from dme_service.case.model import CLINIC_TRIAL_DEVICES, TRIAL_DEVICES
from dme_service.web.pages.cases.forms import SectionForm, answered, date_field, typed_text
from dme_service.web.pages.cases.inputs import (
    NumberText,
    RequiredYesNoSelect,
    WholeText,
    YesNoSelect,
    select_choices,
)

# Short names for the trial's device list (the home prescription shows the full descriptors).
TRIAL_DEVICE_WORDS = {
    "E0860": "E0860 over-door",
    "E0849": "E0849 pneumatic, occipital pull",
    "E0855": "E0855 without stand or frame",
    "E0840": "E0840 headboard frame",
    "E0850": "E0850 free-standing stand",
    "E0856": "E0856 inflatable (ambulatory)",
    "E0941": "E0941 gravity / inversion",
    "mechanical": "Clinic mechanical traction",
    "manual": "Manual traction",
}


NOTE_MAX = 500  # a short note; the full daily note stays in the clinic's chart


class TrialRow(Form):
    """One in-clinic trial (no CSRF of its own: it is part of TrialsForm)."""

    date = date_field("Date")
    device = SelectField(
        "Device",
        choices=select_choices(
            [("", "Choose")] + [(d, TRIAL_DEVICE_WORDS[d]) for d in TRIAL_DEVICES]
        ),
        default="",
    )
    position = SelectField(
        "Position",
        choices=select_choices([("", "Not recorded"), ("seated", "Seated"), ("supine", "Supine")]),
        default="",
    )
    force_lb = NumberText("Force (lb)", [Length(max=20)])
    minutes = NumberText("Minutes", [Length(max=20)])
    pain_before = WholeText("Pain before (0-10)", [Length(max=20)])
    pain_after = WholeText("Pain after (0-10)", [Length(max=20)])
    peripheralization = RequiredYesNoSelect("Peripheralization with traction")
    new_neuro_signs = RequiredYesNoSelect("New neurological signs")
    use_demonstrated = YesNoSelect("Use of the home unit demonstrated")
    tolerated = YesNoSelect("Tolerated")
    # Kept beside the trial, not part of the case document (docs/case-format.md).
    note = StringField(
        "Note (optional)",
        [Length(max=NOTE_MAX, message=f"Keep the note to {NOTE_MAX} characters or fewer.")],
    )
    remove = BooleanField("Remove this trial")

    def is_blank(self) -> bool:
        return not any(
            (field.data or "") for name, field in self._fields.items() if name != "remove"
        )

    def trial(self) -> dict[str, Any]:
        values = {
            "date": typed_text(self.date),
            "device": self.device.data or None,
            "position": self.position.data or None,
            "force_lb": self.force_lb.value,
            "minutes": self.minutes.value,
            "pain_before": self.pain_before.value,
            "pain_after": self.pain_after.value,
            "peripheralization": self.peripheralization.answer,
            "new_neuro_signs": self.new_neuro_signs.answer,
            "use_demonstrated": self.use_demonstrated.answer,
            "tolerated": self.tolerated.answer,
        }
        if self.is_clinic_trial():
            # Clarification 13: a clinic trial is not asked whether the home unit was
            # demonstrated or tolerated; whatever a hidden select still held is not recorded.
            del values["use_demonstrated"], values["tolerated"]
        return answered(values)

    def is_clinic_trial(self) -> bool:
        """Clinic mechanical or manual traction (not a home unit set up in the clinic)."""
        return self.device.data in CLINIC_TRIAL_DEVICES


class TrialsForm(SectionForm):
    section = "trials"
    prefix_name = "trials"
    rows = FieldList(FormField(TrialRow), min_entries=1, max_entries=MAX_TRIALS + 1)

    def _kept(self) -> list:
        return [
            row for row in self.rows.entries if not row.form.remove.data and not row.form.is_blank()
        ]

    def part(self) -> dict[str, Any]:
        return {"trials": [row.form.trial() for row in self._kept()]}

    def notes(self) -> tuple[str | None, ...]:
        """Each kept trial's note, in the part's order."""
        return tuple(typed_text(row.form.note) for row in self._kept())

    def field_for(self, path: str) -> Field | None:
        kept = self._kept()
        if not path.startswith("trials[") or not kept:
            return self.rows.entries[0].form.date if path == "trials" else None
        index, _, key = path[len("trials[") :].partition("].")
        row = kept[int(index)].form if int(index) < len(kept) else None
        return getattr(row, key or "date", None) if row is not None else None

    def add_row(self) -> None:
        if len(self.rows.entries) < self.rows.max_entries:  # the parser reports the bound
            self.rows.append_entry()
