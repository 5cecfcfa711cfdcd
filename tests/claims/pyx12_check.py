"""Validate X12 text with pyx12 against the 5010 implementation-guide maps; return its 999."""

from __future__ import annotations

import io
import logging
import os
import tempfile

import pyx12.params
import pyx12.x12n_document


def validate(x12_text: str) -> tuple[bool, str]:
    """(pyx12 found the file valid, the 999 acknowledgement it wrote)."""
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    param = pyx12.params.params()
    ack = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "claims.x12")
        with open(path, "w", encoding="ascii") as handle:
            handle.write(x12_text)
        ok = pyx12.x12n_document.x12n_document(param, path, ack, None, None)
    return ok, ack.getvalue()


def accepted(ack: str) -> bool:
    """The 999 accepts every transaction set (IK5*A) and the group (AK9*A)."""
    segments = [s.strip() for s in ack.split("~") if s.strip()]
    ik5 = [s for s in segments if s.startswith("IK5*")]
    ak9 = [s for s in segments if s.startswith("AK9*")]
    return bool(ik5) and all(s.startswith("IK5*A") for s in ik5) and ak9[0].startswith("AK9*A")
