"""`dme-service fhir CASE.json | -`: print a case and its decision as a FHIR R4 Bundle.

The Bundle's DocumentReference points at the letter of medical necessity with its SHA-256:
by default the LMN is rendered here (as `dme-service render` would); `--lmn FILE.pdf` names a
letter already rendered (its bytes are hashed), `--no-letter` leaves the letter out. Exit codes
as `evaluate`: 0 with the Bundle on standard output, 2 on bad input with one `field: message`
line per problem on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from dme_service.commands.case_input import (
    READ_LIMIT,
    add_today_option,
    print_field_errors,
    read_source,
)

LETTER_LIMIT = 50 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="case document (JSON), or - for standard input")
    letter = parser.add_mutually_exclusive_group()
    letter.add_argument("--lmn", metavar="FILE.pdf", help="an LMN already rendered for the case")
    letter.add_argument(
        "--no-letter", action="store_true", help="leave the LMN DocumentReference out"
    )
    add_today_option(parser)


def run(args: argparse.Namespace) -> int:
    from dme_service.case.parse import CaseFormatError

    try:
        bundle = _bundle(args)
    except CaseFormatError as exc:
        return print_field_errors(exc.errors)
    json.dump(bundle, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _bundle(args: argparse.Namespace) -> dict:
    from dme_service import fhir
    from dme_service.case.parse import parse_text
    from dme_service.rules.engine import evaluate

    case = parse_text(read_source(args.case, READ_LIMIT), today=args.today)
    decision = evaluate(case)
    now = datetime.now(UTC).replace(microsecond=0)
    letter = None
    if args.lmn:
        letter = fhir.Letter(pdf=read_source(args.lmn, LETTER_LIMIT, field="--lmn"), created=now)
    elif not args.no_letter and decision.status == "eligible":  # no letter otherwise
        letter = fhir.Letter(pdf=_render_letter(case, decision, now), created=now)
    return fhir.bundle_json(case, decision, now=now, letter=letter)


def _render_letter(case, decision, now: datetime) -> bytes:
    from dme_service.case.parse import CaseFormatError, FieldError
    from dme_service.documents.render import render
    from dme_service.documents.types import DocumentRefused

    try:
        return render("lmn", case, decision, now=now).pdf
    except DocumentRefused as exc:
        raise CaseFormatError([FieldError(exc.field, exc.message)]) from None
