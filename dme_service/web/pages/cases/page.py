"""What the case page shows: each section's form filled from the stored case, the decision
panel (status in words, criteria, warnings, what to do next with links to the fields) and the
error summary. Everything is read from the stored decision or the parser; no rule lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user

from dme_service.case.model import (
    ABSOLUTE_CONTRAINDICATIONS,
    HOME_DEVICES,
    INVERSION_HIGH_RISK,
    JAW_NECK_AND_DEVICE_KEYS,
)
from dme_service.case.parse import FieldError
from dme_service.case.response import deciding_index
from dme_service.coding import codes
from dme_service.db import get_session
from dme_service.documents.wording import person
from dme_service.rules.claim import CHOSEN_STATUSES, ROUTED_STATUSES
from dme_service.rules.wording import (
    INVERSION_TABLE_UNSUPERVISED,
    PAYER_NAMES,
    without_field_paths,
)
from dme_service.services.billing.readiness import prescription_saved
from dme_service.services.cases import decide as case_decide
from dme_service.services.cases import same_patient
from dme_service.services.cases import sections as case_sections
from dme_service.store.cases import case_document
from dme_service.store.decisions import latest_decision_json
from dme_service.store.history import history_document
from dme_service.web.pages.cases.forms import (
    HOME_DEFAULTS,
    DiagnosesForm,
    PatientForm,
    PrescriptionForm,
    ScreeningForm,
    SectionForm,
)
from dme_service.web.pages.cases.history_form import HistoryForm
from dme_service.web.pages.cases.inputs import (
    SCREENING_HINTS,
    STATUS_WORDS,
    anchor_for,
    field_message,
    label_for,
    plain,
    trial_response_of,
)
from dme_service.web.pages.cases.order_forms import OrderForm, signer_choices
from dme_service.web.pages.cases.shown_forms import form_view
from dme_service.web.pages.cases.trial_forms import TrialsForm
from dme_service.web.pages.cases.way_forward import way_forward

SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (
        PatientForm,
        DiagnosesForm,
        HistoryForm,
        TrialsForm,
        ScreeningForm,
        PrescriptionForm,
        OrderForm,
    )
}
SECTION_TITLES = {
    "patient": "Patient and payer",
    "diagnoses": "Diagnoses",
    "history": "History and prior treatment",
    "trials": "In-clinic trials",
    "screening": "Screening",
    "prescription": "Home prescription",
    "order": "Order and history",
}
SECTION_IDS = {section: f"section-{section}" for section in SECTION_TITLES}


# The prescription card shows suggestions until it is saved; nothing is ordered, and nothing
# goes to the practitioner for signature, before then (services/billing/readiness.py).
UNSAVED_PRESCRIPTION = (
    "Save the home prescription: nothing is ordered, and the order does not go for "
    "signature, until you do."
)


@dataclass(frozen=True)
class Todo:
    anchor: str
    text: str


@dataclass
class Panel:
    """The decision panel: always on the case page."""

    status: str
    words: str
    summary: str
    decision: dict[str, Any] | None
    todo: list[Todo] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: what is wrong and a link to the field."""

    anchor: str
    label: str
    message: str


def form_data(section: str, case, document: dict[str, Any]) -> dict[str, Any]:
    """What a section's form shows for the stored case."""
    data: dict[str, Any] = {"version": str(case.version)}
    if section == "patient":
        data |= dict(document.get("patient") or {}) | {"payer": document.get("payer") or ""}
    elif section == "diagnoses":
        data["codes"] = list(document.get("diagnoses") or []) + [""]
    elif section == "history":
        # Kept beside the document (case/history.py): read from its own row.
        data |= history_document(case) or {}
    elif section == "trials":
        data["rows"] = trial_rows_data(case, document) + [{}]
    elif section == "screening":
        data |= dict(document.get("screening") or {})
    elif section == "prescription":
        data |= prescription_data(case, document)
    elif section == "order":
        data |= {
            "treating_practitioner": str(case.treating_practitioner_id or ""),
            "onset_date": document.get("onset_date") or "",
            "abn_on_file": bool(document.get("abn_on_file")),
            "also_requested": list(document.get("also_requested") or []),
            # Units carried from the patient's earlier cases are shown apart, with their
            # source, and leave only with a reason: the form holds what was typed.
            "prior": same_patient.typed_prior_devices(
                get_session(), case.id, document.get("prior_devices") or []
            )
            + [{}],
        }
    return data


