"""One readiness checklist: the packet cover, the billing queue and the claim page give the
same answer on the same case.

The queue's rows and the claim page are both `billing_queue.claim_row` of the stored claim;
a packet rendered for a stored claim prints that claim's checklist; a packet made from a
case file reads the facts it prints (documents.checklist.printed_facts). All of them are
`rules.readiness.checklist`; each row below is one case, stored and not yet signed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rules.factories import TODAY

from dme_service.case.parse import parse
from dme_service.documents import checklist as cover
from dme_service.documents.types import RenderOptions
from dme_service.rules.engine import evaluate
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import readiness
from services.claim_cases import CASE_DOCUMENT, case_document, stored_case

REQUEST = CASE_DOCUMENT["request"]
ROWS = {
    "the example case": {},
    "a PRN frequency": {"request": {**REQUEST, "frequency_text": "as needed"}},
    "a cervical unit four years before the trial": {
        "prior_devices": [{"hcpcs": "E0860", "date": "2022-10-02"}]
    },
    "a cervical unit dated after the latest trial": {
        "prior_devices": [{"hcpcs": "E0860", "date": "2026-11-01"}]
    },
    "a unit that is not cervical traction": {
        "prior_devices": [{"hcpcs": "E0941", "date": "2025-10-02"}]
    },
    "an Excludes1 pair": {"diagnoses": ["M54.12", "M50.122"]},
    "the payer does not cover it (GZ, no ABN)": {"payer": "cigna"},
}


@pytest.fixture
def team(make_user):
    return (
        make_user("clinician", credential="PT"),
        make_user("billing"),
        make_user("practitioner", credential="MD"),
    )


def answers(items) -> list[tuple[str, str, str]]:
    return [(item.key, item.label, item.status) for item in items]


@pytest.mark.parametrize("changes", ROWS.values(), ids=list(ROWS))
def test_the_cover_the_queue_and_the_claim_page_agree(db_session, team, changes):
    author, biller, signer = team
    case = stored_case(db_session, author, signer, **changes)
    parsed = parse(case_document(signer, **changes), today=TODAY)
    decision = evaluate(parsed)
    stored = readiness.checklist(db_session, case)
    on_the_queue = billing_queue.claim_row(db_session, case, biller).checklist
    on_a_file_packet = cover.readiness(parsed, decision, RenderOptions(now=datetime.now(UTC)))
    on_a_stored_packet = cover.readiness(
        parsed, decision, RenderOptions(now=datetime.now(UTC), checklist=tuple(stored))
    )
    assert answers(on_the_queue) == answers(stored)
    assert answers(on_a_file_packet) == answers(stored)
    assert on_a_stored_packet == stored


def test_the_rows_cover_every_status_a_biller_acts_on(db_session, team):
    author, _, signer = team
    seen = set()
    for changes in ROWS.values():
        seen |= {
            i.status
            for i in readiness.checklist(
                db_session, stored_case(db_session, author, signer, **changes)
            )
        }
    assert seen == {"met", "missing", "review", "pending"}
