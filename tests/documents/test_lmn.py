"""The letter of medical necessity read back from the PDF (domain.md §5)."""

from __future__ import annotations

import re

import pytest
from rules.factories import a_trial

from dme_service.documents import wording
from dme_service.documents.render import render
from dme_service.documents.types import DocumentRefused
from documents import pdfs
from documents.samples import CLINIC, NOW, SIGNED, case_and_decision


def flat(text: str) -> str:
    """The text with line breaks as spaces (sentences wrap across lines in the PDF)."""
    return " ".join(text.split())


def lmn_text(*args, signature=None, **changes) -> str:
    case, decision = case_and_decision(*args, **changes)
    rendered = render("lmn", case, decision, now=NOW, clinic=CLINIC, signature=signature)
    return pdfs.text(rendered.pdf)


@pytest.fixture(scope="module")
def eligible():
    case, decision = case_and_decision()
    rendered = render("lmn", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED)
    return case, rendered, pdfs.text(rendered.pdf)


@pytest.mark.parametrize(
    "fact",
    [
        "Jane Q. Doe",
        "date of birth March 14, 1958",
        "1EG4TE5MK73",
        "Medicare",
        "M50.122 (Cervical disc disorder at C5-C6 level with radiculopathy)",
        "The symptoms began on July 1, 2026, 3 months before the latest supervised trial",
        "On October 2, 2026",
        "in the seated position at 12 pounds for 15 minutes",
        "went from 7 before traction to 3 after, a fall of 4 points (57%)",
        "did not spread further down the arm, and no new neurological signs appeared",
        "On October 2, 2026, appropriate use of the E0860 unit was demonstrated to the patient "
        "in the supervised trial, and the patient tolerated it",
        "HCPCS E0860 (Traction equipment, overdoor, cervical), quantity 1",
        "7.5% of the patient's recorded body weight of 160 pounds",
        "screening for contraindications to cervical traction was completed",
        "L33823 / A52476",
        "is medically necessary for this patient",
        "Sam Lee, MD",
        "NPI 1234567893",
        "Electronically signed by Sam Lee, MD (NPI 1234567893) on November 23, 2026 at 3:04 PM",
    ],
)
def test_the_letter_states_each_recorded_fact(eligible, fact):
    assert fact in eligible[2]


def test_the_home_dose_reads_exactly_as_on_the_order(eligible):
    case, _, text = eligible
    assert f"The home prescription is {wording.dose_sentence(case.request)}" in text
    assert (
        "12 pounds of traction, for 15 minutes per session, 2 sessions a day, for 3 months" in text
    )


@pytest.mark.parametrize("word", ["N/A", "PRN", "p.r.n", "bid", " lb", "lbs", "___", "[ ]"])
def test_the_letter_has_no_blanks_check_boxes_or_abbreviations(eligible, word):
    assert word not in eligible[2]


def test_metadata_title_language_and_pdf_ua_marker(eligible):
    _, rendered, _ = eligible
    info = pdfs.reader(rendered.pdf).metadata
    assert info["/Title"] == "Letter of medical necessity"
    assert pdfs.catalog_lang(rendered.pdf) == "en"
    assert 'pdfuaid:part="1"' in pdfs.xmp(rendered.pdf)
    assert 1 <= rendered.pages <= 3


def test_an_unrecorded_onset_leaves_its_sentence_out():
    text = lmn_text(onset_date=None)
    assert "symptoms began" not in text.lower()
    assert "N/A" not in text


def test_without_a_signature_the_letter_says_it_awaits_one():
    text = lmn_text()
    assert "Awaiting signature" in text
    assert "Electronically signed" not in text


def test_no_letter_after_a_worse_trial():
    with pytest.raises(DocumentRefused) as refused:
        lmn_text(trial={"pain_after": 8})
    assert refused.value.field == "trials[0]"
    assert "made symptoms worse (pain 7 → 8)" in refused.value.message


