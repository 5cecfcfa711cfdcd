"""A Medicare claim sent, paid by an 835 and its order amended, signed again and reviewed: the
claim that billing corrects by a reopening at the DME MAC (the reopening service and page
tests)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date

from dme_service.claims import x835_build
from dme_service.models import Case
from dme_service.services import order_amendment, signing
from dme_service.services.billing import claim as billing
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import remittance as remittance_import
from dme_service.store.cases import to_document
from services.billing.ready_claims import ready_claim
from services.case_steps import save

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402

SENT = date(2026, 12, 6)
TODAY = date(2026, 12, 28)  # after the 835 of 2026-12-20
PAYEE = replace(remits.PAYEE, id="1234567893")
ICN = "2226340123456"


def fresh(session, case_id) -> Case:
    session.expire_all()
    return session.get(Case, case_id)


def remit(session, people, case, icn, *, trace, answer=remits.paid):
    record = claim_money.claim_record(session, case)
    facts = claim_money.claim_facts(session, case, record)
    text = x835_build.build(remits.remittance(answer(facts, icn), payee=PAYEE, trace=trace))
    return remittance_import.import_835(session, people["billing"], text.encode())


def amended_and_ready(session, people, *, answer=remits.paid, payer="medicare") -> Case:
    """A Medicare claim sent and paid (ICN known), its order amended (12 lb -> 10 lb), signed
    again and marked ready to submit by billing."""
    case = ready_claim(session, people, payer=payer)
    result = claim_export.export(session, people["billing"], [case.id], today=SENT)
    claim_export.confirm_sent(session, people["billing"], result.file.id, SENT, today=SENT)
    remit(session, people, fresh(session, case.id), ICN, trace="EFT-1", answer=answer)
    case = fresh(session, case.id)
    order_amendment.amend(
        session, case.id, people["clinician"], "Typo.", expected_version=case.version
    )
    case = fresh(session, case.id)
    request = {**to_document(case)["request"], "force_lb": 10}
    save(session, people["clinician"], case, "prescription", {"request": request})
    case = fresh(session, case.id)
    signing.sign(session, case.id, people["practitioner"], expected_version=case.version)
    case = fresh(session, case.id)
    billing.transition(
        session, case.id, "ready_to_submit", people["billing"], expected_version=case.version
    )
    return fresh(session, case.id)
