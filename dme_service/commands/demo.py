"""`dme-service demo [--if-empty]`: seed a demo clinic, one user per role and six cases.

The clinic's billing comes set up (commands/demo_billing.py): one signed Medicare claim waits,
ready to submit, for `dme-service claims export --ready`.

Passwords are generated and printed once; there is no default password. The six cases live as
dme-case/1 documents in dme_service/demo_cases/ (tests and docs reuse them); seeding moves their
trial, onset and prior-device dates so the latest trial was two weeks ago.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DEMO_CASES = Path(__file__).resolve().parent.parent / "demo_cases"
CLINIC = {
    "name": "Riverside Spine & Physical Therapy",
    "phone": "(555) 014-2290",
    "address": "410 River Road, Suite 200, Springfield, PA 19064-1234",
    "timezone": "America/Chicago",
}
TRIAL_AGE = timedelta(days=14)


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    name: str
    credential: str | None = None
    npi: str | None = None


# The practitioner's name and NPI (valid Luhn over 80840) match the demo cases' documents.
DEMO_USERS = (
    DemoUser("clinician", "pt@demo.clinic", "Maria Alvarez", "PT"),
    DemoUser("practitioner", "md@demo.clinic", "Daniel Okafor", "MD", "1045837261"),
    DemoUser("billing", "billing@demo.clinic", "Priya Shah"),
    DemoUser("admin", "admin@demo.clinic", "Tom Becker"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (exit 0) when the database already holds a clinic",
    )


def demo_documents() -> list[tuple[str, dict]]:
    """The demo case documents, by file name, in file order."""
    return [(path.stem, json.loads(path.read_text())) for path in sorted(DEMO_CASES.glob("*.json"))]


def shift_dates(doc: dict, today: date) -> dict:
    """A copy of doc whose latest trial is TRIAL_AGE before today; other dates move with it.

    The date of birth stays: only the clinical timeline moves.
    """
    trials = doc.get("trials") or []
    if not trials:
        return json.loads(json.dumps(doc))
    latest = max(date.fromisoformat(trial["date"]) for trial in trials)
    delta = (today - TRIAL_AGE) - latest
    shifted = json.loads(json.dumps(doc))
    for item in shifted["trials"] + shifted.get("prior_devices", []):
        item["date"] = (date.fromisoformat(item["date"]) + delta).isoformat()
    if shifted.get("onset_date"):
        shifted["onset_date"] = (date.fromisoformat(shifted["onset_date"]) + delta).isoformat()
    return shifted


def new_password() -> str:
    """A random password of about 120 bits, shown once."""
    return secrets.token_urlsafe(15)


def seed(session, today: date | None = None) -> dict[str, str]:
    """Create the clinic, users and cases in the session (the caller commits); email -> password.

    The clinic and users go through the same checks and rows as `clinic create` and `user add`
    (services.clinic.setup); only the passwords differ: set here instead of by a link.
    """
    from dme_service import audit
    from dme_service.commands import demo_billing
    from dme_service.services.accounts.passwords import hash_password
    from dme_service.services.clinic import setup
    from dme_service.services.clinic.checks import ClinicDetails, UserDetails

    clinic = setup.build_clinic(session, ClinicDetails(**CLINIC))
    passwords, users = {}, {}
    for spec in DEMO_USERS:
        passwords[spec.email] = new_password()
        details = UserDetails(spec.email, spec.name, spec.role, spec.credential, spec.npi)
        users[spec.role] = setup.build_user(
            session, clinic, details, password_hash=hash_password(passwords[spec.email])
        )
    cases = []
    for _name, doc in demo_documents():
        case = store_case(session, clinic, users, shift_dates(doc, today or date.today()))
        cases.append(case)
        audit.case_event(session, None, "demo.seed", case)
    session.flush()
    demo_billing.seed(session, clinic, users, cases, today or date.today())
    return passwords


def store_case(session, clinic, users, doc: dict):
    """One demo case: patient, normalized case rows and the engine's decision."""
    from dme_service.case.parse import parse
    from dme_service.models import Case, Patient
    from dme_service.rules.engine import evaluate
    from dme_service.services.after_save import case_changed
    from dme_service.store.cases import apply_parsed
    from dme_service.store.decisions import record_decision

    parsed = parse(doc)
    patient = Patient(
        clinic_id=clinic.id,
        name=parsed.patient.name,
        date_of_birth=parsed.patient.date_of_birth,
        member_id=parsed.patient.member_id,
        weight_lb=parsed.patient.weight_lb,
    )
    clinician, practitioner = users["clinician"], users["practitioner"]
    case = Case(
        clinic_id=clinic.id,
        patient=patient,
        treating_practitioner_id=practitioner.id,
        author_id=clinician.id,
        created_by_id=clinician.id,
        updated_by_id=clinician.id,
    )
    apply_parsed(case, parsed, recorded_by=clinician)
    session.add(case)
    record_decision(session, case, evaluate(parsed))
    # Route as a clinician's save would: eligible cases wait on the practitioner's list.
    case_changed(session, case, clinician)
    return case


def database_is_empty(session) -> bool:
    from sqlalchemy import select

    from dme_service.models import Clinic

    return session.scalar(select(Clinic.id).limit(1)) is None


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlalchemy.orm import Session

    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    with Session(engine) as session:
        try:
            empty = database_is_empty(session)
        except (OperationalError, ProgrammingError):
            print(
                "dme-service demo: no schema yet; run `dme-service db upgrade` first",
                file=sys.stderr,
            )
            return 1
        if not empty:
            if args.if_empty:
                print("demo: the database already holds a clinic; nothing seeded")
                return 0
            print(
                "dme-service demo: the database is not empty; the demo seeds an empty one "
                "(use --if-empty to skip quietly)",
                file=sys.stderr,
            )
            return 1
        passwords = seed(session)
        session.commit()
    engine.dispose()
    print_logins(passwords)
    return 0


def print_logins(passwords: dict[str, str]) -> None:
    """The one and only time these passwords are shown."""
    print(f"Demo clinic: {CLINIC['name']} ({len(demo_documents())} cases)")
    print("Logins (shown once; change them after signing in):")
    for spec in DEMO_USERS:
        print(f"  {spec.role:<13} {spec.email:<22} {passwords[spec.email]}")
