"""M5: a signed order edited in the database and re-hashed without the integrity key is not
signed any more, and no document prints the e-signature over the altered order (RET-2)."""

from __future__ import annotations

import pytest
from documents import pdfs
from sqlalchemy import select, text, update

from dme_service import integrity_keys
from dme_service.models import Case, Document, Signature
from dme_service.services import documents
from dme_service.store.signed_content import (
    check_signature,
    current_signature,
    rekey_legacy_signatures,
    signed_content_mac,
    signed_content_sha256,
)
from web.pages.test_signing import _signed_case
from web.pages.test_signing import team as team  # noqa: F401 (the signed-in team fixture)

SIGNED_STATEMENT = "Electronically signed by"


def forge(session, monkeypatch, case_id: int, force_lb: int) -> None:
    """What someone with database access and the code, but not the key, can do: change the
    order and recompute the signature's hash with the project's own function."""
    session.execute(
        text("UPDATE home_prescriptions SET force_lb = :force WHERE case_id = :id"),
        {"force": force_lb, "id": case_id},
    )
    session.commit()
    session.expire_all()
    case = session.get(Case, case_id)
    signature = current_signature(session, case_id)
    # The row names its key id, so the forger writes the real one; only the secret is not
    # theirs (an unkeyed hash, or a MAC that ignored its key, would pass).
    real_key_id = integrity_keys.keyring().current_id
    monkeypatch.setenv(integrity_keys.ENV_NAME, f"{real_key_id}:" + integrity_keys.new_secret())
    key_id, mac = signed_content_mac(case, signature.case_version, signature.document_hashes)
    monkeypatch.delenv(integrity_keys.ENV_NAME)
    session.execute(
        update(Signature)
        .where(Signature.id == signature.id)
        .values(key_id=key_id, content_sha256=mac)
    )
    session.commit()
    session.expire_all()


def test_a_signed_order_changed_and_rehashed_without_the_key_is_not_signed(
    db_session, request, monkeypatch
):
    people, clients = request.getfixturevalue("team")
    case = _signed_case(db_session, people, clients)
    forge(db_session, monkeypatch, case.id, 40)
    assert not check_signature(db_session, db_session.get(Case, case.id)).valid
    claim = clients["biller"].get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "no longer matches what was signed" in claim
    swo = documents.render_document(db_session, people["author"], case.id, "swo")
    words = pdfs.text(swo.content)
    assert "40 pounds" in words and SIGNED_STATEMENT not in words


def test_the_genuine_signature_still_prints_on_the_unchanged_order(db_session, request):
    people, clients = request.getfixturevalue("team")
    case = _signed_case(db_session, people, clients)
    check = check_signature(db_session, case)
    assert check.valid
    signed_swo = db_session.get(Document, check.signature.document_hashes["swo"]["document_id"])
    assert SIGNED_STATEMENT in pdfs.text(signed_swo.content)


@pytest.mark.parametrize("still_matches", [True, False], ids=["matching", "edited"])
def test_a_legacy_unkeyed_signature_counts_only_once_rekeyed_while_it_matches(
    db_session, request, still_matches
):
    people, clients = request.getfixturevalue("team")
    case = _signed_case(db_session, people, clients)
    signature = current_signature(db_session, case.id)
    unkeyed = signed_content_sha256(case, signature.case_version, signature.document_hashes)
    db_session.execute(
        update(Signature)
        .where(Signature.id == signature.id)
        .values(key_id=None, content_sha256=unkeyed)
    )
    if not still_matches:
        db_session.execute(
            text("UPDATE trials SET minutes = 20 WHERE case_id = :id"), {"id": case.id}
        )
    db_session.commit()
    db_session.expire_all()
    assert not check_signature(db_session, db_session.get(Case, case.id)).valid
    assert rekey_legacy_signatures(db_session) == (1 if still_matches else 0)
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    assert check_signature(db_session, row).valid is still_matches
    keyed = db_session.scalar(select(Signature.key_id).where(Signature.id == signature.id))
    assert (keyed is not None) is still_matches
