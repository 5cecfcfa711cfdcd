"""The order's frequency sentence and the minutes and sessions it must agree with.

The SWO prints `request.frequency_text` beside the minutes and sessions, so a sentence that
says "30 minutes, three times daily" over 15 minutes x 2 is an order that contradicts itself
and a payer reads it as such. `sentence` builds the wording from the numbers; `problem` says,
in a clinician's words, why a typed sentence cannot go on the order: PRN / as needed
(case-format.md clarification 5; the SWO refuses it) or numbers that differ from the fields.
"""

from __future__ import annotations

import re

from dme_service.case.definitions import PRN

_TIMES_WORDS = {
    1: "once daily",
    2: "twice daily",
    3: "three times daily",
    4: "four times daily",
}
_MINUTES = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(?:min\b|mins\b|minutes?\b)", re.IGNORECASE)
_COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4}
_PER_DAY = re.compile(
    r"\b(once|twice|thrice|one|two|three|four|\d+)\s*(?:times|x)?\s*"
    r"(?:daily|a day|per day|/\s*day|each day|every day)\b",
    re.IGNORECASE,
)
_BID = {"bid": 2, "b.i.d.": 2, "tid": 3, "t.i.d.": 3, "qid": 4, "q.i.d.": 4, "qd": 1}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def sentence(minutes: float | None, sessions: int | None) -> str | None:
    """'15 minutes, twice daily' from the numbers; None until both are known."""
    if minutes is None or sessions is None or minutes <= 0 or sessions < 1:
        return None
    times = _TIMES_WORDS.get(sessions, f"{sessions} times daily")
    return f"{_number(minutes)} minutes, {times}"


def stated_minutes(text: str) -> list[float]:
    return [float(m) for m in _MINUTES.findall(text)]


def stated_sessions(text: str) -> list[int]:
    found = []
    for word in _PER_DAY.findall(text):
        word = word.lower()
        found.append(int(word) if word.isdigit() else _COUNT_WORDS[word])
    lowered = text.lower()
    for abbreviation, count in _BID.items():
        if re.search(rf"(?<![a-z.]){re.escape(abbreviation)}(?![a-z])", lowered):
            found.append(count)
    return found


def problem(text: str | None, minutes: float | None, sessions: int | None) -> str | None:
    """Why the frequency sentence cannot go on the order, or None."""
    if not text or not text.strip():
        return None
    if PRN.search(text):
        return (
            'An order cannot say "PRN" or "as needed": state how long and how often, '
            'for example "15 minutes, twice daily".'
        )
    if minutes is not None:
        wrong = [m for m in stated_minutes(text) if m != float(minutes)]
        if wrong:
            return (
                f"The wording says {_number(wrong[0])} minutes but Minutes per session is "
                f"{_number(minutes)}. Make them the same, or clear the wording to have it "
                "written from the numbers."
            )
    if sessions is not None:
        wrong_count = [n for n in stated_sessions(text) if n != sessions]
        if wrong_count:
            return (
                f"The wording says {wrong_count[0]} times a day but Sessions per day is "
                f"{sessions}. Make them the same, or clear the wording to have it written "
                "from the numbers."
            )
    return None