def trial_rows_data(case, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each stored trial as its row shows it: the document's fields and the note kept beside."""
    trials = list(document.get("trials") or [])
    return [dict(t, note=row.note or "") for t, row in zip(trials, case.trials, strict=False)]


def latest_home_trial(document: dict[str, Any]) -> dict[str, Any] | None:
    """The latest home-unit trial: latest by date among trials of a home unit, ties to the
    later one (clarifications 3 and 13)."""
    trials = [t for t in document.get("trials") or [] if t.get("device") in HOME_DEVICES]
    index = deciding_index([trial.get("date") for trial in trials])
    return None if index is None else trials[index]


def prescription_data(case, document: dict[str, Any]) -> dict[str, Any]:
    """The stored prescription, or, before the first save, suggestions from the latest
    home-unit trial (its unit and force; never from a clinic trial)."""
    if case.home_prescription is not None:
        return dict(document.get("request") or {})
    suggested: dict[str, Any] = {"hcpcs": "E0860", **HOME_DEFAULTS}
    trial = latest_home_trial(document)
    if trial is not None:
        suggested["hcpcs"] = trial["device"]
        suggested["force_lb"] = trial.get("force_lb")
    return suggested


def section_forms(case, signers, bound: dict[str, SectionForm]) -> dict[str, Any]:
    """Every section's form: the bound ones as submitted, the others from the stored case
    (plain views, shown_forms.py: a GET builds no WTForms form)."""
    document = case_document(case)  # read only: the forms copy what they show
    forms: dict[str, Any] = {}
    for section, form_class in SECTION_FORMS.items():
        if section in bound:
            forms[section] = bound[section]
        else:
            forms[section] = form_view(form_class, form_data(section, case, document), section)
    if "order" in bound:
        bound["order"].set_signers(signers)
    else:
        forms["order"].treating_practitioner.choices = tuple(signer_choices(signers))
    return forms


def problems(errors: list[FieldError], forms: dict[str, SectionForm]) -> list[Problem]:
    """The error summary: every error, linked to its field (on its section's form)."""
    found = []
    for error in errors:
        form = forms.get(case_sections.section_of(error.field) or "")
        target = form.field_for(error.field) if form is not None else None
        anchor = first_input_id(target) if target is not None else anchor_for(error.field)
        message = field_message(target, error.message) if target is not None else None
        found.append(Problem(anchor, label_for(error.field), message or plain(error.message)))
    return found


def form_problems(form: SectionForm) -> list[Problem]:
    """The summary lines for a form's own errors (numbers typed as words, MBI shape)."""
    found = []
    for field_ in _walk(form):
        for message in field_.errors or ():
            if isinstance(message, str):
                found.append(Problem(first_input_id(field_), str(field_.label.text), message))
    return found


def _walk(form):
    for field_ in form:
        if hasattr(field_, "entries"):
            for entry in field_.entries:
                yield from _walk(entry.form) if hasattr(entry, "form") else [entry]
        else:
            yield field_


def first_input_id(field_) -> str:
    """Where a link to the field should land: a radio group's first button, else the field."""
    if field_.type == "YesNo":
        return f"{field_.id}-0"
    return field_.id


def decision_panel(case) -> Panel:
    """The panel for the stored case: its latest decision, or what a draft still lacks."""
    payer = PAYER_NAMES.get(case.payer or "", "the payer")
    # Only the latest record is read (a case saved fifty times keeps fifty). Billing and
    # signing moves also advance `version`, so the latest record is the decision on the
    # clinical facts; a draft has none (its facts do not parse yet).
    decision = latest_decision_json(get_session(), case.id)
    if case.status == "draft" or decision is None:
        gaps = case_decide.draft_gaps(case)
        todo = [Todo(anchor_for(e.field), _gap_text(e)) for e in gaps]
        summary = "Not decided yet: the case still lacks what every decision needs."
        return Panel("draft", STATUS_WORDS["draft"], summary, None, todo)
    todo = [Todo(anchor_for(path), _missing_text(path)) for path in decision["missing"]]
    if decision["status"] in ROUTED_STATUSES + CHOSEN_STATUSES and not prescription_saved(case):
        todo.append(Todo(anchor_for("request.force_lb"), UNSAVED_PRESCRIPTION))
    summary = _summary(decision, payer)
    return Panel(decision["status"], STATUS_WORDS[decision["status"]], summary, decision, todo)


def _summary(decision: dict[str, Any], payer: str) -> str:
    hcpcs = decision["requested_hcpcs"]
    status = decision["status"]
    if status == "eligible":
        return f"Every criterion of {payer}'s policy for {hcpcs} is met."
    if status == "not_eligible":
        return f"{payer} covers {hcpcs}, but a criterion below is not met."
    if status == "not_covered":
        return f"{payer} does not cover {hcpcs} for home use."
    if status == "contraindicated":
        return "An absolute contraindication was answered Yes: no home traction unit."
    return "Facts needed to decide are missing; see what to do next."


def _missing_text(path: str) -> str:
    if path == "trials":
        return "Record at least one supervised in-clinic trial."
    if path.startswith("screening."):
        return f"Answer the screening question: {label_for(path).removeprefix('Screening: ')}."
    if path.endswith(".tolerated"):
        trial = label_for(path).split(",")[0].lower()
        return f"Record whether the home unit was tolerated in {trial}, the latest home-unit trial."
    if path.endswith(".use_demonstrated"):
        trial = label_for(path).split(",")[0].lower()
        return (
            f"Record whether use of the home unit was demonstrated in {trial}, "
            "the latest home-unit trial."
        )
    if path.startswith("treating_practitioner"):
        return "Choose a treating practitioner who may sign the order (MD, DO, DPM, PA, NP, CNS)."
    return f"Complete: {label_for(path)}."


def _gap_text(error: FieldError) -> str:
    if error.field == "diagnoses":
        return "Add at least one diagnosis (a billable ICD-10-CM code)."
    if error.field == "treating_practitioner":
        return "Choose the treating practitioner who will sign the order."
    if error.field == "payer":
        return "Choose the payer."
    return f"{label_for(error.field)}: {plain(error.message)}"


def billable_children(errors: list[FieldError], form) -> dict[str, list[dict]]:
    """For each non-billable code refused: its billable codes, to pick from instead."""
    offers: dict[str, list[dict]] = {}
    for code_text in _refused_codes(errors, form):
        code = codes.lookup(code_text)
        if code is not None and not code.billable:
            matches = codes.search_codes(code.code, limit=40)
            offers[code.code] = [m for m in matches if m["billable"]]
    return offers


def _refused_codes(errors: list[FieldError], form) -> list[str]:
    if form is None or form.section != "diagnoses":
        return []
    wanted = form.part()["diagnoses"]
    found = []
    for error in errors:
        if case_sections.section_of(error.field) == "diagnoses" and error.field != "diagnoses":
            index = int(error.field[len("diagnoses[") : -1])
            if index < len(wanted):
                found.append(wanted[index])
    return found


SCREENING_GROUPS = (
    ("Absolute contraindications: any Yes means no home traction", ABSOLUTE_CONTRAINDICATIONS),
    ("Precautions and inversion risks", INVERSION_HIGH_RISK),
    ("Jaw, neck and device choice", JAW_NECK_AND_DEVICE_KEYS),
)


def code_words(code: str | None) -> str:
    """The ICD-10-CM descriptor of a code as typed, or "" when it is not a code."""
    found = codes.lookup(code) if code and code.strip() else None
    return found.descriptor if found is not None else ""


def trial_run_by(case, row) -> str:
    """Who ran a trial row, in words. A stored trial (same date and device, as the save
    matches them: store.cases.trial_rows) names who recorded it; a row not saved yet is
    recorded as run by the user who saves it."""
    if row.is_blank():
        return ""
    typed = ((row.date.data or "").strip(), row.device.data or "")
    for trial in case.trials:
        if (trial.date.isoformat(), trial.device) == typed:
            who = trial.recorded_by
            return f"Run by {person(who.name, who.credential)}" if who is not None else ""
    me = person(current_user.name, current_user.credential)
    return f"Not saved yet: it will be recorded as run by you, {me}."


def row_response(row) -> str | None:
    """A trial row's response as entered (the engine's rule), for the page before any JS."""
    values = {
        "pain_before": (row.pain_before.data or "").strip(),
        "pain_after": (row.pain_after.data or "").strip(),
        "peripheralization": row.peripheralization.data,
        "new_neuro_signs": row.new_neuro_signs.data,
    }
    return trial_response_of(values)


WARNING_TITLES = {
    "INVERSION_TABLE_UNSUPERVISED": "Inversion table unsupervised",
    "INVERSION_HIGH_RISK": "Inversion risk for this patient",
    "INVERSION_TABLE_REQUESTED": "Inversion table asked about",
    "HOME_LUMBAR_TRACTION": "Home lumbar traction asked about",
    "PRECAUTION": "Precaution",
    "OVER_DOOR_FORCE": "Force too high for an over-door unit",
    "ORDER_FREQUENCY_PRN": "Frequency says PRN / as needed",
    "SAME_OR_SIMILAR": "Same or similar unit supplied before",
    "DEMONSTRATED_DEVICE_DIFFERS": "Ordered unit not the one demonstrated",
    "DIAGNOSIS_EXCLUDES1": "Diagnoses that are not coded together",
}


def warning_title(code: str) -> str:
    return WARNING_TITLES.get(code) or code.replace("_", " ").lower().capitalize()


def template_helpers() -> dict[str, Any]:
    return {
        "way_forward": way_forward,
        "readable": without_field_paths,
        "warning_title": warning_title,
        "payer_names": PAYER_NAMES,
        "status_words": STATUS_WORDS,
        "code_words": code_words,
        "row_response": row_response,
        "trial_run_by": trial_run_by,
        "screening_groups": SCREENING_GROUPS,
        "screening_hints": SCREENING_HINTS,
        "absolute_keys": ABSOLUTE_CONTRAINDICATIONS,
        "inversion_warning": INVERSION_TABLE_UNSUPERVISED,
    }
