"""`dme-service evaluate CASE.json | -` and `--batch DIR`: decide dme-case/1 documents.

Exit codes (case-format.md "Command line"): 0 when every document parsed (whatever the
decision), 2 on bad input, with one `field: message` line per problem on standard error
and never a traceback; 1 if the service itself cannot work (no ICD-10-CM index and none
can be built). `--batch DIR` prints one JSON line per `*.json` file, in name
order: {"file": name, "decision": {...}} or {"file": name, "errors": [...]}; it exits 2 if
any file was bad input, and draws a progress bar on standard error only on a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

from dme_service.commands.case_input import (
    BAD_INPUT,
    add_today_option,
    print_field_errors,
    read_source,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", nargs="?", help="case document (JSON), or - for standard input")
    parser.add_argument("--batch", metavar="DIR", help="evaluate every *.json file in DIR")
    add_today_option(parser)


def run(args: argparse.Namespace) -> int:
    from dme_service.coding.code_index import CodeIndexError

    try:
        return _run(args)
    except CodeIndexError as exc:
        print(f"dme-service evaluate: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as other filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    if (args.case is None) == (args.batch is None):
        print("$: give one case file (or - for standard input), or --batch DIR", file=sys.stderr)
        return BAD_INPUT
    if args.batch is not None:
        return _run_batch(args.batch, args.today)
    from dme_service.case.parse import CaseFormatError

    try:
        decision = _decide(read_source(args.case), args.today)
    except CaseFormatError as exc:
        return print_field_errors(exc.errors)
    json.dump(decision, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _decide(data: bytes, today: date | None) -> dict:
    from dme_service.case.parse import parse_text
    from dme_service.rules.engine import evaluate

    return evaluate(parse_text(data, today=today)).as_json()


def _run_batch(directory: str, today: date | None) -> int:
    from dme_service.case.parse import CaseFormatError

    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except OSError as exc:
        print(f"$: cannot read folder {directory}: {exc.strerror}", file=sys.stderr)
        return BAD_INPUT
    progress = _Progress(len(names)) if sys.stderr.isatty() else None
    status = 0
    for done, name in enumerate(names, start=1):
        try:
            decision = _decide(read_source(os.path.join(directory, name)), today)
            line = {"file": name, "decision": decision}
        except CaseFormatError as exc:
            line = {"file": name, "errors": [e.as_json() for e in exc.errors]}
            status = BAD_INPUT
        sys.stdout.write(json.dumps(line) + "\n")
        if progress:
            progress.show(done)
    if progress:
        progress.finish()
    return status


class _Progress:
    """A one-line bar on standard error: [#####.....] 12/40."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total = max(total, 1)

    def show(self, done: int) -> None:
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total}")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
