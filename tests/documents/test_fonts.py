"""Names in any script print in a bundled face, and never in one of the machine's fonts.

The renderer's fontconfig is pdf_templates/fonts/fonts.conf, which lists no font directory
(documents/fonts.py): whatever fonts the host has installed, the PDF is the same.
"""

from __future__ import annotations

import pytest

from dme_service.documents.render import render
from documents import pdfs
from documents.samples import CLINIC, NOW, case_and_decision

# One word in each bundled script, and the face print.css gives that script.
SCRIPTS = {
    "王小明": "Bundled-CJK",
    "김민준": "Bundled-CJK",
    "さくら": "Bundled-CJK",
    "عبد الرحمن": "Bundled-Arabic",
    "דוד": "Bundled-Hebrew",
    "राज": "Bundled-Devanagari",
    "রহিম": "Bundled-Bengali",
    "ਸਿੰਘ": "Bundled-Gurmukhi",
    "முருகன்": "Bundled-Tamil",
    "สมชาย": "Bundled-Thai",
    "Արամ": "Bundled-Armenian",
    "გიორგი": "Bundled-Georgian",
    "አበበ": "Bundled-Ethiopic",
    "પટેલ": "Bundled-Gujarati",
    "రెడ్డి": "Bundled-Telugu",
    "ಗೌಡ": "Bundled-Kannada",
    "നായർ": "Bundled-Malayalam",
    "පෙරේරා": "Bundled-Sinhala",
    "សុខា": "Bundled-Khmer",
    "ສົມພອນ": "Bundled-Lao",
    "အောင်": "Bundled-Myanmar",
    "Zoë Ørsted-Üx Жанна Ωμέγα": "Letter-Serif",
}
# "∰" (volume integral) is in DejaVu Sans, which Debian machines usually have, and in none of
# the bundled faces: before the lock-down it came out in DejaVu.
ONLY_ON_THE_MACHINE = "∰"


def bundled_only(fonts: set[str]) -> bool:
    return all(name.startswith(("Letter-", "Bundled-")) for name in fonts)


@pytest.fixture(scope="module")
def every_script():
    name = " ".join(SCRIPTS)
    case, decision = case_and_decision(patient_name=name)
    rendered = render("swo", case, decision, now=NOW, clinic=CLINIC)
    return name, rendered.pdf


def test_each_script_prints_in_its_bundled_face(every_script):
    _, pdf = every_script
    fonts = pdfs.font_names(pdf)
    assert bundled_only(fonts), fonts
    for face in set(SCRIPTS.values()):
        assert any(name.startswith(face) for name in fonts), face


def test_the_names_read_back_as_text(every_script):
    _, pdf = every_script
    text = pdfs.text(pdf)
    # Scripts whose shaping reorders or joins letters (Arabic, the Indic scripts, Thai,
    # Khmer, Myanmar) extract differently from their input; these read back as typed.
    for word in ("王小明", "김민준", "さくら", "דוד", "Արամ", "გიორგი", "አበበ", "Ørsted-Üx"):
        assert word in text, word


@pytest.mark.parametrize(("kind", "lang"), [("instructions", "es"), ("packet", "en")])
def test_a_chinese_name_in_the_instructions_and_the_packet(kind, lang):
    case, decision = case_and_decision(patient_name="王小明")
    pdf = render(kind, case, decision, now=NOW, lang=lang, clinic=CLINIC).pdf
    assert "王小明" in pdfs.text(pdf)
    fonts = pdfs.font_names(pdf)
    assert bundled_only(fonts) and any(name.startswith("Bundled-CJK") for name in fonts)


def test_a_character_no_bundled_face_has_never_comes_from_the_machines_fonts():
    case, decision = case_and_decision(patient_name=f"Ann {ONLY_ON_THE_MACHINE} Lee")
    pdf = render("swo", case, decision, now=NOW, clinic=CLINIC).pdf
    assert bundled_only(pdfs.font_names(pdf)), pdfs.font_names(pdf)
