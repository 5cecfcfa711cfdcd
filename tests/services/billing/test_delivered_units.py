"""Proof of delivery recorded on a case carries the unit into the same patient's later open
cases by itself: a prior device with its source, the decision taken again (SAME_OR_SIMILAR),
removable only with a reason; finished, earlier and other patients' cases are left alone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dme_service.models import AuditEvent, CarriedPriorDevice, Case
from dme_service.services import signing
from dme_service.services.billing import claim as billing
from dme_service.services.billing import delivered_units
from dme_service.services.cases import same_patient
from dme_service.store.decisions import latest_decision_json
from dme_service.store.signed_content import check_signature
from services.claim_cases import fake_render, stored_case

DELIVERY = {"date": "2026-11-21", "method": "in_clinic", "received_by": "Jane Q. Doe"}


@pytest.fixture
def people(make_user, monkeypatch):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    return {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="MD"),
        "billing": make_user("billing"),
    }


def _case(session, people, **changes) -> Case:
    return stored_case(session, people["clinician"], people["practitioner"], **changes)


def _deliver(session, people, case: Case) -> None:
    """The earlier claim was submitted; billing records the payment with proof of delivery."""
    case = session.get(Case, case.id)
    case.billing_state = "submitted"
    session.commit()
    billing.transition(
        session,
        case.id,
        "paid",
        people["billing"],
        expected_version=case.version,
        delivery=dict(DELIVERY),
    )


def _reloaded(session, case: Case) -> Case:
    session.expire_all()
    return session.get(Case, case.id)


def _warnings(session, case: Case) -> list[str]:
    """The warnings of the decision stored for the case as it is now."""
    stored = latest_decision_json(session, case.id)
    if stored is None:
        return []
    return [w["code"] for w in stored["warnings"]]


def test_a_later_open_case_carries_the_delivered_unit_by_itself(db_session, people):
    earlier = _case(db_session, people)
    later = _case(db_session, people)
    assert later.prior_devices == [] and not _warnings(db_session, later)
    version = later.version
    _deliver(db_session, people, earlier)

    later = _reloaded(db_session, later)
    assert later.prior_devices == [{"hcpcs": "E0860", "date": "2026-11-21"}]
    assert later.version > version
    assert "SAME_OR_SIMILAR" in _warnings(db_session, later)
    (row,) = db_session.scalars(
        select(CarriedPriorDevice).where(CarriedPriorDevice.case_id == later.id)
    )
    assert (row.source_case_id, row.carried_by_id) == (earlier.id, people["billing"].id)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(later.id))
    )
    assert "case.prior_device.carry" in list(actions)
    found = same_patient.overview(db_session, later)
    assert [c.source_case_id for c in found.kept] == [earlier.id]
    assert found.uncarried == ()  # nothing left to offer by hand


def test_a_carried_unit_leaves_only_with_a_reason_and_is_not_carried_again(db_session, people):
    earlier = _case(db_session, people)
    later = _case(db_session, people)
    _deliver(db_session, people, earlier)
    later = _reloaded(db_session, later)
    (carried,) = same_patient.overview(db_session, later).kept
    with pytest.raises(same_patient.ReasonNeeded):
        same_patient.remove_carried(
            db_session, people["clinician"], later.id, carried.id, later.version, ""
        )
    same_patient.remove_carried(
        db_session, people["clinician"], later.id, carried.id, later.version, "Returned unused."
    )
    earlier = _reloaded(db_session, earlier)  # the same delivery looked at again
    again = delivered_units.carry_into_later_cases(
        db_session, people["billing"], earlier, date(2026, 11, 21), date(2026, 11, 23)
    )
    db_session.commit()
    assert again == []
    assert _reloaded(db_session, later).prior_devices == []


def test_a_signed_later_order_keeps_its_signature(db_session, people):
    earlier = _case(db_session, people)
    later = _case(db_session, people)
    signing.sign(db_session, later.id, people["practitioner"], expected_version=later.version)
    _deliver(db_session, people, earlier)
    later = _reloaded(db_session, later)
    assert later.prior_devices and check_signature(db_session, later).valid
    assert later.billing_state == "signed"


def test_finished_earlier_and_other_patients_cases_are_left_alone(db_session, people):
    older_open = _case(db_session, people)
    delivered = _case(db_session, people)
    paid = _case(db_session, people)
    other = _case(
        db_session,
        people,
        patient={"name": "Ann Other", "date_of_birth": "1960-01-02", "member_id": "1EG4TE5MK73"},
    )
    db_session.get(Case, paid.id).billing_state = "paid"
    db_session.commit()
    _deliver(db_session, people, delivered)
    for untouched in (older_open, paid, other):
        assert _reloaded(db_session, untouched).prior_devices == []


# --- the practitioner who signed the later order is told -------------------------------


@pytest.fixture
def mail(smtp_server, tmp_path):
    from dme_service.services.mail import outbox

    settings = outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")
    return outbox.Mail("https://dme.example.org", settings)


def _deliver_mailed(session, people, case: Case, mail) -> None:
    case = session.get(Case, case.id)
    case.billing_state = "submitted"
    session.commit()
    billing.transition(
        session, case.id, "paid", people["billing"], expected_version=case.version,
        delivery=dict(DELIVERY), mail=mail,
    )  # fmt: skip


def test_the_practitioner_who_signed_the_later_order_sees_the_unit_and_is_mailed(
    db_session, people, mail, smtp_server
):
    from dme_service.services import signing_queue

    earlier = _case(db_session, people, patient_name="Walter Pruitt")
    later = _case(db_session, people, patient_name="Walter Pruitt")
    signing.sign(db_session, later.id, people["practitioner"], expected_version=later.version)
    assert signing_queue.carried_since_signed(db_session, people["practitioner"]) == []
    _deliver_mailed(db_session, people, earlier, mail)

    (unit,) = signing_queue.carried_since_signed(db_session, people["practitioner"])
    assert (unit.case.id, unit.hcpcs, unit.source_case_id) == (later.id, "E0860", earlier.id)
    assert unit.delivered_on == date(2026, 11, 21)
    assert signing_queue.carried_since_signed(db_session, people["practitioner"], earlier.id) == []
    (message,) = smtp_server.messages
    assert message["X-DME-Kind"] == "unit_carried"
    assert message["To"] == people["practitioner"].email
    assert f"https://dme.example.org/signing/cases/{later.id}" in message.get_content()
    assert "Walter" not in message.as_string() and "Pruitt" not in message.as_string()


def test_an_unsigned_later_order_mails_nobody(db_session, people, mail, smtp_server):
    from dme_service.services import signing_queue

    earlier = _case(db_session, people)
    _case(db_session, people)
    _deliver_mailed(db_session, people, earlier, mail)
    assert smtp_server.messages == []
    assert signing_queue.carried_since_signed(db_session, people["practitioner"]) == []


def test_signing_again_after_the_carry_clears_it(db_session, people, mail):
    from dme_service.services import signing_queue
    from dme_service.store import signatures

    earlier = _case(db_session, people)
    later = _case(db_session, people)
    signing.sign(db_session, later.id, people["practitioner"], expected_version=later.version)
    _deliver_mailed(db_session, people, earlier, mail)
    later = _reloaded(db_session, later)
    signature = signatures_of(db_session, later)
    signatures.void(db_session, later, signature, people["clinician"], "re-sign to see it")
    later.billing_state = "awaiting_signature"
    db_session.commit()
    later = _reloaded(db_session, later)
    signing.sign(db_session, later.id, people["practitioner"], expected_version=later.version)
    assert signing_queue.carried_since_signed(db_session, people["practitioner"]) == []


def signatures_of(session, case):
    from dme_service.store.signed_content import current_signature

    return current_signature(session, case.id)
