"""The same patient again in one clinic: a unit the clinic delivered is carried into a new
case as a prior device (so the decision warns SAME_OR_SIMILAR), leaves only with a reason,
and open cases for a similar unit warn of a duplicate claim."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from dme_service.models import AuditEvent, BillingEvent, CarriedPriorDevice, Case, Clinic
from dme_service.services.cases import same_patient
from services.billing.ready_claims import ready_claim
from services.case_steps import new_case, save, standard_case
from services.claim_cases import stored_case

TODAY = date(2026, 11, 23)


@pytest.fixture
def people(make_user):
    return {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="MD"),
        "billing": make_user("billing"),
    }


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(same_patient, "_today", lambda session, case: TODAY)


def delivered_case(session, people, delivered: date, **changes) -> Case:
    """An earlier case of the example patient with proof of delivery recorded by billing."""
    case = stored_case(session, people["clinician"], people["practitioner"], **changes)
    session.add(
        BillingEvent(
            case_id=case.id,
            from_state="submitted",
            to_state="paid",
            user_id=people["billing"].id,
            delivery={
                "date": delivered.isoformat(),
                "method": "in_clinic",
                "received_by": "Jane Q. Doe",
            },
        )
    )
    case.billing_state = "paid"
    session.commit()
    return case


def carried_rows(session, case_id):
    query = select(CarriedPriorDevice).where(CarriedPriorDevice.case_id == case_id)
    return list(session.scalars(query))


def audit_actions(session, case_id):
    query = select(AuditEvent.action).where(AuditEvent.object_id == str(case_id))
    return list(session.scalars(query))


# --- who is the same patient --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "matches"),
    [
        ({}, True),
        ({"member_id": "1eg4 te5 mk73"}, True),  # case and spaces differ
        ({"member_id": "1EG4-TE5-MK73", "name": "Jane Doe"}, True),  # the name is not compared
        ({"date_of_birth": "1958-03-15"}, False),  # same member id, other date of birth
        ({"member_id": "1EG4TE5MK74"}, False),
    ],
)
def test_same_member_id_and_date_of_birth_is_the_same_patient(
    db_session, people, fixed_today, changes, matches
):
    earlier = delivered_case(db_session, people, date(2026, 11, 20))
    case = new_case(db_session, people["clinician"], **changes)
    found = same_patient.overview(db_session, case)
    assert [other.case_id for other in found.others] == ([earlier.id] if matches else [])
    expected = [{"hcpcs": "E0860", "date": "2026-11-20"}] if matches else []
    assert case.prior_devices == expected


def test_another_clinics_patient_is_never_matched(db_session, people, make_user, fixed_today):
    delivered_case(db_session, people, date(2026, 11, 20))
    other_clinic = Clinic(name="Other Clinic", phone="555-0101", address="2 Main St")
    db_session.add(other_clinic)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other_clinic.id)
    case = new_case(db_session, stranger)
    assert same_patient.overview(db_session, case).others == ()
    assert case.prior_devices == [] and carried_rows(db_session, case.id) == []


# --- the 5-year window ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered", "carried"),
    [
        (date(2021, 12, 23), True),  # 4 years 11 months ago
        (date(2021, 11, 22), False),  # 5 years and 1 day ago
    ],
)
def test_a_unit_delivered_within_five_years_becomes_a_prior_device(
    db_session, people, fixed_today, delivered, carried
):
    earlier = delivered_case(db_session, people, delivered)
    case = new_case(db_session, people["clinician"])
    rows = carried_rows(db_session, case.id)
    if carried:
        assert case.prior_devices == [{"hcpcs": "E0860", "date": delivered.isoformat()}]
        assert [(r.source_case_id, r.hcpcs, r.delivered_on) for r in rows] == [
            (earlier.id, "E0860", delivered)
        ]
        assert "case.prior_device.carry" in audit_actions(db_session, case.id)
    else:
        assert case.prior_devices == [] and rows == []
    # The earlier case is listed either way.
    assert [o.case_id for o in same_patient.overview(db_session, case).others] == [earlier.id]


def test_an_undelivered_earlier_case_carries_nothing(db_session, people):
    stored_case(db_session, people["clinician"], people["practitioner"])
    case = new_case(db_session, people["clinician"])
    assert case.prior_devices == []


# --- the decision -------------------------------------------------------------------------


def test_the_second_case_after_a_paid_delivery_warns_same_or_similar(
    db_session, billed, fixed_today
):
    """The walk's case: the clinic delivered and was paid for an E0860; two days later a
    second case for the same patient must not say "no prior traction unit"."""
    earlier = ready_claim(db_session, billed)  # proof of delivery 2026-11-20, through billing
    case = standard_case(db_session, billed["clinician"], billed["practitioner"])
    assert case.prior_devices == [{"hcpcs": "E0860", "date": "2026-11-20"}]
    decision = case.decisions[-1].decision_json
    codes = [warning["code"] for warning in decision["warnings"]]
    assert "SAME_OR_SIMILAR" in codes
    found = same_patient.overview(db_session, case)
    assert [c.source_case_id for c in found.kept] == [earlier.id]


def test_saving_the_order_without_the_carried_device_keeps_it(db_session, people, fixed_today):
    delivered_case(db_session, people, date(2026, 11, 20))
    case = new_case(db_session, people["clinician"])
    typed = {"hcpcs": "E0849", "date": "2023-05-01"}
    save(db_session, people["clinician"], case, "order", {"prior_devices": [typed]})
    assert case.prior_devices == [typed, {"hcpcs": "E0860", "date": "2026-11-20"}]
    assert same_patient.typed_prior_devices(db_session, case.id, case.prior_devices) == [typed]


# --- removing with a reason ---------------------------------------------------------------


def test_a_carried_device_leaves_only_with_a_reason_and_stays_removed(
    db_session, people, fixed_today
):
    earlier = delivered_case(db_session, people, date(2026, 11, 20))
    case = new_case(db_session, people["clinician"])
    (row,) = carried_rows(db_session, case.id)
    with pytest.raises(same_patient.ReasonNeeded):
        same_patient.remove_carried(
            db_session, people["clinician"], case.id, row.id, case.version, "   "
        )
    assert case.prior_devices == [{"hcpcs": "E0860", "date": "2026-11-20"}]

    same_patient.remove_carried(
        db_session,
        people["clinician"],
        case.id,
        row.id,
        case.version,
        "Returned unopened the same day",
    )
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.prior_devices == []
    (row,) = carried_rows(db_session, case.id)
    assert row.removed_reason == "Returned unopened the same day"
    assert row.removed_by_id == people["clinician"].id
    assert "case.prior_device.remove" in audit_actions(db_session, case.id)

    # A later save and a later look for deliveries do not bring it back.
    save(db_session, people["clinician"], case, "order", {"prior_devices": []})
    assert same_patient.carry_delivered_units(db_session, people["clinician"], case) == []
    db_session.commit()
    assert case.prior_devices == []
    found = same_patient.overview(db_session, case)
    assert found.kept == () and [c.source_case_id for c in found.removed] == [earlier.id]
    assert found.uncarried == ()


def test_removing_on_an_old_version_is_refused(db_session, people, fixed_today):
    delivered_case(db_session, people, date(2026, 11, 20))
    case = new_case(db_session, people["clinician"])
    (row,) = carried_rows(db_session, case.id)
    with pytest.raises(same_patient.StaleCase):
        same_patient.remove_carried(
            db_session, people["clinician"], case.id, row.id, case.version - 1, "Not hers"
        )
    assert carried_rows(db_session, case.id)[0].removed_at is None


# --- a delivery recorded later, and duplicate claims ------------------------------------


def test_a_delivery_recorded_after_the_case_began_is_offered_then_carried(
    db_session, people, fixed_today
):
    earlier = stored_case(db_session, people["clinician"], people["practitioner"])
    case = new_case(db_session, people["clinician"])
    assert case.prior_devices == []
    found = same_patient.overview(db_session, case)
    assert [o.case_id for o in found.duplicates] == [earlier.id]  # both open, both E0860
    assert found.uncarried == ()

    db_session.add(
        BillingEvent(
            case_id=earlier.id,
            from_state="submitted",
            to_state="paid",
            user_id=people["billing"].id,
            delivery={"date": "2026-11-21", "method": "in_clinic", "received_by": "Jane"},
        )
    )
    db_session.commit()
    found = same_patient.overview(db_session, case)
    assert [o.case_id for o in found.uncarried] == [earlier.id]

    same_patient.carry_later_delivery(
        db_session, people["clinician"], case.id, earlier.id, case.version
    )
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.prior_devices == [{"hcpcs": "E0860", "date": "2026-11-21"}]
    assert same_patient.overview(db_session, case).uncarried == ()
    with pytest.raises(same_patient.NothingToCarry):
        same_patient.carry_later_delivery(
            db_session, people["clinician"], case.id, earlier.id, case.version
        )


def test_a_paid_earlier_case_is_not_a_duplicate_claim(db_session, people, fixed_today):
    delivered_case(db_session, people, date(2026, 11, 20))  # paid
    case = new_case(db_session, people["clinician"])
    assert same_patient.overview(db_session, case).duplicates == ()


def test_a_paid_earlier_claim_without_proof_of_delivery_is_named_as_a_duplicate(
    db_session, people, fixed_today
):
    # Paid before proof of delivery was required for payment: nothing carries it as a prior
    # device, so the duplicate warning is the only place it can be named.
    earlier = stored_case(db_session, people["clinician"], people["practitioner"])
    earlier.billing_state = "paid"
    db_session.commit()
    case = new_case(db_session, people["clinician"])
    found = same_patient.overview(db_session, case)
    assert [o.case_id for o in found.duplicates] == [earlier.id]
    assert f"Case {earlier.id} for E0860 was paid: a second claim" in found.warning()


def test_billing_is_told_of_a_paid_earlier_claim_without_proof_of_delivery(db_session, people):
    from dme_service.services.billing import queue as billing_queue

    first = stored_case(db_session, people["clinician"], people["practitioner"])
    first.billing_state = "paid"
    db_session.commit()
    second = stored_case(db_session, people["clinician"], people["practitioner"])
    notes = billing_queue.claim(db_session, second.id, people["billing"]).row.same_patient
    assert notes == (
        f"Possible duplicate claim: case #{first.id} (E0860) for the same patient was paid "
        "(no proof of delivery on file, so it is not among the prior devices).",
    )


def test_the_look_up_reads_the_clinic_and_birth_date_index(db_session):
    if db_session.bind.dialect.name != "sqlite":
        pytest.skip("the query plan is read from SQLite's EXPLAIN QUERY PLAN")
    plan = db_session.execute(
        text(
            "EXPLAIN QUERY PLAN SELECT id, member_id FROM patients "
            "WHERE clinic_id = 1 AND date_of_birth = '1958-03-14'"
        )
    ).all()
    assert any("ix_patients_clinic_birth" in str(row) for row in plan)


# --- billing's queue and claim page -------------------------------------------------------


def test_billing_sees_an_open_duplicate_and_an_uncarried_delivery(db_session, people):
    from dme_service.services.billing import queue as billing_queue

    first = stored_case(db_session, people["clinician"], people["practitioner"])
    second = stored_case(db_session, people["clinician"], people["practitioner"])
    notes = billing_queue.claim(db_session, second.id, people["billing"]).row.same_patient
    assert notes == (
        f"Possible duplicate claim: case #{first.id} (E0860) for the same patient is also "
        "open (claim awaiting signature).",
    )
    db_session.add(
        BillingEvent(
            case_id=first.id,
            from_state="submitted",
            to_state="paid",
            user_id=people["billing"].id,
            delivery={"date": "2026-11-21", "method": "in_clinic", "received_by": "Jane"},
        )
    )
    db_session.get(Case, first.id).billing_state = "paid"
    db_session.commit()
    rows = {
        row.case.id: row
        for row in billing_queue.queue(
            db_session, people["billing"], states=("awaiting_signature",)
        )
    }
    (note,) = rows[second.id].same_patient
    assert f"delivered E0860 to the same patient on 2026-11-21 (case #{first.id})" in note
    assert "not among this case's prior devices" in note


def test_billing_sees_nothing_for_another_patient(db_session, people):
    from dme_service.services.billing import queue as billing_queue

    stored_case(db_session, people["clinician"], people["practitioner"])
    other = stored_case(
        db_session,
        people["clinician"],
        people["practitioner"],
        patient={"name": "Ann Other", "date_of_birth": "1960-01-02", "member_id": "1EG4TE5MK73"},
    )
    assert billing_queue.claim(db_session, other.id, people["billing"]).row.same_patient == ()


def test_a_member_id_corrected_after_creation_offers_the_delivered_unit(
    db_session, people, fixed_today
):
    earlier = delivered_case(db_session, people, date(2026, 11, 20))
    case = new_case(db_session, people["clinician"], member_id="1EG4TE5MK99")  # a typo
    assert same_patient.overview(db_session, case).others == ()
    patient = {"name": "Jane Q. Doe", "date_of_birth": "1958-03-14", "member_id": "1EG4TE5MK73"}
    save(
        db_session, people["clinician"], case, "patient", {"patient": patient, "payer": "medicare"}
    )
    found = same_patient.overview(db_session, case)
    assert [o.case_id for o in found.uncarried] == [earlier.id]
    assert case.prior_devices == []  # offered, not written behind the clinician's back
