"""The home-traction follow-up letter read back from the PDF: the log's numbers, red flags
with dates, nothing invented for an empty log, and a patient name that stays text."""

from __future__ import annotations

from datetime import date

import pytest

from dme_service.documents.followup import (
    HomeFacts,
    RedFlagEntry,
    red_flag_sentences,
    render_followup,
)
from documents import pdfs
from documents.samples import CLINIC, NOW, case_and_decision

FULL = HomeFacts(
    through=date(2026, 11, 20),
    sessions=30,
    first_day=date(2026, 11, 3),
    last_day=date(2026, 11, 20),
    signed_on=date(2026, 11, 2),
    start=date(2026, 11, 2),
    days=19,
    sessions_per_day=2,
    prescribed=38,
    counted=28,
    percent=74,
    over_days=2,
    pain_first=6.3,
    pain_last=3.7,
    window=3,
    scored=30,
    mean_relief=2.1,
    red_flags=(
        RedFlagEntry(date(2026, 11, 8), ("arm_symptoms_worse",)),
        RedFlagEntry(date(2026, 11, 12), ("bladder_bowel",)),
    ),
)
EMPTY = HomeFacts(through=date(2026, 11, 20), sessions=0)


def letter(home: HomeFacts, **changes) -> str:
    case, decision = case_and_decision(**changes)
    rendered = render_followup(
        case, decision, home, now=NOW, clinic=CLINIC, prepared_by="Pat Kim, PT"
    )
    assert rendered.kind == "followup" and rendered.pdf.startswith(b"%PDF")
    return pdfs.text(rendered.pdf)


@pytest.fixture(scope="module")
def full():
    return letter(FULL)


@pytest.mark.parametrize(
    "fact",
    [
        "2 sessions a day",
        "signed the order on November 2, 2026",
        "The patient logged 30 home sessions between November 3, 2026 and November 20, 2026.",
        "The order calls for sessions twice a day, 38 in the 19 days from November 2, 2026 "
        "to November 20, 2026. Counting at most 2 a day, 28 of them were logged, "
        "an adherence of 74%.",
        "On 2 days the patient logged more sessions than prescribed",
        "averaged 6.3 over the first 3 logged sessions and 3.7 over the last 3: "
        "2.6 points lower at the end.",
        "pain fell by 2.1 points on average",
        "Prepared by Pat Kim, PT.",
    ],
)
def test_the_home_logs_numbers_are_in_the_letter(full, fact):
    assert fact in full


def test_red_flags_are_listed_with_their_dates_and_what_the_patient_was_told(full):
    assert "Red flags reported at home" in full
    assert "On November 8, 2026 the patient reported arm pain, tingling or numbness" in full
    assert "call the therapist or doctor before using the unit again" in full
    assert "On November 12, 2026 the patient reported a change in bladder or bowel control" in full
    assert "get care right away" in full


def test_a_reviewed_red_flag_says_who_reviewed_it_and_when():
    home = HomeFacts(
        through=date(2026, 11, 20),
        sessions=2,
        red_flags=(
            RedFlagEntry(
                date(2026, 11, 8), ("arm_symptoms_worse",), date(2026, 11, 9), "Pat Kim, PT"
            ),
            RedFlagEntry(date(2026, 11, 12), ("bladder_bowel",)),
        ),
    )
    reviewed, still_open = red_flag_sentences(home)
    assert reviewed.endswith(
        "before using the unit again. Pat Kim, PT reviewed it on November 9, 2026."
    )
    assert "reviewed" not in still_open


def test_the_trial_is_given_for_context(full):
    assert "At the supervised in-clinic trial on" in full
    assert "the trial response was recorded as improved" in full


def test_an_empty_log_is_one_honest_sentence_and_nothing_more():
    text = letter(EMPTY)
    assert (
        "No home traction sessions were logged through the patient's private link "
        "as of November 20, 2026." in text
    )
    for invented in ("adherence", "averaged", "red-flag", "Red flags", "prescribed sessions", "%"):
        assert invented not in text
    assert "signed the order" not in text  # no signature was recorded


def test_no_red_flags_is_said_only_when_sessions_were_logged():
    text = letter(
        HomeFacts(
            through=date(2026, 11, 20),
            sessions=1,
            first_day=date(2026, 11, 20),
            last_day=date(2026, 11, 20),
        )
    )
    assert "None of the logged sessions reported a red-flag symptom." in text
    assert "averaged" not in text and "adherence" not in text


def test_no_abbreviations_or_check_boxes(full):
    for banned in (" PRN", " prn", "bid", "tid", "e.g.", "i.e.", " lb ", "☐", "☑"):
        assert banned not in full


def test_an_injected_patient_name_stays_text():
    name = '<script>alert(1)</script> <img src="file:///etc/passwd">'
    text = letter(EMPTY, patient_name=name)
    assert "<script>alert(1)</script>" in text


def test_a_change_waiting_for_signature_is_said_apart_from_the_prescription():
    waiting = HomeFacts(
        through=date(2026, 11, 20),
        sessions=0,
        signed_on=date(2026, 11, 2),
        waiting="sessions per day 2 → 3",
    )
    text = " ".join(letter(waiting).split())
    assert "The home prescription is 12 pounds" in text
    assert (
        "A change to the order waits for the practitioner's signature (sessions per day 2 → 3); "
        "until it is signed the patient keeps to the signed prescription"
    ) in text
