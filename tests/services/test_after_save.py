"""What a save does to a signature: it stays unless a fact the signed order or letter prints
changed; then it is voided with the changes named and the claim goes back to the practitioner."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dme_service import integrity_keys
from dme_service.case.signed_facts import LEGACY_SCOPE
from dme_service.models import Case, Signature
from dme_service.services import after_save, signing
from dme_service.services.billing import claim as billing
from dme_service.store import signed_content
from dme_service.store.signed_content import check_signature
from services.claim_cases import fake_render, stored_case


@pytest.fixture
def people(make_user, monkeypatch):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    return {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="MD", name="Dana Okafor"),
        "other": make_user("practitioner", credential="DO", name="Lee Park"),
    }


def _signed(session, people, **changes) -> Case:
    case = stored_case(session, people["clinician"], people["practitioner"], **changes)
    if case.billing_state == "draft":  # sent against the payer's criteria, with a reason
        billing.transition(
            session,
            case.id,
            "awaiting_signature",
            people["clinician"],
            expected_version=case.version,
            note="The patient pays for the unit.",
        )
        session.expire_all()
        case = session.get(Case, case.id)
    signing.sign(session, case.id, people["practitioner"], expected_version=case.version)
    session.expire_all()
    return session.get(Case, case.id)


EDITS = {
    "notes": lambda case, people: setattr(case, "notes", "Called about the delivery."),
    "frequency sentence": lambda case, people: setattr(
        case.home_prescription, "frequency_text", "15 minutes, two times a day"
    ),
    "weight": lambda case, people: setattr(case.patient, "weight_lb", 179),
    "force": lambda case, people: setattr(case.home_prescription, "force_lb", 14),
    "minutes": lambda case, people: setattr(case.home_prescription, "minutes", 20),
    "device": lambda case, people: setattr(case.home_prescription, "hcpcs", "E0849"),
    "diagnosis": lambda case, people: setattr(case.diagnoses[0], "code", "M54.12"),
    "practitioner": lambda case, people: setattr(
        case, "treating_practitioner_id", people["other"].id
    ),
    "patient name": lambda case, people: setattr(case.patient, "name", "Jane Q. Dough"),
    "date of birth": lambda case, people: setattr(case.patient, "date_of_birth", date(1958, 3, 15)),
    "trial": lambda case, people: setattr(case.trials[0], "pain_after", 0),
}

# (edit, signed with the letter: eligible; the order alone: sent against the criteria)
TABLE = [
    ("notes", "eligible", "kept"),
    ("notes", "order only", "kept"),
    ("frequency sentence", "eligible", "kept"),
    # The letter prints the force as a share of the patient's weight; the order does not.
    ("weight", "order only", "kept"),
    ("weight", "eligible", "voided"),
    ("trial", "order only", "kept"),
    ("trial", "eligible", "voided"),
    ("force", "eligible", "voided"),
    ("minutes", "order only", "voided"),
    ("device", "eligible", "voided"),
    ("diagnosis", "eligible", "voided"),
    ("practitioner", "eligible", "voided"),
    ("patient name", "order only", "voided"),
    ("date of birth", "eligible", "voided"),
]


@pytest.mark.parametrize(("edit", "signed_as", "outcome"), TABLE)
def test_a_save_voids_the_signature_exactly_when_a_signed_fact_changed(
    db_session, people, edit, signed_as, outcome
):
    changes = {"payer": "uhc_commercial"} if signed_as == "order only" else {}
    case = _signed(db_session, people, **changes)
    signature = signed_content.current_signature(db_session, case.id)
    assert sorted(signature.signed_facts["documents"]) == (
        ["swo"] if signed_as == "order only" else ["lmn", "swo"]
    )
    EDITS[edit](case, people)
    voided = after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    if outcome == "kept":
        assert voided is None
        assert check_signature(db_session, case).valid
        assert case.billing_state == "signed"
    else:
        assert voided is not None and voided.voided_at is not None
        assert voided.void_reason.startswith("the case was changed after signing: ")
        assert case.billing_state == "awaiting_signature"
        assert [c.id for c in signing.awaiting_signature(db_session, people["practitioner"])] in (
            [[case.id]] if edit != "practitioner" else [[]]
        )


def test_the_void_reason_names_what_changed_with_both_values(db_session, people):
    case = _signed(db_session, people)
    case.home_prescription.minutes = 20
    case.patient.name = "Jane Q. Dough"
    voided = after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    assert voided.void_reason == (
        "the case was changed after signing: patient's name Jane Q. Doe → Jane Q. Dough; "
        "minutes per session 15 min → 20 min"
    )
    event = billing.history(db_session, case.id)[-1]
    assert (event.from_state, event.to_state) == ("signed", "awaiting_signature")
    assert event.note == f"Signature voided: {voided.void_reason}."


def test_a_signature_over_the_whole_case_document_is_still_checked_that_way(db_session, people):
    case = _signed(db_session, people)
    signature = signed_content.current_signature(db_session, case.id)
    text = signed_content._legacy_text(case, signature.case_version, signature.document_hashes)
    signature.key_id, signature.content_sha256 = integrity_keys.sign("signature", text)
    signature.content_scope, signature.signed_facts = LEGACY_SCOPE, None
    db_session.commit()
    assert check_signature(db_session, case).valid
    case.notes = "Free text was never signed."
    assert after_save.case_changed(db_session, case, people["clinician"]) is None
    case.patient.weight_lb = 179  # in the case document, so in the old scope's content
    voided = after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    assert voided.id == signature.id
    assert voided.void_reason == "the case was changed after signing"


def test_altered_stored_facts_do_not_name_changes_nor_keep_a_signature(db_session, people):
    case = _signed(db_session, people)
    signature = db_session.scalars(select(Signature).where(Signature.case_id == case.id)).one()
    facts = dict(signature.signed_facts)
    facts["facts"] = {**facts["facts"], "decision": "not_covered"}
    signature.signed_facts = facts  # a database edit: the snapshot no longer matches its HMAC
    db_session.commit()
    assert check_signature(db_session, case).valid  # validity is recomputed from the case
    case.home_prescription.minutes = 20
    voided = after_save.case_changed(db_session, case, people["clinician"])
    assert voided.void_reason == "the case was changed after signing"
