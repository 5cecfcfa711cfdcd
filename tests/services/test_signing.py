"""The signing service: who may sign, what is stored and hashed, what voids a signature and
where a case goes after a save (security.md RET-2; 42 CFR 410.38(c)(2))."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from dme_service.models import AuditEvent, Case, Document, Signature
from dme_service.services import after_save, signing
from dme_service.services.billing.claim import history as billing_history
from dme_service.services.signing import CannotSign, NotAllowedToSign
from dme_service.store.signed_content import check_signature, signed_content_mac
from services.claim_cases import CASE_DOCUMENT, stored_case


@pytest.fixture
def people(make_user):
    return {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="NP", name="Pat Rivera"),
    }


def _sign(session, case, user):
    return signing.sign(session, case.id, user, expected_version=case.version)


def test_signing_stores_both_documents_with_the_signature_statement_and_their_hashes(
    db_session, people
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    signature = _sign(db_session, case, people["practitioner"])
    assert (signature.credential, signature.npi) == ("NP", people["practitioner"].npi)
    assert set(signature.document_hashes) == {"swo", "lmn"}
    for entry in signature.document_hashes.values():
        document = db_session.get(Document, entry["document_id"])
        assert hashlib.sha256(document.content).hexdigest() == entry["sha256"] == document.sha256
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages
        )
        assert "Electronically signed by Pat Rivera, NP" in " ".join(text.split())
    db_session.expire_all()
    assert check_signature(db_session, db_session.get(Case, case.id)).valid
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == ["document.create", "document.create", "case.sign", "billing.signed"]


def test_the_signed_content_hash_covers_the_order_and_the_pdf_digests(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    signature = _sign(db_session, case, people["practitioner"])
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    key_id, recomputed = signed_content_mac(row, signature.case_version, signature.document_hashes)
    assert (key_id, recomputed) == (signature.key_id, signature.content_sha256)
    other = {
        kind: {**entry, "sha256": "0" * 64} for kind, entry in signature.document_hashes.items()
    }
    assert signed_content_mac(row, signature.case_version, other)[1] != recomputed


def test_earlier_versions_of_the_swo_are_superseded_by_the_signed_one(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    draft = Document(
        case_id=case.id,
        kind="swo",
        lang="en",
        version=1,
        content=b"%PDF draft",
        sha256=hashlib.sha256(b"%PDF draft").hexdigest(),
        created_by_id=people["clinician"].id,
    )
    db_session.add(draft)
    db_session.commit()
    signature = _sign(db_session, case, people["practitioner"])
    db_session.expire_all()
    assert db_session.get(Document, draft.id).superseded_at is not None
    assert signature.document_hashes["swo"]["version"] == 2


@pytest.mark.parametrize(
    ("credential", "npi", "words"),
    [
        ("PT", None, "PT, which may not sign"),
        ("RN", None, "RN, which may not sign"),
        ("MD", "1234567890", "no valid NPI"),
        (None, None, "no credential"),
    ],
)
def test_only_a_signing_credential_with_a_valid_npi_may_sign(
    db_session, people, make_user, credential, npi, words
):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    user = make_user("practitioner", credential=credential, npi=npi)
    case.treating_practitioner_id = user.id
    db_session.commit()
    with pytest.raises(NotAllowedToSign) as refused:
        _sign(db_session, case, user)
    assert words in refused.value.message
    assert "MD, DO, DPM, PA, NP or CNS" in refused.value.message


def test_only_the_practitioner_named_on_the_order_signs(db_session, people, make_user):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    with pytest.raises(NotAllowedToSign, match="names Pat Rivera"):
        _sign(db_session, case, make_user("practitioner", credential="MD"))


def test_a_prn_order_cannot_be_signed(db_session, people):
    request = {**CASE_DOCUMENT["request"], "frequency_text": "as needed"}
    case = stored_case(db_session, people["clinician"], people["practitioner"], request=request)
    with pytest.raises(CannotSign, match="PRN"):
        _sign(db_session, case, people["practitioner"])
    assert db_session.scalar(select(func.count(Signature.id))) == 0
    assert db_session.scalar(select(func.count(Document.id))) == 0


def test_a_signed_case_cannot_be_signed_twice(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    _sign(db_session, case, people["practitioner"])
    db_session.expire_all()
    with pytest.raises(CannotSign, match="already signed"):
        _sign(db_session, db_session.get(Case, case.id), people["practitioner"])


def test_a_stale_version_signs_nothing(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    with pytest.raises(signing.StaleCase):
        signing.sign(db_session, case.id, people["practitioner"], expected_version=case.version + 1)


def test_an_eligible_case_goes_to_its_practitioner_and_an_incomplete_one_does_not(
    db_session, people
):
    eligible = stored_case(db_session, people["clinician"], people["practitioner"])
    screening = {**CASE_DOCUMENT["screening"], "myelopathy": None}
    incomplete = stored_case(
        db_session, people["clinician"], people["practitioner"], screening=screening
    )
    assert (eligible.billing_state, incomplete.billing_state) == ("awaiting_signature", "draft")
    waiting = signing.awaiting_signature(db_session, people["practitioner"])
    assert [case.id for case in waiting] == [eligible.id]


def test_a_case_awaiting_signature_that_becomes_incomplete_goes_back_to_draft(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    case.status = "incomplete"
    after_save.case_changed(db_session, case, people["clinician"])
    db_session.commit()
    assert db_session.get(Case, case.id).billing_state == "draft"


def test_a_save_that_changes_nothing_signed_keeps_the_signature(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    _sign(db_session, case, people["practitioner"])
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    row.notes = "Called the patient about the delivery."  # free text is not signed content
    assert after_save.case_changed(db_session, row, people["clinician"]) is None
    db_session.commit()
    assert check_signature(db_session, row).valid


def test_a_changed_order_voids_the_signature_supersedes_its_pdfs_and_keeps_them(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    signature = _sign(db_session, case, people["practitioner"])
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    row.home_prescription.force_lb = 14
    voided = after_save.case_changed(db_session, row, people["clinician"])
    db_session.commit()
    assert voided.id == signature.id
    assert voided.void_reason == "the case was changed after signing: force 12 lb → 14 lb"
    for entry in signature.document_hashes.values():
        document = db_session.get(Document, entry["document_id"])
        assert document.superseded_at is not None and document.content
    assert row.billing_state == "awaiting_signature"
    moved = billing_history(db_session, case.id)[-1]
    assert (moved.from_state, moved.note) == (
        "signed",
        "Signature voided: the case was changed after signing: force 12 lb → 14 lb.",
    )
    assert [c.id for c in signing.awaiting_signature(db_session, people["practitioner"])] == [
        case.id
    ]
    assert (
        db_session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "signature.void")
        )
        == 1
    )


def test_the_signed_letter_names_the_therapist_who_ran_the_trial(db_session, people):
    # The unsigned letter names each trial's therapist; the signed one, rendered by this
    # service from its own inputs, must say the same or the two versions of one letter differ.
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    for trial in case.trials:
        trial.recorded_by = people["clinician"]
    db_session.commit()
    signature = _sign(db_session, case, people["practitioner"])
    lmn = db_session.get(Document, signature.document_hashes["lmn"]["document_id"])
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(lmn.content)).pages).split()
    )
    assert f"under the supervision of {people['clinician'].name}, PT" in text
