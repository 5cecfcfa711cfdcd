"""`dme-service claims export|confirm-sent|import-835`: the claim file out, the remittance in.

    claims export --clinic ID (--ready | --case ID ...) -o FILE
    claims confirm-sent --clinic ID --file N [--on YYYY-MM-DD]
    claims import-835 FILE --clinic ID

Each acts as a billing user of the clinic (`--as EMAIL`, default the clinic's first active
billing user) and is audited as that user. Bad input exits 2 with `--option: message`;
0 when the work was done; 1 when nothing could be done (every claim refused, file refused).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = sub.add_parser("export", help="write the 837P of claims ready to submit")
    export.add_argument("--clinic", required=True, help="clinic id")
    export.add_argument("--ready", action="store_true", help="every claim ready to submit")
    export.add_argument("--case", action="append", default=[], help="a case id (repeatable)")
    export.add_argument("-o", "--output", required=True, help="the file to write")
    export.add_argument("--as", dest="as_email", help="the billing user acting")
    sent = sub.add_parser("confirm-sent", help="the file was sent: its claims become submitted")
    sent.add_argument("--clinic", required=True, help="clinic id")
    sent.add_argument("--file", required=True, help="the claim file's number (from export)")
    sent.add_argument("--on", help="the day it was sent, YYYY-MM-DD (default today)")
    sent.add_argument("--as", dest="as_email", help="the billing user acting")
    remit = sub.add_parser("import-835", help="post an 835 remittance")
    remit.add_argument("file", metavar="FILE", help="the 835 file")
    remit.add_argument("--clinic", required=True, help="clinic id")
    remit.add_argument("--as", dest="as_email", help="the billing user acting")


class BadInput(Exception):
    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")


def _positive_int(option: str, value: str) -> int:
    if not str(value).strip().isdigit() or int(value) < 1:
        raise BadInput(option, f"{value!r} is not a number such as 1")
    return int(value)


def run(args: argparse.Namespace) -> int:
    try:
        clinic_id = _positive_int("--clinic", args.clinic)
        checked = _check(args)
    except BadInput as problem:
        print(problem, file=sys.stderr)
        return BAD_INPUT
    from dme_service import create_app
    from dme_service.db import get_engine, get_session

    app = create_app()
    try:
        with app.app_context():
            session = get_session()
            try:
                user = _acting_user(session, clinic_id, args.as_email)
                today = _today(user)
                return ACTIONS[args.action](session, user, checked, today)
            except BadInput as problem:
                print(problem, file=sys.stderr)
                return BAD_INPUT
    finally:
        get_engine(app).dispose()


def _check(args) -> dict:
    if args.action == "export":
        if args.ready == bool(args.case):
            raise BadInput("--ready", "give --ready or one or more --case ID, not both")
        cases = [_positive_int("--case", c) for c in args.case]
        return {"ready": args.ready, "cases": cases, "output": args.output}
    if args.action == "confirm-sent":
        on = None
        if args.on:
            try:
                on = date.fromisoformat(args.on)
            except ValueError:
                raise BadInput("--on", f"{args.on!r} is not a date (YYYY-MM-DD)") from None
        return {"file": _positive_int("--file", args.file), "on": on}
    try:
        with open(args.file, "rb") as handle:
            content = handle.read(20_000_001)
    except OSError as error:
        raise BadInput("FILE", f"cannot read {args.file}: {error.strerror}") from None
    if len(content) > 20_000_000:
        raise BadInput("FILE", "larger than 20 MB; ask the payer for smaller files")
    return {"content": content}


def _today(user) -> date:
    """Today in the clinic's own time zone (its profile), as the billing pages count it."""
    from dme_service.services.clinic import clinic_time

    return clinic_time.today(user.clinic.timezone)


def _acting_user(session, clinic_id: int, email: str | None):
    from sqlalchemy import select

    from dme_service.models import Clinic, User

    if session.get(Clinic, clinic_id) is None:
        raise BadInput("--clinic", f"no clinic {clinic_id}")
    query = select(User).where(
        User.clinic_id == clinic_id, User.active.is_(True), User.role.in_(("billing", "admin"))
    )
    if email:
        user = session.scalar(query.where(User.email == email.strip().lower()))
        if user is None:
            raise BadInput("--as", f"{email} is not an active billing user of clinic {clinic_id}")
        return user
    user = session.scalar(query.order_by((User.role == "admin").asc(), User.id))
    if user is None:
        raise BadInput("--clinic", f"clinic {clinic_id} has no active billing user")
    return user


def _export(session, user, checked: dict, today: date) -> int:
    from dme_service.services.billing import export as claim_export

    case_ids = checked["cases"] or claim_export.ready_case_ids(session, user.clinic_id)
    if not case_ids:
        print("no claims are ready to submit; nothing exported")
        return 1
    result = claim_export.export(session, user, case_ids, today=today)
    for line in result.clinic_problems:
        print(f"clinic billing identity: {line}")
    for line in result.refused:
        print(f"refused: {line}")
    if result.file is None:
        print("every claim was refused; no file written")
        return 1
    try:
        with open(checked["output"], "w", encoding="ascii", newline="") as handle:
            handle.write(result.file.content)
    except OSError as error:
        raise BadInput("-o", f"cannot write {checked['output']}: {error.strerror}") from None
    print(
        f"exported {len(result.exported)} claim(s) to {checked['output']} "
        f"(claim file {result.file.id}, control number {result.file.control_number})"
    )
    print(
        f"once it is sent: dme-service claims confirm-sent --clinic {user.clinic_id} "
        f"--file {result.file.id} --on YYYY-MM-DD"
    )
    return 0


def _confirm(session, user, checked: dict, today: date) -> int:
    from dme_service.services.billing import claim as billing
    from dme_service.services.billing import export as claim_export
    from dme_service.store.cases import CaseNotFound

    try:
        result = claim_export.confirm_sent(
            session, user, checked["file"], checked["on"] or today, today=today
        )
    except CaseNotFound:
        raise BadInput("--file", f"no claim file {checked['file']} in this clinic") from None
    except billing.InvalidInput as error:
        raise BadInput(
            f"--{error.errors[0].field.replace('sent_on', 'on')}", error.errors[0].message
        ) from None
    cases = ", ".join(map(str, result.submitted)) or "none"
    print(f"{len(result.submitted)} claim(s) submitted: cases {cases}")
    for line in result.skipped:
        print(f"skipped: {line}")
    return 0


def _import(session, user, checked: dict, today: date) -> int:
    from dme_service.claims.x835 import RemittanceRefused
    from dme_service.services.billing import remittance as remittance_import

    try:
        result = remittance_import.import_835(session, user, checked["content"])
    except RemittanceRefused as refused:
        print(f"FILE: refused, nothing posted: {refused}", file=sys.stderr)
        return BAD_INPUT
    if result.already_imported:
        print(f"already imported (remittance {result.remittance.id}); nothing changed")
        return 0
    for line in result.posted:
        print(f"posted: {line}")
    for line in result.notes:
        print(f"note: {line}")
    for line in result.unmatched:
        print(f"unmatched (match by hand): {line}")
    print(
        f"remittance {result.remittance.id}: {len(result.posted)} posted, "
        f"{len(result.unmatched)} unmatched"
    )
    return 0


ACTIONS = {"export": _export, "confirm-sent": _confirm, "import-835": _import}
