"""The document service: each render is a new stored version with its SHA-256; downloads
verify the hash, refuse tampered bytes and audit every read (security.md PDF-4, LOG-1)."""

from __future__ import annotations

import hashlib

import pytest
from sample_case import NOW, store_case
from sqlalchemy import func, select, update

from dme_service.models import AuditEvent, Document, Signature
from dme_service.services import documents
from dme_service.store.cases import CaseNotFound


def fake_render(kind, case, decision, **options):
    """A stand-in renderer: distinct bytes per call, so versions differ (the real one is slow)."""
    fake_render.calls.append((kind, case, decision, options))
    pdf = f"%PDF-1.7 {kind} {options['lang']} {len(fake_render.calls)}".encode()
    return type("Rendered", (), {"pdf": pdf})()


@pytest.fixture(autouse=True)
def _reset_fake():
    fake_render.calls = []


@pytest.fixture
def people(make_user):
    return make_user("clinician", credential="PT"), make_user("practitioner", credential="MD")


@pytest.fixture
def case(db_session, people):
    clinician, practitioner = people
    return store_case(db_session, clinician, practitioner)


def audit_actions(session):
    return [
        (e.action, e.outcome) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def render(session, user, case, kind="lmn", lang="en"):
    return documents.render_document(
        session, user, case.id, kind, lang, render=fake_render, now=NOW
    )


def test_a_render_stores_bytes_and_their_sha256_with_an_audit_row(db_session, people, case):
    document = render(db_session, people[0], case)
    stored = db_session.get(Document, document.id)
    assert stored.version == 1 and stored.superseded_at is None
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
    assert audit_actions(db_session) == [("document.render", "ok")]


def test_the_renderer_gets_the_parsed_case_its_decision_and_the_clinic(db_session, people, case):
    render(db_session, people[0], case)
    kind, parsed, decision, options = fake_render.calls[0]
    assert (kind, parsed.patient.name, decision.status) == ("lmn", "Jane Q. Doe", "eligible")
    assert options["clinic"].name == "Test Spine Clinic"
    assert options["signature"] is None


def test_a_new_render_supersedes_the_previous_version_which_is_kept(db_session, people, case):
    first = render(db_session, people[0], case)
    second = render(db_session, people[0], case)
    assert (first.version, second.version) == (1, 2)
    db_session.refresh(first)
    assert first.superseded_at is not None and second.superseded_at is None
    listed = documents.versions(db_session, people[0], case.id)["lmn"]
    assert [(v.version, v.current) for v in listed] == [(2, True), (1, False)]
    assert listed[1].size == len(first.content)


def test_languages_are_versioned_apart(db_session, people, case):
    english = render(db_session, people[0], case, "instructions", "en")
    spanish = render(db_session, people[0], case, "instructions", "es")
    assert (english.version, spanish.version) == (1, 1)
    db_session.refresh(english)
    assert english.superseded_at is None


def test_only_instructions_are_printed_in_spanish(db_session, people, case):
    with pytest.raises(documents.CaseNotReady) as refused:
        render(db_session, people[0], case, "lmn", "es")
    assert refused.value.errors[0].field == "lang"
    assert fake_render.calls == []


def test_an_unknown_kind_is_not_found(db_session, people, case):
    with pytest.raises(documents.DocumentNotFound):
        render(db_session, people[0], case, "invoice")


def test_a_draft_cannot_be_printed_and_nothing_is_stored(db_session, people):
    draft = store_case(db_session, people[0], None)
    with pytest.raises(documents.CaseNotReady) as refused:
        render(db_session, people[0], draft)
    assert "treating_practitioner" in [error.field for error in refused.value.errors]
    assert db_session.scalar(select(func.count(Document.id))) == 0


def test_a_refused_document_stores_nothing(db_session, people):
    prn = store_case(db_session, people[0], people[1], **{"request.frequency_text": "PRN"})
    with pytest.raises(documents.CaseNotReady) as refused:
        documents.render_document(db_session, people[0], prn.id, "swo", now=NOW)
    assert refused.value.errors[0].field.startswith("request")
    assert db_session.scalar(select(func.count(Document.id))) == 0
    assert audit_actions(db_session) == []


def test_another_clinics_case_is_not_found(db_session, make_user, case):
    from dme_service.models import Clinic

    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", clinic_id=other.id)
    with pytest.raises(CaseNotFound):
        render(db_session, stranger, case)
    document = render(db_session, make_user("clinician"), case)
    with pytest.raises(CaseNotFound):
        documents.fetch(db_session, stranger, case.id, document.id)


def test_a_download_verifies_the_hash_and_is_audited(db_session, people, case):
    document = render(db_session, people[0], case)
    fetched = documents.fetch(db_session, people[1], case.id, document.id)
    assert fetched.content == document.content
    assert audit_actions(db_session)[-1] == ("document.download", "ok")


def test_a_flipped_byte_is_refused_and_audited(db_session, people, case):
    document = render(db_session, people[0], case)
    tampered = bytearray(document.content)
    tampered[5] ^= 0x01
    db_session.execute(
        update(Document).where(Document.id == document.id).values(content=bytes(tampered))
    )
    db_session.commit()
    db_session.expire_all()
    with pytest.raises(documents.DocumentTampered):
        documents.fetch(db_session, people[1], case.id, document.id)
    assert audit_actions(db_session)[-1] == ("document.download", "hash_mismatch")


def current(session, user, case, kind="lmn", lang="en"):
    return documents.current_document(session, user, case.id, kind, lang, render=fake_render)


def test_the_latest_current_version_is_served(db_session, people, case):
    render(db_session, people[0], case)
    second = render(db_session, people[0], case)
    assert current(db_session, people[0], case).id == second.id
    assert len(fake_render.calls) == 2


def test_the_current_version_of_a_kind_never_made_is_made_on_demand(db_session, people, case):
    made = current(db_session, people[0], case, "swo")
    assert (made.kind, made.version, made.case_version) == ("swo", 1, case.version)
    assert audit_actions(db_session)[-2:] == [
        ("document.render", "ok"),
        ("document.download", "ok"),
    ]


def test_a_document_of_another_case_is_not_served_under_this_case(db_session, people, case):
    other = store_case(db_session, people[0], people[1])
    document = render(db_session, people[0], other)
    with pytest.raises(documents.DocumentNotFound):
        documents.fetch(db_session, people[0], case.id, document.id)


def sign(session, case, signer, **fields):
    from dme_service.store.signed_content import signed_content_mac

    session.refresh(case)
    values = {
        "case_id": case.id,
        "signer_id": signer.id,
        "signed_at": NOW,
        "credential": "MD",
        "npi": signer.npi,
        "case_version": case.version,
        "content_sha256": signed_content_mac(case, case.version, {})[1],
        "key_id": signed_content_mac(case, case.version, {})[0],
        "document_hashes": {},
    }
    values.update(fields)
    session.add(Signature(**values))
    session.commit()


def test_a_standing_signature_is_printed(db_session, people, case):
    sign(db_session, case, people[1])
    render(db_session, people[0], case, kind="packet")
    signature = fake_render.calls[0][3]["signature"]
    assert (signature.name, signature.npi, signature.signed_at) == (
        people[1].name,
        people[1].npi,
        NOW,
    )


def test_a_signature_that_no_longer_covers_the_case_is_not_printed(db_session, people, case):
    sign(db_session, case, people[1], content_sha256="0" * 64)
    render(db_session, people[0], case)
    assert fake_render.calls[0][3]["signature"] is None


def test_the_real_renderer_stores_a_pdf(db_session, people, case):
    document = documents.render_document(db_session, people[0], case.id, "lmn", now=NOW)
    assert document.content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()


@pytest.mark.parametrize("kind", ["swo", "lmn"])
def test_pentest_i1_the_signed_order_and_letter_are_not_rendered_again_while_signed(
    db_session, people, case, kind
):
    """I1: billing re-rendered the LMN after signing; the new PDF printed the e-signature
    statement although the signature did not cover it, and the signed one became superseded."""
    sign(db_session, case, people[1])
    with pytest.raises(documents.CaseNotReady) as refused:
        render(db_session, people[0], case, kind=kind)
    assert refused.value.errors[0].field == "kind"
    assert fake_render.calls == []


# --- current means made from the case and signature as they are now ----------------------


def change_minutes(session, case, minutes):
    """An edit to the order, written straight to the rows: currency is worked out on every
    read, so even a change that bypassed the services shows."""
    session.refresh(case)
    case.home_prescription.minutes = minutes
    case.updated_at = NOW  # the case row is written too, as every save does
    session.commit()


def listed(session, user, case, kind):
    return [
        (v.version, v.current, v.outdated) for v in documents.versions(session, user, case.id)[kind]
    ]


@pytest.mark.parametrize("kind", ["lmn", "swo", "instructions", "packet"])
def test_a_change_to_the_case_makes_every_older_document_not_current(
    db_session, people, case, kind
):
    made = render(db_session, people[0], case, kind)
    assert listed(db_session, people[0], case, kind) == [(1, True, False)]
    change_minutes(db_session, case, 20)
    assert listed(db_session, people[0], case, kind) == [(1, False, True)]
    served = current(db_session, people[0], case, kind)
    assert served.id != made.id and served.version == 2
    assert fake_render.calls[-1][1].request.minutes == 20
    assert listed(db_session, people[0], case, kind) == [(2, True, False), (1, False, False)]


def test_the_current_download_is_made_once_then_reused(db_session, people, case):
    first = current(db_session, people[0], case, "packet")
    again = current(db_session, people[0], case, "packet")
    assert first.id == again.id and len(fake_render.calls) == 1


def test_a_claim_move_alone_leaves_documents_current(db_session, people, case):
    """The case version also counts claim moves, which change nothing a document prints."""
    made = render(db_session, people[0], case, "packet")
    db_session.refresh(case)
    before = case.version
    case.billing_state = "ready_to_submit"
    db_session.commit()
    assert case.version > before
    assert listed(db_session, people[0], case, "packet") == [(1, True, False)]
    assert current(db_session, people[0], case, "packet").id == made.id


def test_the_purchase_or_rental_choice_makes_a_new_packet(db_session, people, case):
    from dme_service.models import ClaimRecord

    render(db_session, people[0], case, "packet")
    db_session.add(
        ClaimRecord(
            case_id=case.id, clinic_id=case.clinic_id, control_number="C1", purchase_or_rental="RR"
        )
    )
    db_session.commit()
    assert listed(db_session, people[0], case, "packet") == [(1, False, True)]
    current(db_session, people[0], case, "packet")
    assert fake_render.calls[-1][3]["purchase_or_rental"] == "RR"


def test_a_signature_makes_documents_made_before_it_not_current(db_session, people, case):
    render(db_session, people[0], case, "packet")
    sign(db_session, case, people[1])
    assert listed(db_session, people[0], case, "packet") == [(1, False, True)]
    current(db_session, people[0], case, "packet")
    assert fake_render.calls[-1][3]["signature"].name == people[1].name


def test_a_void_makes_documents_made_under_the_signature_not_current(db_session, people, case):
    sign(db_session, case, people[1])
    render(db_session, people[0], case, "packet")
    assert listed(db_session, people[0], case, "packet") == [(1, True, False)]
    signature = db_session.scalar(select(Signature))
    signature.voided_at = NOW
    db_session.commit()
    assert listed(db_session, people[0], case, "packet") == [(1, False, True)]
    current(db_session, people[0], case, "packet")
    assert fake_render.calls[-1][3]["signature"] is None


def test_a_document_stored_before_its_sources_were_recorded_is_not_current(
    db_session, people, case
):
    made = render(db_session, people[0], case, "packet")
    db_session.execute(update(Document).where(Document.id == made.id).values(source_sha256=None))
    db_session.commit()
    assert listed(db_session, people[0], case, "packet") == [(1, False, True)]


def sign_over(session, case, signer, documents_by_kind):
    """A standing signature covering these stored documents, as signing stores it."""
    from dme_service.store.signed_content import signed_content_mac

    session.refresh(case)
    hashes = {
        kind: {"document_id": d.id, "version": d.version, "sha256": d.sha256}
        for kind, d in documents_by_kind.items()
    }
    key_id, mac = signed_content_mac(case, case.version, hashes)
    session.add(
        Signature(
            case_id=case.id,
            signer_id=signer.id,
            signed_at=NOW,
            credential="MD",
            npi=signer.npi,
            case_version=case.version,
            content_sha256=mac,
            key_id=key_id,
            document_hashes=hashes,
        )
    )
    session.commit()


def test_a_packet_after_signing_is_given_the_signed_files_not_a_new_order(db_session, people, case):
    swo, lmn = render(db_session, people[0], case, "swo"), render(db_session, people[0], case)
    sign_over(db_session, case, people[1], {"swo": swo, "lmn": lmn})
    assert listed(db_session, people[0], case, "swo") == [(1, True, False)]
    render(db_session, people[0], case, "packet")
    assert fake_render.calls[-1][3]["signed_pdfs"] == {"swo": swo.content, "lmn": lmn.content}
    assert current(db_session, people[0], case, "swo").id == swo.id


def test_a_submission_packet_after_signing_is_given_the_signed_files_too(db_session, people, case):
    swo, lmn = render(db_session, people[0], case, "swo"), render(db_session, people[0], case)
    sign_over(db_session, case, people[1], {"swo": swo, "lmn": lmn})
    render(db_session, people[0], case, "submission")
    assert fake_render.calls[-1][3]["signed_pdfs"] == {"swo": swo.content, "lmn": lmn.content}


def test_a_packet_before_signing_lays_the_order_out(db_session, people, case):
    render(db_session, people[0], case, "packet")
    assert fake_render.calls[-1][3]["signed_pdfs"] is None


def test_a_save_during_the_render_makes_the_current_one_again(db_session, people, case):
    """The case changed while the new version was being made: it is made once more."""
    saved = []

    def render_while_saving(kind, parsed, decision, **options):
        if not saved:
            saved.append(True)
            change_minutes(db_session, case, 25)
        return fake_render(kind, parsed, decision, **options)

    served = documents.current_document(
        db_session, people[0], case.id, "swo", render=render_while_saving
    )
    assert served.version == 2
    assert fake_render.calls[-1][1].request.minutes == 25
    assert listed(db_session, people[0], case, "swo") == [(2, True, False), (1, False, False)]


def test_a_checklist_review_makes_a_new_packet_and_leaves_the_letter_current(
    db_session, people, case, make_user
):
    """The packet's cover prints the claim's checklist; the letter does not."""
    from dme_service.services.billing import claim as billing

    prior = [{"hcpcs": "E0860", "date": "2023-05-01"}]  # same-or-similar: a person reviews it
    case = store_case(db_session, people[0], people[1], prior_devices=prior)
    render(db_session, people[0], case, "packet")
    render(db_session, people[0], case, "lmn")
    biller = make_user("billing")
    billing.review(db_session, case.id, "same_or_similar", biller, note="No prior unit found.")
    assert listed(db_session, people[0], case, "packet") == [(1, False, True)]
    assert listed(db_session, people[0], case, "lmn") == [(1, True, False)]
    current(db_session, people[0], case, "packet")
    cover = {item.key: item for item in fake_render.calls[-1][3]["checklist"]}
    assert cover["same_or_similar"].met


def test_the_instructions_keep_the_signed_dose_while_a_change_waits(db_session, people, case):
    """The documents page prints the patient's instructions from the order last signed, and
    says the plan is being changed, until the change is signed."""
    from services.patient_cases import change_after_signing, sign

    clinician, practitioner = people
    sign(db_session, case, practitioner)
    change_after_signing(db_session, case, clinician, minutes=25)
    render(db_session, clinician, case, kind="instructions")
    _, parsed, _, options = fake_render.calls[-1]
    assert parsed.request.minutes == 15
    assert options["plan_changing"] is True and options["signature"] is not None
    render(db_session, clinician, case, kind="lmn")  # the practitioner's papers: the case now
    assert fake_render.calls[-1][1].request.minutes == 25


def test_the_packet_teaches_the_signed_dose_while_a_change_waits(db_session, people, case):
    """The billing packet's instructions part is the patient's copy: the order last signed and
    the words that the plan is being changed, never the packet's unsigned order; it says which
    order version it teaches."""
    from services.patient_cases import change_after_signing, sign

    clinician, practitioner = people
    sign(db_session, case, practitioner)
    change_after_signing(db_session, case, clinician, minutes=25)
    render(db_session, clinician, case, kind="packet")
    _, parsed, _, options = fake_render.calls[-1]
    assert parsed.request.minutes == 25  # the order in the packet is the change
    plan = options["patient_plan"]
    assert plan.changing and plan.request.minutes == 15 and plan.order_version == 1
    assert plan.signature.name == practitioner.name


def test_the_packet_of_a_standing_signature_teaches_the_signed_order(db_session, people, case):
    from services.patient_cases import sign

    sign(db_session, case, people[1])
    render(db_session, people[0], case, kind="packet")
    plan = fake_render.calls[-1][3]["patient_plan"]
    assert not plan.changing and plan.signature is not None and plan.order_version == 1


def test_the_packet_of_an_order_never_signed_says_so(db_session, people, case):
    render(db_session, people[0], case, kind="packet")
    plan = fake_render.calls[-1][3]["patient_plan"]
    assert (plan.changing, plan.signature, plan.order_version) == (False, None, 1)


def test_a_signature_voided_without_a_dose_change_still_signed_the_dose(db_session, people, case):
    """A change to another signed fact (here a diagnosis) voids the signature but leaves the
    dose as signed: the printed instructions, like the patient's page, keep the signature
    instead of telling a patient already at home not to start."""
    from dme_service.services import after_save
    from services.patient_cases import sign

    clinician, practitioner = people
    sign(db_session, case, practitioner)
    db_session.refresh(case)
    case.diagnoses[0].code = "M50.121"
    after_save.case_changed(db_session, case, clinician)
    db_session.commit()
    assert db_session.get(Signature, 1).voided_at is not None
    render(db_session, clinician, case, kind="instructions")
    options = fake_render.calls[-1][3]
    assert options["signature"] is not None and not options.get("plan_changing")
