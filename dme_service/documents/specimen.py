"""The specimen documents a renderer lays out while it warms up, before any fork.

Most lines the service prints are fixed sentences: the patient instructions are the same for
every patient, and every letter shares its headings, table headers, labels and closing lines.
The renderer's line cache (line_cache.py) keeps WeasyPrint's line breaks, but a bounded
render (bounded.py) runs in a forked child whose cache dies with it. So the parent lays out
the documents of one bundled case, the demo clinic's eligible Medicare case, signed and not,
in English and Spanish: every child forked afterwards finds the fixed sentences already
broken into lines. Nothing here is stored or shown.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from dme_service.case_format import parse
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.engine import evaluate

SPECIMEN = (
    Path(__file__).resolve().parent.parent / "demo_cases" / "01-medicare-over-door-eligible.json"
)
CLINIC = Clinic(name="Specimen Clinic", phone="(555) 010-0000", address="1 Main St")


def specimen_renders():
    """(kind, case, decision, options) of each specimen render, for `render`'s keywords."""
    doc = json.loads(SPECIMEN.read_text("utf-8"))
    seen = max(datetime.fromisoformat(trial["date"]) for trial in doc["trials"])
    today = (seen + timedelta(days=14)).date()
    case = parse(doc, today=today)
    decision = evaluate(case)
    now = datetime.combine(today, time(9), tzinfo=UTC)
    signer = case.treating_practitioner
    signed = Signature(signer.name, signer.credential, signer.npi, now)
    unsigned = {"now": now, "clinic": CLINIC}
    return [
        ("packet", case, decision, {**unsigned, "signature": signed}),
        ("lmn", case, decision, unsigned),
        ("swo", case, decision, unsigned),
        ("instructions", case, decision, {**unsigned, "lang": "es"}),
    ]
