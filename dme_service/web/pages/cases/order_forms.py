"""The case page's order section (Flask-WTF): the treating practitioner who signs the order,
the onset of the episode, the ABN, what else was asked about and the devices supplied before.
Like every section form it builds its part of the dme-case/1 document and puts the parser's
errors back on its fields (case_forms.SectionForm).
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from dme_service.case.limits import MAX_PRIOR_DEVICES
from dme_service.coding.codes import CERVICAL_TRACTION_CODES
from dme_service.web.pages.cases.forms import (
    DEVICE_WORDS,
    SectionForm,
    answered,
    date_field,
    typed_text,
)
from dme_service.web.pages.cases.inputs import select_choices

ALSO_WORDS = {"inversion_table": "Inversion table", "home_lumbar_traction": "Home lumbar traction"}


class PriorRow(Form):
    hcpcs = SelectField(
        "Device",
        choices=select_choices(
            [("", "Choose")] + [(c, DEVICE_WORDS[c]) for c in sorted(CERVICAL_TRACTION_CODES)]
        ),
        default="",
    )
    date = date_field("Date supplied")
    remove = BooleanField("Remove")

    def prior(self) -> dict[str, Any] | None:
        if self.remove.data or not (self.hcpcs.data or typed_text(self.date)):
            return None
        return answered({"hcpcs": self.hcpcs.data or None, "date": typed_text(self.date)})


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def signer_choices(signers) -> list[tuple[str, str]]:
    """The treating practitioner's choices: (user id, name, credential and NPI)."""
    choices = [("", "Not chosen yet")]
    choices += [(str(u.id), f"{u.name}, {u.credential} (NPI {u.npi})") for u in signers]
    return choices


class OrderForm(SectionForm):
    section = "order"
    prefix_name = "order"
    treating_practitioner = SelectField(
        "Treating practitioner (signs the order)", choices=[], default=""
    )
    onset_date = date_field("Onset of the current episode")
    abn_on_file = BooleanField("An Advance Beneficiary Notice (ABN) is on file")
    also_requested = MultiCheckbox("Also asked about", choices=select_choices(ALSO_WORDS.items()))
    prior = FieldList(FormField(PriorRow), min_entries=1, max_entries=MAX_PRIOR_DEVICES + 1)

    def set_signers(self, signers) -> None:
        self.treating_practitioner.choices = select_choices(signer_choices(signers))

    def practitioner_id(self) -> int | None:
        value = self.treating_practitioner.data or ""
        return int(value) if value.isdigit() else None

    def _kept(self) -> list:
        return [row for row in self.prior.entries if row.form.prior() is not None]

    def part(self) -> dict[str, Any]:
        return {
            "onset_date": typed_text(self.onset_date),
            "abn_on_file": bool(self.abn_on_file.data),
            "also_requested": list(self.also_requested.data or []),
            "prior_devices": [row.form.prior() for row in self._kept()],
        }

    def field_for(self, path: str) -> Field | None:
        top = path.split(".", 1)[0].split("[", 1)[0]
        if top == "prior_devices" and "[" in path:
            index, _, key = path[len("prior_devices[") :].partition("]")
            kept = self._kept()
            row = kept[int(index)].form if int(index) < len(kept) else None
            return getattr(row, key.removeprefix(".") or "hcpcs", None) if row else None
        return getattr(self, top, None) if top in self._fields else None
