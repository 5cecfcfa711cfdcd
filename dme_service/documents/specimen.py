"""The specimen documents a renderer lays out while it warms up, before any fork.

Most lines the service prints are fixed sentences: the patient instructions are the same for
every patient, and every letter shares its headings, table headers, labels and closing lines.
The renderer's line cache (line_cache.py) keeps WeasyPrint's line breaks, but a bounded
render (bounded.py) runs in a forked child whose cache dies with it. So the parent lays out
the documents of the demo clinic's bundled cases: the eligible Medicare over-door case in
full (signed and not, English and Spanish), and the letters of the higher-force E0849 case and
of a commercial payer's case, whose criteria read differently. Every child forked afterwards
finds the fixed sentences already broken into lines. Nothing here is stored or shown.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from dme_service.case.parse import parse
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.engine import evaluate

DEMO_CASES = Path(__file__).resolve().parent.parent / "demo_cases"
FULL = "01-medicare-over-door-eligible"  # every document
LETTERS = ("02-medicare-e0849-25-lb", "03-aetna-over-door-eligible")  # the signed LMN and SWO
CLINIC = Clinic(name="Specimen Clinic", phone="(555) 010-0000", address="1 Main St")


def specimen_renders():
    """(kind, case, decision, options) of each specimen render, for `render`'s keywords."""
    renders = []
    for name in (FULL, *LETTERS):
        case, decision, now = _specimen(name)
        signer = case.treating_practitioner
        signed = {"now": now, "clinic": CLINIC}
        signed["signature"] = Signature(signer.name, signer.credential, signer.npi, now)
        if name != FULL:
            renders += [(kind, case, decision, signed) for kind in ("lmn", "swo")]
            continue
        unsigned = {"now": now, "clinic": CLINIC}
        renders += [
            ("packet", case, decision, signed),
            ("lmn", case, decision, unsigned),
            ("swo", case, decision, unsigned),
            ("instructions", case, decision, {**unsigned, "lang": "es"}),
        ]
    return renders


def _specimen(name: str):
    """A demo case, parsed as of two weeks after its latest trial, its decision and time."""
    doc = json.loads((DEMO_CASES / f"{name}.json").read_text("utf-8"))
    seen = max(datetime.fromisoformat(trial["date"]) for trial in doc["trials"])
    today = (seen + timedelta(days=14)).date()
    case = parse(doc, today=today)
    return case, evaluate(case), datetime.combine(today, time(9), tzinfo=UTC)
