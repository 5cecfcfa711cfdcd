"""Claim file speed: export 1,000 claims to an 837P, import a 1,000-claim 835.

A throwaway SQLite database holds one clinic with 1,000 signed-and-ready cases (rows written
directly: the bench measures billing, not case entry). Measured, each once on its own:
- export: `claim_export.export` of the 1,000 (read, scrub, write the file, store it), goal < 1 s;
- import: `remittance_import.import_835` of an 835 paying each of them (parse, match, post,
  move each claim to paid with its audit row), goal < 1 s.
Goals are judged on CPU seconds of this process (time.process_time), as the other parts do:
the bench machine is shared (2 cores), so wall time mostly measures the neighbours; wall
seconds are shown beside them (what a biller waits on a quiet machine is about the CPU time:
the work is one SQLite transaction each).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tests"))

CLAIMS = 1_000
GOAL_S = 1.0
TODAY = date(2026, 12, 6)
DELIVERED = date(2026, 11, 20)


def _seed(session, count: int = CLAIMS) -> tuple:
    from rules.factories import a_case

    from dme_service.case.parse import parse
    from dme_service.models import (
        BillingEvent,
        Case,
        Clinic,
        ClinicBilling,
        FeeScheduleEntry,
        Patient,
        User,
    )
    from dme_service.store.cases import apply_parsed

    clinic = Clinic(
        name="Bench Spine Clinic",
        org_npi="1922334457",
        tax_id="421234567",
        address="1 Main St, Philadelphia, PA 19103-1234",
    )
    session.add(clinic)
    session.flush()
    md = User(
        clinic_id=clinic.id,
        email="md@bench",
        name="Sam Lee",
        role="practitioner",
        credential="MD",
        npi="1245319599",
        password_hash="x",
    )
    biller = User(
        clinic_id=clinic.id,
        email="billing@bench",
        name="Bea Biller",
        role="billing",
        password_hash="x",
    )
    session.add_all([md, biller])
    session.flush()
    session.add(
        ClinicBilling(
            clinic_id=clinic.id,
            phone="5550100000",
            contact_name="Bea Biller",
            submitter_id="BENCH",
            last_control_number=0,
        )
    )
    session.add(
        FeeScheduleEntry(
            clinic_id=clinic.id,
            hcpcs="E0860",
            purchase_or_rental="NU",
            amount=Decimal("150.00"),
            effective_from=date(2026, 1, 1),
            created_by_id=biller.id,
        )
    )
    parsed = parse(a_case("medicare", "E0860"), today=TODAY)
    cases = []
    for n in range(count):
        patient = Patient(
            clinic_id=clinic.id,
            name=f"Pat Number{n}",
            member_id="1EG4TE5MK73",
            date_of_birth=date(1950, 1, 1),
            address_line1=f"{n} Elm St",
            city="Philadelphia",
            state="PA",
            zip="19104",
            sex="F",
        )
        case = Case(
            clinic_id=clinic.id,
            patient=patient,
            status="eligible",
            billing_state="ready_to_submit",
            treating_practitioner_id=md.id,
            author_id=md.id,
            created_by_id=md.id,
            updated_by_id=md.id,
            payer="medicare",
        )
        apply_parsed(case, parsed)
        cases.append(case)
    session.add_all(cases)
    session.flush()
    delivery = {"date": DELIVERED.isoformat(), "method": "in_clinic", "received_by": "Pat"}
    session.add_all(
        BillingEvent(
            case_id=c.id,
            from_state="awaiting_signature",
            to_state="ready_to_submit",
            user_id=biller.id,
            delivery=delivery,
        )
        for c in cases
    )
    session.commit()
    return biller, [c.id for c in cases]


def _timed(work):
    start, start_cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def _remittance(session, case_ids) -> bytes:
    from claims.remits import PAYEE, paid, remittance

    from dme_service.claims import x835_build
    from dme_service.models import Case
    from dme_service.services.billing import money as claim_money

    cases = [session.get(Case, i) for i in case_ids]
    records = claim_money.claim_records(session, cases)
    source = claim_money.ClaimSource(session, cases[0].clinic_id, case_ids)
    answers = [paid(source.facts(c, records[c.id]), f"ICN{c.id}") for c in cases]
    session.commit()
    return x835_build.build(remittance(*answers, payee=replace(PAYEE, id="1922334457"))).encode()


def run(count: int = CLAIMS) -> dict:
    from sqlalchemy import update

    from dme_service import create_app
    from dme_service.db import get_engine, get_session
    from dme_service.models import Base, Case
    from dme_service.services.billing import export as claim_export
    from dme_service.services.billing import remittance as remittance_import

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": "sqlite:///" + os.path.join(folder, "bench.sqlite3"),
                "SECRET_KEY": "bench-" + "x" * 40,
            }
        )
        Base.metadata.create_all(get_engine(app))
        with app.app_context():
            session = get_session()
            biller, case_ids = _seed(session, count)
            exported, wall_e, cpu_e = _timed(
                lambda: claim_export.export(session, biller, case_ids, today=TODAY)
            )
            assert len(exported.exported) == count, exported.refused[:3]
            session.execute(update(Case).values(billing_state="submitted"))
            session.commit()
            content = _remittance(session, case_ids)
            posted, wall_i, cpu_i = _timed(
                lambda: remittance_import.import_835(session, biller, content)
            )
            assert len(posted.posted) == count and not posted.unmatched
        get_engine(app).dispose()
    return {
        "export 1,000 claims (837P), CPU": _goal(cpu_e),
        "export, wall": {"value": wall_e, "unit": "s"},
        "import 1,000-claim 835, CPU": _goal(cpu_i),
        "import, wall": {"value": wall_i, "unit": "s"},
        "837P size": {"value": len(exported.file.content) // 1024, "unit": "KiB"},
    }


def _goal(seconds: float) -> dict:
    return {"value": seconds, "unit": "s", "goal": f"< {GOAL_S:g} s", "ok": seconds < GOAL_S}


if __name__ == "__main__":
    for metric, value in run().items():
        print(f"{metric:32} {value}")
