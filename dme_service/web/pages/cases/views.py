"""The clinician's case screens: the case list, a new case, the case page and its sections.

Views are thin: read the form, call one service, redirect (Post/Redirect/Get). A failed save
re-shows the whole page with what was typed, a message at each field and a summary at the
top (docs/security.md LOG-4); a save made on an older version gets the 409 page with both versions.
"""

from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from dme_service.db import get_session
from dme_service.services import signed_order
from dme_service.services.cases import edit as case_service
from dme_service.services.cases import from_ehr_link, same_patient
from dme_service.services.cases import reading as case_reading
from dme_service.services.cases.create import (
    IdempotencyConflict,
    NewCase,
    SamePatientNotConfirmed,
    create_case,
)
from dme_service.services.patient import home_log
from dme_service.store.cases import CaseNotFound, load_case, to_document
from dme_service.web.errors import Refused
from dme_service.web.forms import failure_for, keeps_input
from dme_service.web.pages.cases import ehr_prefill, typed_input
from dme_service.web.pages.cases import page as case_page
from dme_service.web.pages.cases import page_save as case_page_save
from dme_service.web.pages.cases import search as case_list
from dme_service.web.pages.cases.forms import NewCaseForm
from dme_service.web.pages.cases.page import SECTION_FORMS
from dme_service.web.pages.cases.widgets import (
    check_field,
    field_html,
    label_html,
    select_field,
    text_field,
    yes_no_field,
)

bp = Blueprint("cases", __name__)
# The case macros render inputs and selects with it (widgets.py: the page's render speed).
bp.add_app_template_global(field_html, "field_html")
bp.add_app_template_global(label_html, "label_html")
for _block in (text_field, select_field, check_field, yes_no_field):
    bp.add_app_template_global(_block, _block.__name__)


@bp.context_processor
def _page_words() -> dict:
    """Words and small helpers every case template uses."""
    return case_page.template_helpers()


def _show_case(case_id: int):
    try:
        return case_reading.read_case(get_session(), current_user, case_id)
    except CaseNotFound:
        abort(404)


def render_case(case, *, bound=None, errors=(), failure=None, status: int = 200, **extra):
    """The case page; `bound` is the submitted section form (or every section's, by name),
    re-shown as typed."""
    signers = case_reading.signers(get_session(), current_user.clinic_id)
    # After a sign-in that kept the typed page (web/pages/cases/typed_input.py), the page says so.
    extra["resumed"] = extra.get("resumed", False) or request.args.get("resumed") == "1"
    if bound is None or isinstance(bound, dict):
        bound_forms = dict(bound or {})
    else:
        bound_forms = {bound.section: bound}
    forms = case_page.section_forms(case, signers, bound_forms)
    # The patient's other cases, carried prior devices and duplicate claims (the card at top).
    extra.setdefault("same", same_patient.overview(get_session(), case))
    summary = case_page.problems(list(errors), bound_forms)
    if bound_forms and not errors:
        summary = [p for form in bound_forms.values() for p in case_page.form_problems(form)]
    page = render_template(
        "cases/show.html",
        case=case,
        signature=signed_order.signature_state(get_session(), case),
        frozen_states=signed_order.FROZEN_STATES,
        forms=forms,
        panel=case_page.decision_panel(case),
        summary=summary,
        failure=failure,
        saved=request.args.get("saved"),
        titles=case_page.SECTION_TITLES,
        section_ids=case_page.SECTION_IDS,
        offers=case_page.billable_children(list(errors), bound_forms.get("diagnoses")),
        title=f"Case of {case.patient.name}",
        page_ticket=typed_input.page_ticket(current_user.id, case.id),
        **case_page.template_helpers(),  # also when shown from the sign-in (typed_input)
        **extra,
    )
    return page, status


def keeps_case_input(view):
    """LOG-4 for section saves: any failure re-shows the case page with the typed entries."""

    @functools.wraps(view)
    def wrapper(case_id: int, section: str = "page"):
        try:
            return view(case_id, section)
        except HTTPException:
            raise
        except Exception as error:  # noqa: BLE001 - LOG-4: any failure keeps the input
            failure = failure_for(error)
            case = load_case(get_session(), current_user, case_id)
            if section == "page":
                signers = case_reading.signers(get_session(), current_user.clinic_id)
                bound = case_page_save.bind_page(request.form, case, signers).forms
            else:
                bound = _bound_form(section, case)
            return render_case(case, bound=bound, failure=failure, status=failure.status)

    wrapper.keeps_input = True
    return wrapper


