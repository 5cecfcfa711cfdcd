"""`dme-service render CASE.json|- --document KIND -o OUT.pdf [--reason TEXT]`.

KIND is lmn, swo, instructions, packet, submission (the packet for the payer), summary or
abn (form CMS-R-131, English only: CMS's official Spanish form is given to a Spanish-speaking
patient, so --lang es is refused for it). Which kind exists for which decision is
documents/availability.py: a refused kind exits 2 with one `field: message` sentence saying
why and what to do (a missing reason for an order against the payer's criteria names
`--reason`). Exit codes as `evaluate`: 0 when the PDF was written; 2 on bad input, with one
`field: message` line per problem on standard error (a PRN order names
`request.frequency_text`); 1 when the output cannot be written. Never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime, time

from dme_service.commands.case_input import (
    BAD_INPUT,
    add_today_option,
    print_field_errors,
    read_source,
)

CANNOT_WRITE = 1
DOCUMENTS = ("lmn", "swo", "instructions", "packet", "submission", "summary", "abn")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="case document (JSON), or - for standard input")
    parser.add_argument("--document", required=True, choices=DOCUMENTS)
    parser.add_argument(
        "--lang",
        default="en",
        choices=("en", "es"),
        help="language of the patient instructions (default en; the ABN is English only)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    parser.add_argument("--clinic", metavar="NAME", help="clinic name for the letterhead")
    parser.add_argument("--clinic-phone", metavar="PHONE", help="clinic phone number")
    parser.add_argument("--link", metavar="URL", help="patient link to print as a QR code")
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help="the clinician's written reason for ordering against the payer's criteria "
        "(an order for a not eligible or not covered decision needs one)",
    )
    add_today_option(
        parser,
        "judge dates against this day instead of the clock; the documents are then "
        "dated that day (00:00 UTC), so the same case renders the same bytes",
    )


def run(args: argparse.Namespace) -> int:
    from dme_service.case.parse import CaseFormatError
    from dme_service.documents.types import DocumentRefused

    try:
        rendered = _render(args)
    except CaseFormatError as exc:
        return print_field_errors(exc.errors)
    except DocumentRefused as exc:
        field = {"reason": "--reason", "lang": "--lang"}.get(exc.field, exc.field)
        print(f"{field}: {exc.message}", file=sys.stderr)
        return BAD_INPUT
    try:
        _write(args.output, rendered.pdf)
    except OSError as exc:
        print(f"-o: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return CANNOT_WRITE
    print(f"{args.output}: {rendered.kind}, {rendered.pages} pages, sha256 {rendered.sha256}")
    return 0


def _render(args: argparse.Namespace):
    from dme_service.case.parse import parse_text
    from dme_service.documents.render import render
    from dme_service.documents.wording import Clinic
    from dme_service.rules.engine import evaluate

    case = parse_text(read_source(args.case), today=args.today)
    clinic = Clinic(args.clinic, args.clinic_phone) if args.clinic else None
    return render(
        args.document,
        case,
        evaluate(case),
        lang=args.lang,
        clinic=clinic,
        link_url=args.link,
        reason=args.reason,
        now=render_time(args.today),
    )


def render_time(today: date | None) -> datetime | None:
    """The documents' date and PDF creation time: SOURCE_DATE_EPOCH when set (the
    reproducible-builds convention), else the start of `--today` in UTC, else None (the
    clock). With either, rendering the same case twice gives the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    if today is not None:
        return datetime.combine(today, time(0, 0), tzinfo=UTC)
    return None


def _write(path: str, data: bytes) -> None:
    """Write through a temporary file in the same folder, so OUT.pdf is never half written."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".render-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
