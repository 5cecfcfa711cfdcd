"""The practitioner sends an order back with a note; the clinician sends it again; the re-sign
page's "what changed since you last looked", field by field and by whom."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dme_service.models import AuditEvent, BillingEvent, Case
from dme_service.services import after_save, order_changes, order_returns, signing
from dme_service.services.errors import StaleCase
from dme_service.services.mail import outbox
from dme_service.store.cases import CaseNotFound
from services.claim_cases import stored_case


@pytest.fixture
def people(make_user):
    return {
        "clinician": make_user("clinician", credential="PT", name="Maria Alvarez"),
        "practitioner": make_user("practitioner", credential="MD", name="Daniel Okafor"),
    }


@pytest.fixture
def mail(tmp_path):
    settings = outbox.MailSettings(None, "DME <dme@x.org>", tmp_path / "outbox")
    return order_returns.Mail("https://dme.example.org", settings)


def _send_back(session, case, user, kind="changes", note="10 lb, not 12.", mail=None):
    return order_returns.send_back(
        session, case.id, user, kind, note, expected_version=case.version, mail=mail
    )


def _fresh(session, case_id):
    session.expire_all()
    return session.get(Case, case_id)


def test_asking_for_changes_returns_the_order_to_its_author_with_the_note(
    db_session, people, mail, tmp_path
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    assert case.billing_state == "awaiting_signature"
    row = _send_back(db_session, case, people["practitioner"], mail=mail)
    case = _fresh(db_session, case.id)
    assert case.billing_state == "draft"
    assert signing.awaiting_signature(db_session, people["practitioner"]) == []
    assert order_returns.open_return(db_session, case.id).id == row.id
    assert (row.kind, row.note) == ("changes", "10 lb, not 12.")
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "case.order_changes" in actions
    # The clinician is mailed a link; the note stays in the application.
    (written,) = (tmp_path / "outbox").iterdir()
    text = written.read_text()
    assert people["clinician"].email in text and "asked for changes" in text
    assert "10 lb" not in text
    # Billing's history says the order went back, without the clinical note.
    event = db_session.scalars(select(BillingEvent).order_by(BillingEvent.id.desc())).first()
    assert event.to_state == "draft" and "10 lb" not in event.note


def test_declining_is_its_own_action_and_the_note_is_required(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    with pytest.raises(order_returns.ReturnInvalid) as refused:
        _send_back(db_session, case, people["practitioner"], kind="declined", note="  ")
    assert "note" in refused.value.errors
    with pytest.raises(order_returns.ReturnInvalid) as refused:
        _send_back(db_session, case, people["practitioner"], kind="maybe")
    assert "kind" in refused.value.errors
    row = _send_back(
        db_session, case, people["practitioner"], kind="declined", note="No: myelopathy."
    )
    assert row.kind == "declined"
    assert "case.order_declined" in db_session.scalars(select(AuditEvent.action)).all()


def test_only_the_named_practitioner_sends_back_and_only_a_waiting_order(
    db_session, people, make_user
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    other = make_user("practitioner", credential="DO")
    with pytest.raises(order_returns.NotYours):
        _send_back(db_session, case, other)
    with pytest.raises(order_returns.NotYours):
        _send_back(db_session, case, people["clinician"])
    outsider = make_user("practitioner", credential="MD")
    outsider.outside = True
    db_session.commit()
    with pytest.raises(CaseNotFound):  # an outside practitioner sees only orders naming them
        _send_back(db_session, case, outsider)
    with pytest.raises(StaleCase):
        order_returns.send_back(
            db_session, case.id, people["practitioner"], "changes", "x", expected_version=0
        )
    _send_back(db_session, case, people["practitioner"])
    case = _fresh(db_session, case.id)
    with pytest.raises(order_returns.CannotReturn):
        _send_back(db_session, case, people["practitioner"])


def test_a_returned_order_waits_for_its_clinician_to_send_it_again(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    _send_back(db_session, case, people["practitioner"])
    case = _fresh(db_session, case.id)
    case.home_prescription.force_lb = 10
    after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    case = _fresh(db_session, case.id)
    assert case.billing_state == "draft"  # a save alone does not send it back
    order_returns.send_again(
        db_session, case.id, people["clinician"], expected_version=case.version
    )
    case = _fresh(db_session, case.id)
    assert case.billing_state == "awaiting_signature"
    assert order_returns.open_return(db_session, case.id) is None
    assert [c.id for c in signing.awaiting_signature(db_session, people["practitioner"])] == [
        case.id
    ]
    with pytest.raises(order_returns.CannotReturn):  # nothing left to answer
        order_returns.send_again(
            db_session, case.id, people["clinician"], expected_version=case.version
        )


def test_the_practitioner_sees_each_change_since_sending_it_back_and_who_made_it(
    db_session, people
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    _send_back(db_session, case, people["practitioner"])
    case = _fresh(db_session, case.id)
    case.home_prescription.force_lb = 10
    case.home_prescription.minutes = 20
    after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    since = order_changes.since_last_look(db_session, _fresh(db_session, case.id))
    assert (since.what, since.note) == ("changes", "10 lb, not 12.")
    rows = {change.label: change for change in since.changes}
    assert set(rows) == {"Home prescription, force", "Home prescription, minutes"}
    force = rows["Home prescription, force"]
    assert (force.old, force.new, force.by) == ("12 lb", "10 lb", "Maria Alvarez")
    assert force.at is not None
    assert (rows["Home prescription, minutes"].old, rows["Home prescription, minutes"].new) == (
        "15 minutes",
        "20 minutes",
    )


def test_the_changes_since_a_voided_signature_are_listed_and_none_while_it_stands(
    db_session, people
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    signing.sign(db_session, case.id, people["practitioner"], expected_version=case.version)
    case = _fresh(db_session, case.id)
    assert order_changes.since_last_look(db_session, case) is None
    case.trials[0].pain_after = 2
    after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    since = order_changes.since_last_look(db_session, _fresh(db_session, case.id))
    assert since.what == "signed"
    (change,) = since.changes
    assert change.label == "Trial 1, pain after"
    assert change.by == "Maria Alvarez" and change.new == "2 of 10"


def test_a_newly_named_practitioner_has_no_changes_since_someone_elses_look(
    db_session, people, make_user
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    _send_back(db_session, case, people["practitioner"])
    other = make_user("practitioner", credential="DO", name="Dr Other")
    case = _fresh(db_session, case.id)
    case.treating_practitioner_id = other.id
    after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    assert order_changes.since_last_look(db_session, _fresh(db_session, case.id)) is None
