"""The home-traction follow-up letter: what the patient's home log recorded since
the order, in prose, for the treating practitioner and the chart.

Every sentence comes from a recorded fact (domain.md §5): the prescribed dose, sessions
logged against sessions prescribed, days with more sessions than prescribed, the pain
before sessions at the start and at the end of the log, red-flag entries with their dates
(and who reviewed each one when, never the review's note), and the in-clinic trial for
context. A fact that was not recorded leaves its sentence out; an empty log is said in one
sentence. The home log's numbers arrive as `HomeFacts` (the services layer computes them);
this module is pure like the rest of the documents layer and renders with the renderer's
own machinery (`render_followup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.renderer import gc_paused, get_renderer
from dme_service.documents.types import DocumentSource, RenderedDocument
from dme_service.rules.decision import Decision

# home_log.RED_FLAGS in the chart's words (the patient's form says them in the second person).
RED_FLAG_WORDS: dict[str, str] = {
    "arm_symptoms_worse": "arm pain, tingling or numbness worse or spreading",
    "neck_pain_worse": "neck pain worse and staying worse",
    "jaw_teeth_ear_pain": "jaw, teeth or ear pain from the chin strap",
    "new_weakness_numbness": "new weakness or numbness, or trouble walking or with balance",
    "dizzy_vision_speech": "dizziness or faintness, blurred or double vision, "
    "or trouble speaking or swallowing",
    "bladder_bowel": "a change in bladder or bowel control",
}
# The ones the patient's page answers with "get care right away" (home_log.URGENT_RED_FLAGS).
URGENT = frozenset({"new_weakness_numbness", "dizzy_vision_speech", "bladder_bowel"})
SCALE = "on the 0-10 numeric pain rating scale"


@dataclass(frozen=True, slots=True)
class RedFlagEntry:
    day: date
    flags: tuple[str, ...]  # home_log.RED_FLAGS keys
    reviewed_on: date | None = None  # a clinician's review, in the clinic's zone (no note)
    reviewed_by: str | None = None  # "name, credential"


@dataclass(frozen=True, slots=True)
class HomeFacts:
    """The home log as the letter reads it; None where the log cannot say."""

    through: date  # the last day counted (the clinic's today)
    sessions: int  # every logged session
    first_day: date | None = None
    last_day: date | None = None
    # The signature of the order the patient follows: the standing one, or the last one while
    # a change waits for the practitioner's signature (then `waiting` words the change)
    signed_on: date | None = None
    waiting: str | None = None  # "force 12 lb → 14 lb; sessions per day 2 → 3"
    start: date | None = None  # adherence: from the order or the first entry, if earlier
    days: int | None = None
    sessions_per_day: int | None = None
    prescribed: int | None = None
    counted: int | None = None  # at most sessions_per_day a day
    percent: int | None = None
    over_days: int = 0
    pain_first: float | None = None  # mean pain before sessions, first `window` sessions
    pain_last: float | None = None
    window: int | None = None
    scored: int | None = None  # sessions with both pain scores
    mean_relief: float | None = None
    red_flags: tuple[RedFlagEntry, ...] = ()  # oldest first


def plural(count: int | float, word: str) -> str:
    return f"{w.number(count)} {word}{'' if count == 1 else 's'}"


def prescription_sentences(case: Case, home: HomeFacts) -> list[str]:
    """The dose the patient follows (`case` carries the order last signed while a change
    waits) and, apart, the change waiting for the practitioner's signature."""
    dose = w.dose_sentence(case.request)
    sentences = [f"The home prescription is {dose}."] if dose else []
    if home.signed_on:
        sentences.append(
            f"The treating practitioner signed the order on {w.long_date(home.signed_on)}."
        )
    if home.waiting:
        sentences.append(
            f"A change to the order waits for the practitioner's signature ({home.waiting}); "
            "until it is signed the patient keeps to the signed prescription, and the log "
            "below is counted against it."
        )
    return sentences


def trial_sentences(case: Case, decision: Decision) -> list[str]:
    trial = case.latest_trial
    if trial is None:
        return []
    sentence = (
        f"At the supervised in-clinic trial on {w.long_date(trial.date)}, at "
        f"{w.number(trial.force_lb)} pounds for {w.number(trial.minutes)} minutes, pain "
        f"{SCALE} went from {trial.pain_before} before traction to {trial.pain_after} after"
    )
    response = decision.trial_response
    return [
        f"{sentence}; the trial response was recorded as {response}."
        if response
        else f"{sentence}."
    ]