def test_a_demonstration_not_recorded_leaves_the_case_incomplete_and_no_letter():
    with pytest.raises(DocumentRefused) as refused:
        lmn_text(trial={"use_demonstrated": None})
    assert refused.value.field == "trials[0].use_demonstrated"


def test_e0849_at_25_pounds_states_criterion_c_as_the_recorded_fact():
    """Review defect #5: criterion C is the need for more than 20 pounds, tied to the trial,
    not a remark about what over-door units are built for."""
    text = flat(lmn_text(hcpcs="E0849", force_lb=25, trial={"device": "E0849", "force_lb": 25}))
    assert "built for" not in text
    assert "The supervised trial on October 2, 2026 used 25 pounds on the E0849 unit." in text
    assert (
        "In my judgement this patient needs more than 20 pounds of cervical traction at home "
        "(LCD L33823 criterion C)" in text
    )
    assert "25 pounds is ordered for home use, where LCD L33823 criterion C asks for more " in text
    assert "criterion A" not in text
    assert "higher than the" not in text


def test_a_home_force_above_the_trial_force_is_flagged():
    """Review defect #5 (X5): 25 pounds at home after a trial at 12."""
    text = flat(lmn_text(hcpcs="E0849", force_lb=25))
    assert (
        "The home force of 25 pounds is higher than the 12 pounds used in the supervised trial "
        "on October 2, 2026." in text
    )


def test_the_letter_names_the_unit_actually_demonstrated():
    """Review defect #4 (X5): the trial used the E0860; the letter must not say the E0849 was
    demonstrated."""
    text = flat(lmn_text(hcpcs="E0849", force_lb=25))
    assert "appropriate use of the E0860 unit was demonstrated" in text
    assert "The E0849 unit ordered was not used in a supervised trial." in text
    assert "use of the home E0849 unit" not in text


def test_the_demonstrated_unit_is_the_latest_home_unit_trial_not_a_clinic_trial():
    trials = [a_trial(date="2026-09-20"), a_trial(date="2026-10-02", device="mechanical")]
    text = flat(lmn_text(trials=trials))
    assert "On September 20, 2026, appropriate use of the E0860 unit was demonstrated" in text


def test_an_earlier_over_door_unit_not_tolerated_supports_a_pneumatic_order():
    trials = [
        a_trial(date="2026-09-02", tolerated=False, peripheralization=False),
        a_trial(date="2026-10-02", device="E0849", force_lb=25),
    ]
    text = flat(lmn_text(hcpcs="E0849", force_lb=25, trials=trials))
    assert (
        "The over-door unit (E0860) was not tolerated in the supervised trial on September 2, "
        "2026." in text
    )
    assert "The patient did not tolerate this trial." in text


def test_aetna_letter_uses_aetna_criterion_names():
    text = flat(lmn_text("aetna", hcpcs="E0849", force_lb=20, trial={"device": "E0849"}))
    assert "needs 20 pounds or more of cervical traction at home (Aetna CPB 0453 (force))" in text
    assert "LCD" not in text and "criterion C" not in text


def test_e0855_for_treated_tmj_names_criterion_a():
    text = flat(lmn_text(hcpcs="E0855", screening={"tmj_dysfunction": True, "tmj_treated": True}))
    assert "temporomandibular joint (TMJ) dysfunction that has been treated" in text
    assert "(LCD L33823 criterion A)" in text
    assert "the patient has TMJ dysfunction, and it has been treated (LCD L33823 criterion A)" in (
        text
    )
    assert "TMJ dysfunction: yes" not in text  # review defect #9: no check-box look


