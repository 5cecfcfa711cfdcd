"""`dme-service import-fhir FILE --user EMAIL`: create a case from a FHIR R4 Bundle.

The same intake as `POST /api/v1/cases` with a Bundle (services.cases.from_fhir), acting as the
given clinician or practitioner of a clinic. Prints the new case's id, its decision status and
what is still missing (the trial and the screening a Bundle cannot carry) as JSON, with the
patient's other cases in the clinic (`same_patient`; its warning also goes to standard error,
and the exit status stays 0). Bad input exits 2 with one `field: message` line per problem
(docs/case-format.md); never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from dme_service.commands.case_input import BAD_INPUT, print_field_errors, read_source

CREATORS = ("clinician", "practitioner")  # who may create cases (the API's api.create_case)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a FHIR R4 Bundle (JSON), or - for standard input")
    parser.add_argument(
        "--user", required=True, metavar="EMAIL", help="the clinician or practitioner creating it"
    )


def run(args: argparse.Namespace) -> int:
    from dme_service.case.parse import CaseFormatError, decode_json

    try:
        bundle = decode_json(read_source(args.file, field=args.file))
    except CaseFormatError as exc:
        return print_field_errors(exc.errors)
    from dme_service import create_app
    from dme_service.db import get_engine, get_session

    app = create_app()
    try:
        with app.app_context():
            return _import(get_session(), args.user, bundle)
    finally:
        get_engine(app).dispose()


def _import(session, email: str, bundle) -> int:
    from sqlalchemy import select

    from dme_service.models import DecisionRecord, User
    from dme_service.services.cases import from_fhir as fhir_intake
    from dme_service.services.cases import same_patient

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or user.role not in CREATORS:
        print(f"--user: no active clinician or practitioner with e-mail {email}", file=sys.stderr)
        return BAD_INPUT
    try:
        imported = fhir_intake.import_bundle(session, user, bundle)
    except fhir_intake.CaseInvalid as invalid:
        return print_field_errors(invalid.errors)
    decision = session.scalar(
        select(DecisionRecord)
        .where(DecisionRecord.case_id == imported.case.id)
        .order_by(DecisionRecord.id.desc())
        .limit(1)
    )
    found = decision.decision_json if decision is not None else {}
    same = same_patient.overview(session, imported.case)
    result = {
        "case_id": imported.case.id,
        "status": found.get("status"),
        "missing": found.get("missing", []),
        "same_patient": same.as_json(),
    }
    if same.warning():  # a warning, not a refusal: the case was created
        print(f"warning: {same.warning()}", file=sys.stderr)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
