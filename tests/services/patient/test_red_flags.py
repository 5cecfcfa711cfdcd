"""A clinician's review of a red-flag home log entry: stored with who, when and the note,
audited without the note, the case unflagged until a new red flag arrives, and every way it
can be refused writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dme_service.models import AuditEvent, Case, Clinic, HomeLogEntry
from dme_service.services.patient import followup_printing as followup_print
from dme_service.services.patient import home_log
from dme_service.services.patient import links as patient_links
from dme_service.services.patient import red_flags as review
from dme_service.services.patient.home_log import EntryInput
from services.patient_cases import a_stored_case

TODAY = date(2026, 11, 23)
NOTE = "Called patient 14:10, advised to stop traction, appointment tomorrow"


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT", name="Pat Kim")


@pytest.fixture
def link(db_session, clinic, clinician):
    case = a_stored_case(db_session, clinic, clinician)
    link, _ = patient_links.create_link(db_session, case, clinician)
    return link


@pytest.fixture
def case(db_session, link):
    return db_session.get(Case, link.case_id)


def log(db_session, link, flags=("arm_symptoms_worse",), day=TODAY) -> HomeLogEntry:
    return home_log.add_entry(db_session, link, EntryInput(day, 15, 12, 5, 6, flags), TODAY)


def audit_rows(db_session, action="case.red_flag_reviewed") -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_review_stores_who_when_and_the_note(db_session, link, case, clinician):
    entry = log(db_session, link)
    before = datetime.now(UTC)
    review.review_entry(db_session, clinician, case, entry.id, f"  {NOTE}\n")
    db_session.expire_all()
    stored = db_session.get(HomeLogEntry, entry.id)
    assert (stored.reviewed_by_id, stored.review_note) == (clinician.id, NOTE)
    assert before <= stored.reviewed_at <= datetime.now(UTC)
    assert stored.reviewed_by.name == "Pat Kim"


def test_review_is_audited_without_the_note(db_session, link, case, clinician):
    entry = log(db_session, link)
    review.review_entry(db_session, clinician, case, entry.id, NOTE)
    [row] = audit_rows(db_session)
    assert (row.user_id, row.role, row.object_type, row.object_id, row.patient_id) == (
        clinician.id,
        "clinician",
        "home_log_entry",
        str(entry.id),
        case.patient_id,
    )
    columns = [column.key for column in AuditEvent.__table__.columns]
    for event in db_session.scalars(select(AuditEvent)):
        assert not any("stop traction" in str(getattr(event, name)) for name in columns)


def test_a_reviewed_entry_no_longer_flags_the_case(db_session, link, case, clinician):
    entry = log(db_session, link)
    assert home_log.cases_with_red_flags(db_session, case.clinic_id) == {case.id}
    review.review_entry(db_session, clinician, case, entry.id, NOTE)
    assert home_log.cases_with_red_flags(db_session, case.clinic_id) == set()
    summary = home_log.summary(db_session, case, TODAY)
    assert summary.open_red_flags == [] and [e.id for e in summary.reviewed_red_flags] == [entry.id]


def test_a_red_flag_after_the_review_flags_the_case_again(db_session, link, case, clinician):
    first = log(db_session, link)
    review.review_entry(db_session, clinician, case, first.id, NOTE)
    again = log(db_session, link, ("dizzy_vision_speech",))
    assert home_log.cases_with_red_flags(db_session, case.clinic_id) == {case.id}
    summary = home_log.summary(db_session, case, TODAY)
    assert [e.id for e in summary.open_red_flags] == [again.id]
    assert [e.id for e in summary.reviewed_red_flags] == [first.id]


def test_one_review_leaves_the_other_open_entry_flagging(db_session, link, case, clinician):
    older = log(db_session, link, day=date(2026, 11, 22))
    newer = log(db_session, link)
    review.review_entry(db_session, clinician, case, newer.id, NOTE)
    assert home_log.cases_with_red_flags(db_session, case.clinic_id) == {case.id}
    assert [e.id for e in home_log.summary(db_session, case, TODAY).open_red_flags] == [older.id]


def test_a_practitioner_may_review(db_session, link, case, make_user):
    doctor = make_user("practitioner", credential="MD")
    entry = log(db_session, link)
    review.review_entry(db_session, doctor, case, entry.id, NOTE)
    assert db_session.get(HomeLogEntry, entry.id).reviewed_by_id == doctor.id


@pytest.mark.parametrize(
    ("note", "code"),
    [
        (None, "required"),
        ("", "required"),
        (" \n\t ", "required"),
        ("x" * (review.NOTE_MAX + 1), "too_long"),
        ("called\x00patient", "control"),
    ],
    ids=["none", "empty", "whitespace", "too long", "NUL"],
)
def test_a_bad_note_is_refused_and_nothing_is_written(
    db_session, link, case, clinician, note, code
):
    entry = log(db_session, link)
    with pytest.raises(review.ReviewInvalid) as raised:
        review.review_entry(db_session, clinician, case, entry.id, note)
    assert raised.value.errors == {"note": code}
    db_session.expire_all()
    assert db_session.get(HomeLogEntry, entry.id).reviewed_at is None
    assert audit_rows(db_session) == []


def test_a_note_of_exactly_the_limit_is_kept_whole(db_session, link, case, clinician):
    entry = log(db_session, link)
    note = "y" * review.NOTE_MAX
    review.review_entry(db_session, clinician, case, entry.id, note)
    assert db_session.get(HomeLogEntry, entry.id).review_note == note


@pytest.mark.parametrize("role", ["billing", "admin"])
def test_billing_and_admin_cannot_review(db_session, link, case, make_user, role):
    entry = log(db_session, link)
    with pytest.raises(review.NotPermitted):
        review.review_entry(db_session, make_user(role), case, entry.id, NOTE)
    assert db_session.get(HomeLogEntry, entry.id).reviewed_at is None


def test_only_red_flag_entries_of_this_case_can_be_reviewed(
    db_session, clinic, link, case, clinician
):
    plain = log(db_session, link, flags=())
    other_case = a_stored_case(db_session, clinic, clinician)
    other_link, _ = patient_links.create_link(db_session, other_case, clinician)
    others = log(db_session, other_link)
    for entry_id in (plain.id, others.id, 999_999):
        with pytest.raises(review.NotReviewable):
            review.review_entry(db_session, clinician, case, entry_id, NOTE)
    assert audit_rows(db_session) == []


def test_a_user_of_another_clinic_cannot_review(db_session, link, case, make_user):
    other = Clinic(name="Other Clinic", phone="555-0199")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other.id)
    entry = log(db_session, link)
    with pytest.raises(review.NotReviewable):
        review.review_entry(db_session, stranger, case, entry.id, NOTE)


def test_the_first_review_stands(db_session, link, case, clinician, make_user):
    entry = log(db_session, link)
    review.review_entry(db_session, clinician, case, entry.id, NOTE)
    doctor = make_user("practitioner", credential="MD")
    with pytest.raises(review.AlreadyReviewed) as raised:
        review.review_entry(db_session, doctor, case, entry.id, "Saw the patient today.")
    assert raised.value.entry.reviewed_by_id == clinician.id
    db_session.expire_all()
    assert db_session.get(HomeLogEntry, entry.id).review_note == NOTE
    assert len(audit_rows(db_session)) == 1


def test_no_review_without_its_audit_row(db_session, link, case, clinician, monkeypatch):
    entry = log(db_session, link)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit writer down")

    monkeypatch.setattr(review.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        review.review_entry(db_session, clinician, case, entry.id, NOTE)
    db_session.expire_all()
    assert db_session.get(HomeLogEntry, entry.id).reviewed_at is None
    assert db_session.scalar(select(func.count()).select_from(HomeLogEntry)) == 1


def test_the_letter_gets_the_review_day_in_the_clinics_zone(db_session, link, case, clinician):
    entry = log(db_session, link)
    review.review_entry(db_session, clinician, case, entry.id, NOTE)
    stored = db_session.get(HomeLogEntry, entry.id)
    stored.reviewed_at = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # 6:30 pm in Denver
    db_session.commit()
    summary = home_log.summary(db_session, case, TODAY)
    facts = followup_print.home_facts(summary, TODAY, ZoneInfo("America/Denver"))
    [flag] = facts.red_flags
    assert (flag.reviewed_on, flag.reviewed_by) == (date(2026, 11, 23), "Pat Kim, PT")
    assert not hasattr(flag, "note")  # the letter never carries the note
