"""The contract's example case (case-format.md), varied per test: `case_doc(**{"x.y": v})`.

The example is the rules' factory's default case (tests/rules/factories.py), so one place
builds a valid case document. Shared by the FHIR, document-service and API tests; dates sit
before NOW so `parse` accepts them.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time

from rules.factories import TODAY
from rules.factories import a_case as a_case_document

from dme_service.case.parse import parse

# The tests' clock as a moment: the factories' TODAY, mid-afternoon UTC.
NOW = datetime.combine(TODAY, time(15, 4), tzinfo=UTC)

# The contract's example is the factories' default case; kept as a constant so callers can
# read it, and copied before every change.
EXAMPLE = a_case_document()


def case_doc(**changes) -> dict:
    """The example with dotted-path changes: case_doc(**{"request.force_lb": 25})."""
    doc = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        target = doc
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return doc


def a_case(**changes):
    """The parsed example (dates judged against NOW)."""
    return parse(case_doc(**changes), today=NOW.date())


def store_case(session, author, practitioner=None, document: dict | None = None, **changes):
    """A decided case in the database, written from a case document (committed).

    The document's treating practitioner becomes `practitioner` (a user of the clinic), as the
    app stores it; without one, the case is a draft that cannot be decided.
    """
    from dme_service.models import Case, Patient, utcnow
    from dme_service.rules.engine import evaluate
    from dme_service.store.cases import apply_parsed, to_document
    from dme_service.store.decisions import record_decision

    doc = document or case_doc(**changes)
    patient = doc["patient"]
    now = utcnow()
    case = Case(
        clinic_id=author.clinic_id,
        patient=Patient(
            clinic_id=author.clinic_id,
            name=patient["name"],
            date_of_birth=parse(doc, today=NOW.date()).patient.date_of_birth,
            member_id=patient["member_id"],
        ),
        status="draft",
        author_id=author.id,
        created_by_id=author.id,
        updated_by_id=author.id,
        created_at=now,
        updated_at=now,
    )
    apply_parsed(case, parse(doc, today=NOW.date()))
    case.treating_practitioner = practitioner
    session.add(case)
    session.flush()
    if practitioner is not None:
        record_decision(session, case, evaluate(parse(to_document(case), today=NOW.date())))
    session.commit()
    return case