def _bound_form(section: str, case, formdata=None):
    form = SECTION_FORMS[section].make(formdata=request.form if formdata is None else formdata)
    if section == "order":
        form.set_signers(case_reading.signers(get_session(), current_user.clinic_id))
    return form


@bp.route("/cases", methods=["GET", "POST"])
@keeps_input("cases/index.html", case_list.SearchForm, case_list.failure_context)
def index():
    """My cases and the clinic's; the search is a POST so no PHI reaches a URL (LOG-3)."""
    form = case_list.SearchForm(formdata=request.form if request.method == "POST" else None)
    search = case_list.search_from(form) if form.validate_on_submit() else case_list.default()
    session = get_session()
    found = case_reading.search_cases(session, current_user, search)
    # A red flag the patient logged at home stays marked until a clinician reviews it.
    flagged = home_log.cases_with_red_flags(session, current_user.clinic_id)
    return render_template(
        "cases/index.html", form=form, cases=found, flagged=flagged, title="Cases"
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@keeps_input("cases/new.html", NewCaseForm)
def new():
    """Start a case: the patient and the payer; one draft per form, however often it is sent."""
    if request.method == "GET":
        form = NewCaseForm.blank()
        from_ehr = ehr_prefill.fill(form, request.args.get("ehr"))  # a CDS Hooks card's link
        return render_template("cases/new.html", form=form, from_ehr=from_ehr, title="New case")
    form = NewCaseForm()
    if not form.idempotency_key.data:
        raise Refused(
            400, "The form was missing its one-time key.", "Reload the page and send it again."
        )
    if form.validate():
        new_case = NewCase(
            form.patient_part(),
            form.payer.data,
            form.idempotency_key.data,
            same_patient_confirmed=form.confirmed_same_patient(),
        )
        order = ehr_prefill.order_facts(form.ehr.data)  # from a CDS Hooks card's link
        try:
            if order is None:
                case = create_case(get_session(), current_user, new_case)
            else:
                hcpcs, diagnoses = order
                case = from_ehr_link.create_with_order_facts(
                    get_session(), current_user, new_case, diagnoses, hcpcs
                )
        except case_service.CaseInvalid as invalid:
            form.show_errors(invalid.errors)
        except SamePatientNotConfirmed:
            return _ask_same_patient(form, new_case)
        except IdempotencyConflict:
            raise Refused(
                422,
                "This form was already sent with other entries, so it was not saved again.",
                "Open the case list to find the case it created, or start a new case.",
            ) from None
        else:
            return redirect(url_for("cases.show", case_id=case.id), code=303)
    summary = case_page.form_problems(form)
    return render_template("cases/new.html", form=form, summary=summary, title="New case")


def _ask_same_patient(form, new_case: NewCase):
    """The form again, as typed, asking whether this patient who already has cases in the
    clinic gets another one (the look-up is audited)."""
    from dme_service.services.cases import same_patient

    patient = new_case.patient
    born = date.fromisoformat(patient["date_of_birth"])
    others = same_patient.cases_of_patient(get_session(), current_user, patient["member_id"], born)
    return render_template("cases/new.html", form=form, same_patient=others, title="New case")


@bp.route("/cases/<int:case_id>")
def show(case_id: int):
    """The case page: every section, the decision panel, documents and adherence."""
    return render_case(_show_case(case_id))


@bp.route("/cases/<int:case_id>/sections/<section>", methods=["POST"])
@keeps_case_input
def save(case_id: int, section: str):
    """Save one section (or add a trial row / search codes without saving)."""
    if section not in SECTION_FORMS:
        abort(404)
    db = get_session()
    try:
        case = load_case(db, current_user, case_id)
    except CaseNotFound:
        abort(404)
    form = _bound_form(section, case)
    action = request.form.get("action", "save")
    if action == "add_row" and section == "trials":
        form.add_row()
        return render_case(case, bound=form)
    if action == "search" and section == "diagnoses":
        found = _matches(form.query.data)
        return render_case(case, bound=form, matches=found.results, more_matches=found.more)
    if not form.validate():
        return render_case(case, bound=form)
    return _save(case, form)


@bp.route("/cases/<int:case_id>/save", methods=["POST"])
@keeps_case_input
def save_page(case_id: int, section: str = "page"):
    """The case page's one Save: every edited section together; nothing typed is dropped."""
    db = get_session()
    try:
        case = load_case(db, current_user, case_id)
    except CaseNotFound:
        abort(404)
    return save_typed_page(case, request.form)


@bp.route("/cases/<int:case_id>/resume")
def resume(case_id: int):
    """The case page with the entries kept across a lost session that the Save made at
    sign-in could not save (web/pages/cases/typed_input.py): shown as typed, with what their
    own checks say, until the clinician saves them; nothing is saved here (a GET)."""
    from dme_service.web.pages.cases import typed_input

    fields = typed_input.carried_to(case_id, current_user)
    try:
        case = load_case(get_session(), current_user, case_id)
    except CaseNotFound:
        abort(404)
    if fields is None:
        return redirect(url_for("cases.show", case_id=case_id), code=303)
    signers = case_reading.signers(get_session(), current_user.clinic_id)
    page = case_page_save.bind_page(MultiDict(fields), case, signers)
    # The messages beside the fields, as the Save would give them; nothing is written.
    if page.edited and case_page_save.validate_edited(page):
        edits = [_edit_of(page.forms[section]) for section in page.edited]
        try:
            version = case_page_save.version_of(page)
            case_service.check_sections(get_session(), current_user, case.id, version, edits)
        except case_service.CaseInvalid as invalid:
            case_page_save.show_errors(page, invalid.errors)
            return render_case(case, bound=page.forms, errors=invalid.errors, resumed=True)
    return render_case(case, bound=page.forms, resumed=True)


def replay_typed_page(case_id: int, fields: list[tuple[str, str]]):
    """The case-page Save that met an ended session, made now that the user signed in again
    (web/pages/cases/typed_input.py): saved, or re-shown as typed with what needs attention."""
    try:
        case = load_case(get_session(), current_user, case_id)
    except CaseNotFound:
        return redirect(url_for("cases.index"), code=303)
    return save_typed_page(case, MultiDict(fields), resumed=True)


def save_typed_page(case, formdata, *, resumed: bool = False):
    """Save (or, for "add a trial row" / "find codes", re-show) a submitted case page."""
    signers = case_reading.signers(get_session(), current_user.clinic_id)
    page = case_page_save.bind_page(formdata, case, signers)
    action = formdata.get("action", "save")
    if action == "add_row":
        page.forms["trials"].add_row()
        return render_case(case, bound=page.forms, resumed=resumed)
    if action == "search":
        found = _matches(page.forms["diagnoses"].query.data)
        return render_case(
            case,
            bound=page.forms,
            matches=found.results,
            more_matches=found.more,
            resumed=resumed,
        )
    if not page.edited:
        return redirect(url_for("cases.show", case_id=case.id), code=303)
    if not case_page_save.validate_edited(page):
        return render_case(case, bound=page.forms, resumed=resumed)
    edits = [_edit_of(page.forms[section]) for section in page.edited]
    version = case_page_save.version_of(page)
    try:
        case_service.save_sections(
            get_session(),
            current_user,
            case.id,
            version,
            edits,
            confirm_void=_confirms_void(formdata),
        )
    except case_service.CaseInvalid as invalid:
        case_page_save.show_errors(page, invalid.errors)
        case = load_case(get_session(), current_user, case.id)
        return render_case(case, bound=page.forms, errors=invalid.errors, resumed=resumed)
    except case_service.StaleCase as stale:
        return _page_conflict(stale, page)
    except (signed_order.SignatureWouldVoid, signed_order.OrderFrozen) as held:
        return _signed_order_held(case, page.forms, held, resumed=resumed)
    where = page.pressed or page.edited[0]
    return redirect(
        url_for(
            "cases.show",
            case_id=case.id,
            saved=",".join(page.edited),
            resumed=1 if resumed else None,
            _anchor=case_page.SECTION_IDS[where],
        ),
        code=303,
    )


def _confirms_void(formdata) -> bool:
    """The user pressed "Save and void the signature" on the warning (services.signed_order)."""
    return formdata.get("confirm_void") == "1"


def _signed_order_held(case, bound, held, *, resumed: bool = False):
    """Nothing saved: the page again as typed, with the warning (and its confirm button) or
    the reason the signed order cannot change."""
    case = load_case(get_session(), current_user, case.id)
    if isinstance(held, signed_order.OrderFrozen):
        return render_case(case, bound=bound, frozen=held, resumed=resumed, status=409)
    return render_case(case, bound=bound, void_warning=held, resumed=resumed, status=409)


def _edit_of(form) -> case_service.SectionEdit:
    return case_service.SectionEdit(
        form.section,
        form.part(),
        getattr(form, "practitioner_id", lambda: None)(),
        trial_notes=form.notes() if form.section == "trials" else None,
    )


def _save(case, form):
    edit = _edit_of(form)
    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    try:
        case_service.save_section(
            get_session(),
            current_user,
            case.id,
            version,
            edit,
            confirm_void=_confirms_void(request.form),
        )
    except case_service.CaseInvalid as invalid:
        form.show_errors(invalid.errors)
        case = load_case(get_session(), current_user, case.id)
        return render_case(case, bound=form, errors=invalid.errors)
    except case_service.StaleCase as stale:
        return _conflict(stale, form)
    except (signed_order.SignatureWouldVoid, signed_order.OrderFrozen) as held:
        return _signed_order_held(case, form, held)
    anchor = case_page.SECTION_IDS[form.section]
    return redirect(
        url_for("cases.show", case_id=case.id, saved=form.section, _anchor=anchor), code=303
    )


def _conflict(stale, form):
    """409 for a one-section save: both versions side by side; the form keeps the user's
    entries on the new version."""
    form.version.data = str(stale.current_version)
    action = url_for("cases.save", case_id=stale.case_id, section=stale.section)
    return _conflict_page(stale, {stale.section: form}, action, page_form=False)


def _page_conflict(stale, page):
    """409 for the page's one Save: every section the user edited, theirs beside yours, in
    one form that saves them all on the new version (nothing typed is dropped)."""
    yours = {section: page.forms[section] for section in page.edited}
    action = url_for("cases.save_page", case_id=stale.case_id)
    return _conflict_page(stale, yours, action, page_form=True)


def _conflict_page(stale, yours: dict, action: str, *, page_form: bool):
    case = load_case(get_session(), current_user, stale.case_id)
    stored = to_document(case)
    signers = case_reading.signers(get_session(), current_user.clinic_id)
    sections = []
    for section, form in yours.items():
        theirs = SECTION_FORMS[section].make(data=case_page.form_data(section, case, stored))
        if section == "order":
            theirs.set_signers(signers)
        sections.append((section, theirs, form))
    titles = [case_page.SECTION_TITLES[section] for section, _, _ in sections]
    page = render_template(
        "cases/conflict.html",
        case=case,
        stale=stale,
        sections=sections,
        action=action,
        page_form=page_form,
        title="Changed by someone else",
        section_title=titles[0]
        if len(titles) == 1
        else f"{', '.join(titles[:-1])} and {titles[-1]}",
        section_ids=case_page.SECTION_IDS,
        titles=case_page.SECTION_TITLES,
        panel=case_page.decision_panel(case),
        offers={},
        **case_page.template_helpers(),
    )
    return page, 409


def _matches(query: str | None):
    """The picker's codes for a search in a therapist's words, and whether there are more."""
    from dme_service.rules.diagnosis_search import find_codes

    return find_codes((query or "")[:100], limit=20)


@bp.route("/cases/codes")
def codes():
    """ICD-10-CM matches for the diagnosis picker (JSON): `?q=herniated disc c5-c6`,
    `?q=C6` or `?q=M50122`; `more` is true when more codes match than are listed."""
    found = _matches(request.args.get("q", "")[:100])
    return jsonify(results=found.results, more=found.more)


@bp.route("/cases/trial-response")
def trial_response():
    """The response of a trial's pain and signs, from the rules engine's own function (JSON)."""
    from dme_service.web.pages.cases.inputs import trial_response_of

    response = trial_response_of(request.args)
    return jsonify(response=response, words=(response or "").capitalize() or None)