def session_sentences(home: HomeFacts) -> list[str]:
    if not home.sessions:
        return [
            "No home traction sessions were logged through the patient's private link "
            f"as of {w.long_date(home.through)}."
        ]
    sentences = [
        f"The patient logged {plural(home.sessions, 'home session')} between "
        f"{w.long_date(home.first_day)} and {w.long_date(home.last_day)}."
    ]
    if home.prescribed:
        sentences.append(
            f"The order calls for sessions {w.sessions_phrase(home.sessions_per_day)}, "
            f"{home.prescribed} in the {plural(home.days, 'day')} from "
            f"{w.long_date(home.start)} to {w.long_date(home.through)}. Counting at most "
            f"{home.sessions_per_day} a day, {home.counted} of them were logged, an adherence "
            f"of {home.percent}%."
        )
    if home.over_days:
        sentences.append(
            f"On {plural(home.over_days, 'day')} the patient logged more sessions than prescribed."
        )
    return sentences


def pain_sentences(home: HomeFacts) -> list[str]:
    if home.pain_first is None or home.pain_last is None or not home.window:
        return []
    change = round(home.pain_last - home.pain_first, 1)
    compared = (
        "the same"
        if change == 0
        else f"{plural(abs(change), 'point')} {'lower' if change < 0 else 'higher'} at the end"
    )
    first, last = w.number(home.pain_first), w.number(home.pain_last)
    if home.window == 1:
        said = f"was {first} at the first logged session and {last} at the last"
    else:
        said = (
            f"averaged {first} over the first {home.window} logged sessions and {last} "
            f"over the last {home.window}"
        )
    sentences = [f"Pain before sessions {SCALE} {said}: {compared}."]
    if home.mean_relief is not None and home.scored:
        moved = "fell" if home.mean_relief >= 0 else "rose"
        sentences.append(
            f"Within sessions, pain {moved} by {w.number(abs(home.mean_relief))} points on "
            f"average from before to after traction ({plural(home.scored, 'session')} with "
            "both scores)."
        )
    return sentences


def red_flag_sentences(home: HomeFacts) -> list[str]:
    sentences = []
    for entry in home.red_flags:
        words = "; ".join(RED_FLAG_WORDS.get(key, key.replace("_", " ")) for key in entry.flags)
        told = (
            "stop and get care right away, calling 911 if it was sudden or severe"
            if URGENT & set(entry.flags)
            else "stop traction and call the therapist or doctor before using the unit again"
        )
        sentence = (
            f"On {w.long_date(entry.day)} the patient reported {words}, and the log page told "
            f"the patient to {told}."
        )
        if entry.reviewed_on:
            who = entry.reviewed_by or "A clinician"
            sentence += f" {who} reviewed it on {w.long_date(entry.reviewed_on)}."
        sentences.append(sentence)
    return sentences


def sections(case: Case, decision: Decision, home: HomeFacts) -> list[tuple[str, list[str]]]:
    """(heading, sentences) in the letter's order: red flags first when there are any."""
    flags = red_flag_sentences(home)
    if home.sessions and not flags:
        flags = ["None of the logged sessions reported a red-flag symptom."]
    found = [
        ("Red flags reported at home", flags if home.red_flags else []),
        ("Home prescription", prescription_sentences(case, home)),
        ("Home sessions logged", session_sentences(home)),
        ("Pain", pain_sentences(home)),
        ("Red flags", [] if home.red_flags else flags),
        ("Supervised in-clinic trial", trial_sentences(case, decision)),
    ]
    return [(heading, body) for heading, body in found if body]


def source(
    case: Case,
    decision: Decision,
    home: HomeFacts,
    *,
    now: datetime,
    clinic: w.Clinic | None = None,
    prepared_by: str | None = None,
    case_number: int | str | None = None,
) -> DocumentSource:
    """The letter's template and variables; sections with nothing recorded are left out."""
    practitioner = case.treating_practitioner
    return DocumentSource(
        kind="followup",
        template="followup.html",
        title=w.document_title("Home traction follow-up", case_number),
        lang="en",
        created=now,
        author=prepared_by or practitioner.name,
        context={
            "case": case,
            "clinic": clinic,
            "sections": sections(case, decision, home),
            "today": w.long_date(now.date()),
            "dob": w.long_date(case.patient.date_of_birth),
            "to": f"{practitioner.name}, {practitioner.credential}",
            "device": f"{case.request.hcpcs} ({w.hcpcs_descriptor(case.request.hcpcs)})",
            "prepared_by": prepared_by,
            "logged": bool(home.sessions),
        },
    )


def render_followup(
    case: Case,
    decision: Decision,
    home: HomeFacts,
    *,
    now: datetime | None = None,
    clinic: w.Clinic | None = None,
    prepared_by: str | None = None,
    case_number: int | str | None = None,
) -> RenderedDocument:
    """The letter as a PDF/UA-1 document, with this thread's renderer (one per process)."""
    letter = source(
        case,
        decision,
        home,
        now=now or datetime.now(UTC),
        clinic=clinic,
        prepared_by=prepared_by,
        case_number=case_number,
    )
    with gc_paused():
        _, rendered = get_renderer().render_source(letter)
    return rendered