def test_one_date_format_and_no_stray_sentences():
    """Review defect #9: no ISO date in prose, the age folded in, no unrecorded fitting or
    counselling."""
    text = flat(
        lmn_text(
            screening={"tmj_dysfunction": True},
            also_requested=["inversion_table"],
        )
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "Jane Q. Doe (68 at the time of the trial) is being treated for" in text
    assert "years old at that trial" not in text
    assert "fitted so it does not push the teeth together" not in text
    assert "advised not to use one" not in text
    assert "the patient's written instructions warn against using one" in text


def test_a_self_paid_letter_cites_no_payer_policy():
    text = flat(lmn_text("self_pay"))
    assert "To whom it may concern" in text
    assert "This letter documents clinical appropriateness for a self-paid purchase" in text
    assert "policy none" not in text and "To: Self-pay" not in text


def test_no_letter_when_the_order_cannot_be_written():
    """Review defect #10: a letter whose dose the order refuses would disagree with it."""
    with pytest.raises(DocumentRefused) as refused:
        lmn_text(force_lb=None)
    assert refused.value.field == "request.force_lb"
    assert refused.value.message == "the letter needs the force in pounds, as on the order"
    with pytest.raises(DocumentRefused) as refused:
        lmn_text(frequency_text="PRN")
    assert refused.value.field == "request.frequency_text"


def test_premera_letter_says_the_trial_was_beneficial_only_when_improved():
    improved = lmn_text("premera")
    assert "The trial of traction was beneficial: pain fell from 7 to 3" in improved
    assert "received training on the traction device" in improved
    with pytest.raises(DocumentRefused):  # not eligible under Premera: no letter at all
        lmn_text("premera", trial={"pain_after": 6})


def test_every_trial_is_described_in_date_order():
    trials = [a_trial(date="2026-10-09", force_lb=14), a_trial(date="2026-09-25", force_lb=10)]
    text = lmn_text(trials=trials)
    first = text.index("On September 25, 2026")
    second = text.index("On October 9, 2026")
    assert first < second
    assert "at 10 pounds" in text and "at 14 pounds" in text


def test_inversion_and_lumbar_traction_are_answered_never_offered():
    text = lmn_text(also_requested=["inversion_table", "home_lumbar_traction"])
    assert "An inversion table was asked about. It is not part of this request" in text
    assert "Home lumbar traction was asked about. It is not part of this request" in text
    for sentence in re.split(r"(?<=\.) ", text):
        if "inversion" in sentence.lower() or "lumbar" in sentence.lower():
            assert "necessary" not in sentence and "recommend" not in sentence


def test_precautions_are_named_with_how_they_are_handled():
    text = lmn_text(screening={"uncontrolled_hypertension": True, "tmj_dysfunction": True})
    assert "uncontrolled high blood pressure, a precaution" in text
    assert "does not exceed the force tolerated in the supervised trial (12 pounds)" in text
    assert (
        "jaw, teeth or ear pain from the chin strap is a stop rule in the patient's written "
        "instructions" in flat(text)
    )


def test_two_patients_do_not_get_the_same_letter():
    first = lmn_text()
    second = lmn_text(trial={"pain_before": 6, "pain_after": 2, "force_lb": 10})
    assert first != second


def test_a_policy_without_a_recorded_date_is_cited_without_one():
    text = lmn_text("aetna")
    assert "The record meets the criteria of Aetna policy CPB 0453:" in text
    assert "effective unconfirmed" not in text


def test_policy_wording_reaches_the_letter_in_plain_words():
    assert (
        wording.plain_words("distortion (e.g., radical neck dissection); 25 lb ordered")
        == "distortion (for example, radical neck dissection); 25 pounds ordered"
    )


def test_many_earlier_trials_are_one_sentence_naming_the_one_not_tolerated():
    """Review §2.4 (X2): six trials made a wall of text, and "not tolerated" dropped out."""
    trials = [
        a_trial(date="2026-06-01", device="mechanical", use_demonstrated=None, tolerated=None),
        a_trial(date="2026-06-20", device="manual", use_demonstrated=None, tolerated=None),
        a_trial(date="2026-07-10", device="mechanical", use_demonstrated=None, tolerated=None),
        a_trial(date="2026-08-02", force_lb=9, peripheralization=True, tolerated=False),
        a_trial(date="2026-09-12", force_lb=10),
        a_trial(date="2026-10-20", force_lb=12),
    ]
    text = flat(lmn_text(trials=trials))
    assert "Five earlier supervised trials (June 1, 2026 to September 12, 2026) are in the " in text
    assert (
        "On August 2, 2026, the E0860 unit (traction equipment, overdoor, cervical) at 9 pounds "
        "made arm symptoms spread and was not tolerated." in text
    )
    assert text.count("a supervised trial used") == 1  # only the latest in full


def test_a_half_percent_rounds_up():
    """Review §2.8: 8 -> 7 is a fall of 12.5%, which printed as 12% (round half to even)."""
    case, decision = case_and_decision(trial={"pain_before": 8, "pain_after": 7})
    text = pdfs.text(render("lmn", case, decision, now=NOW).pdf)
    assert "a fall of 1 point (13%)" in text


def _history_letter(history):
    case, decision = case_and_decision()
    rendered = render(
        "lmn", case, decision, now=NOW, clinic=CLINIC, signature=SIGNED, history=history
    )
    return flat(pdfs.text(rendered.pdf))


def test_the_recorded_history_is_stated_in_its_place_and_nothing_else():
    from datetime import date

    from dme_service.case.history import parse_history

    history = parse_history(
        {
            "physical_therapy_weeks": 6,
            "physical_therapy_traction": "without",
            "physical_therapy_result": "neck and left arm pain unchanged",
            "imaging_kind": "mri",
            "imaging_date": "2026-09-14",
            "imaging_finding": "C5-C6 disc protrusion contacting the left C6 nerve root",
            "spurling_test": "positive",
            "ndi_percent": 42,
        },
        today=date(2026, 12, 6),
    )
    text = _history_letter(history)
    diagnosis = text.index("Diagnosis and history")
    prior = text.index("Prior treatment")
    trial = text.index("Supervised in-clinic trial")
    assert diagnosis < prior < trial
    findings = text[diagnosis:prior]
    assert "An MRI of the cervical spine on September 14, 2026 showed: C5-C6 disc protrusion" in (
        findings
    )
    assert "On examination, Spurling's test was positive." in findings
    assert "The recorded Neck Disability Index score is 42%." in findings
    assert (
        "The patient had 6 weeks of physical therapy without traction, with this result: neck "
        "and left arm pain unchanged." in text[prior:trial]
    )
    assert "medication" not in text.lower()  # not recorded: no sentence, no blank


def test_no_history_recorded_is_no_prior_treatment_heading():
    text = _history_letter(None)
    assert "Prior treatment" not in text
    assert "physical therapy" not in text


def test_the_letter_says_who_supervised_each_trial_it_describes():
    """The practitioner signs a letter about a trial a therapist ran: the letter names the
    therapist and credential recorded on the trial (docs/case-format.md, kept beside it)."""
    from dme_service.documents.wording import TrialRecord

    trials = [a_trial(date="2026-09-20", force_lb=10), a_trial(date="2026-10-02", force_lb=12)]
    case, decision = case_and_decision(trials=trials)
    records = (TrialRecord("Luis Ortega, PT", None), TrialRecord("Maria Alvarez, PT", "Set-up."))
    rendered = render("lmn", case, decision, now=NOW, clinic=CLINIC, trial_records=records)
    text = flat(pdfs.text(rendered.pdf))
    assert "On October 2, 2026, a trial under the supervision of Maria Alvarez, PT, used" in text
    assert "On September 20, 2026, a trial under the supervision of Luis Ortega, PT, used" in text
    assert "Set-up." not in text  # the note stays in the trial note, not in the letter


def test_a_trial_without_a_recorded_therapist_is_still_a_supervised_trial():
    text = flat(lmn_text())
    assert "On October 2, 2026, a supervised trial used" in text
    assert "under the supervision of" not in text
