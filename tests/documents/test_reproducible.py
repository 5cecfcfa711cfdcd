"""The same case, decision and options give the same PDF bytes, in any process.

A stored document is regenerated to check it, and two renders of one case version must not
differ by a creation date, a random id, a set's order or the machine's time zone. The dates in
the PDF (/CreationDate, /ModDate, XMP, the attachment's) all come from the render's `now`; the
file /ID is a digest of the content.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from dme_service.documents.render import render
from documents import pdfs
from documents.samples import CLINIC, NOW, case_and_decision

ROOT = Path(__file__).resolve().parents[2]
NAME = "王小明 María-José Ñúñez عبد الرحمن"
RENDERS = (("packet", "en"), ("lmn", "en"), ("instructions", "es"))
SCRIPT = f"""
import hashlib
from dme_service.documents.render import render
from documents.samples import CLINIC, NOW, case_and_decision
case, decision = case_and_decision(patient_name={NAME!r})
for kind, lang in {RENDERS!r}:
    pdf = render(kind, case, decision, now=NOW, lang=lang, clinic=CLINIC, case_number=7).pdf
    print(kind, lang, hashlib.sha256(pdf).hexdigest())
"""


def here() -> dict[tuple[str, str], bytes]:
    case, decision = case_and_decision(patient_name=NAME)
    return {
        (kind, lang): render(
            kind, case, decision, now=NOW, lang=lang, clinic=CLINIC, case_number=7
        ).pdf
        for kind, lang in RENDERS
    }


def test_two_processes_with_other_hash_seeds_and_zones_print_the_same_bytes():
    pdfs_here = here()
    environment = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "TZ": "Pacific/Auckland",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    there = {}
    for line in done.stdout.splitlines():
        kind, lang, digest = line.split()
        there[(kind, lang)] = digest
    assert there == {key: hashlib.sha256(pdf).hexdigest() for key, pdf in pdfs_here.items()}


def test_the_pdf_dates_are_the_render_time():
    pdf = here()[("packet", "en")]
    info = pdfs.reader(pdf).metadata
    stamp = NOW.strftime("D:%Y%m%d%H%M%S")
    assert info["/CreationDate"].startswith(stamp) and info["/ModDate"].startswith(stamp)
    assert NOW.strftime("%Y-%m-%dT%H:%M:%S") in pdfs.xmp(pdf)
