"""Which module builds each single document: the table `render` and the packet read.

Each module's `source(case, decision, options)` returns the DocumentSource of its document;
the packet (packet.py) joins them and is rendered by `render.render_kind`.
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import abn, instructions, lmn, summary, swo, trial_note
from dme_service.documents.types import DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

SOURCES = {
    "lmn": lmn.source,
    "swo": swo.source,
    "instructions": instructions.source,
    "trial_note": trial_note.source,
    "summary": summary.source,
    "abn": abn.source,
}


def source_for(kind: str, case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    """The DocumentSource of a single (non-packet) document."""
    return SOURCES[kind](case, decision, options)
