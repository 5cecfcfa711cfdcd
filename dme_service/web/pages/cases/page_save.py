"""One Save for the whole case page, so that typed input is never lost.

The six sections are one HTML form. Any Save button (or Enter in any field) sends every
section; the sections whose entries differ from what the page showed, plus the section whose
button was pressed, are saved together (services/cases/edit.save_sections). A section that was
not touched is not saved, so the prescription suggested from the trial is never stored
behind the clinician's back. When anything is refused, the page comes back with every
section as typed and each message beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from dme_service.services.cases import sections as case_sections
from dme_service.store.cases import to_document
from dme_service.web.pages.cases.forms import SectionForm
from dme_service.web.pages.cases.page import SECTION_FORMS, form_data

# The section whose button sends the page (`name="section"`): where the page returns to.
PRESSED = "section"


@dataclass
class PageForms:
    """Every section's form bound to what was sent, and which were edited."""

    forms: dict[str, SectionForm]
    edited: list[str]
    pressed: str | None
    version_text: str | None = None


def bind_page(formdata: MultiDict, case, signers) -> PageForms:
    """The six section forms bound to one submitted page.

    The page carries one CSRF token, checked for the whole request before any view runs
    (web/access.check_csrf), so the section forms do not check it again.
    """
    document = to_document(case)
    meta = {"csrf": False}
    forms: dict[str, SectionForm] = {}
    edited = []
    for section, form_class in SECTION_FORMS.items():
        shown = form_class.make(data=form_data(section, case, document), meta={"csrf": False})
        # A section the request does not carry at all (the conflict page sends only the
        # sections that were edited) keeps what is stored: it is not an edit that empties it.
        sent = _carries(formdata, form_class.prefix_name)
        form = form_class.make(formdata=formdata, meta=meta) if sent else shown
        if section == "order":
            form.set_signers(signers)
            shown.set_signers(signers)
        forms[section] = form
        if sent and _differs(form, shown):
            edited.append(section)
    pressed = formdata.get(PRESSED) or None
    if pressed not in SECTION_FORMS:
        pressed = None
    elif pressed not in edited:
        edited.append(pressed)  # pressing a section's Save saves it (e.g. the suggestion)
    order = list(SECTION_FORMS)
    version = formdata.get(f"{SECTION_FORMS['patient'].prefix_name}-version")
    return PageForms(forms, sorted(edited, key=order.index), pressed, version)


def _carries(formdata: MultiDict, prefix: str) -> bool:
    """Whether the submitted page holds any of a section's fields (its version apart)."""
    start = f"{prefix}-"
    return any(name.startswith(start) and name != f"{start}version" for name in formdata)


def _differs(form: SectionForm, shown: SectionForm) -> bool:
    if any(field.process_errors for field in _fields(form)):
        return True  # a number typed as words: edited, and validation will say why
    if form.section == "order" and form.practitioner_id() != shown.practitioner_id():
        return True
    if form.section == "trials" and form.notes() != shown.notes():
        return True  # a note is kept beside the document, so the part does not show it
    return not case_sections.same_part(form.section, form.part(), shown.part())


def _fields(form):
    for field in form:
        if hasattr(field, "entries"):
            for entry in field.entries:
                yield from _fields(entry.form) if hasattr(entry, "form") else [entry]
        else:
            yield field


def validate_edited(page: PageForms) -> bool:
    """Run each edited section's own checks (numbers, choices, MBI shape); all must pass."""
    results = [page.forms[section].validate() for section in page.edited]
    return all(results)


def version_of(page: PageForms) -> int:
    """The case version the page was made on (the page carries it once, as the patient
    section's version, whichever sections it sends)."""
    text = page.version_text or ""
    return int(text) if text.isdigit() else -1


def show_errors(page: PageForms, errors) -> None:
    """Each parser error beside its field, on whichever section holds it."""
    for error in errors:
        section = case_sections.section_of(error.field)
        form = page.forms.get(section) if section else None
        if form is not None:
            form.show_errors([error])
