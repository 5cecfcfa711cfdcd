"""What the case-reading commands (evaluate, render, fhir) share: the `--today` option,
reading a case file or standard input, and printing bad input as `field: message` lines
(case-format.md).

Light on purpose: `dme-service evaluate` imports it on its fast path.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date

BAD_INPUT = 2  # case-format.md: bad input exits 2
READ_LIMIT = 1024 * 1024 + 1  # one byte past the parser's limit, so it can say "too large"
REPLAY = "judge dates against this day instead of the clock (replaying old cases)"


def add_today_option(parser: argparse.ArgumentParser, help_text: str = REPLAY) -> None:
    """`--today YYYY-MM-DD`: the day the case's dates are judged against."""
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=date.fromisoformat, help=help_text)


def read_source(source: str, limit: int = READ_LIMIT, *, field: str = "$") -> bytes:
    """The bytes of a file, or of standard input for "-"; unreadable → CaseFormatError."""
    from dme_service.case.parse import CaseFormatError, FieldError

    try:
        if source == "-":
            return sys.stdin.buffer.read(limit)
        with open(source, "rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CaseFormatError([FieldError(field, f"cannot read {source}: {reason}")]) from None


def print_field_errors(errors: Iterable) -> int:
    """One `field: message` line per problem on standard error; returns the exit code 2."""
    for error in errors:
        print(f"{error.field}: {error.message}", file=sys.stderr)
    return BAD_INPUT
