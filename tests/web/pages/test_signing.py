"""The signing pages: who may sign (403 in words), step-up password, the signature history, the
signed PDFs (current and superseded) and edits after signing (security.md RET-2, AUTH-6)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services.claim_cases import case_document, home_then_clinic_trials, stored_case
from sqlalchemy import func, select, text, update

from dme_service.models import AuditEvent, Case, Document, Signature
from dme_service.services.cases import edit as case_service
from dme_service.services.signed_order import SignatureWouldVoid
from dme_service.store.signed_content import check_signature, current_signature

WHO_CAN = "MD, DO, DPM, PA, NP or CNS"


def sign_in(client, user):
    """Sign in through the real login form."""
    return client.post("/login", data={"email": user.email, "password": user.password})


@pytest.fixture
def team(app, make_user):
    """A clinician (PT), the treating MD and a biller, each with a signed-in client."""
    people = {
        "author": make_user("clinician", credential="PT"),
        "doctor": make_user("practitioner", credential="MD", name="Dr Sam Lee"),
        "biller": make_user("billing"),
    }
    clients = {}
    for key, user in people.items():
        clients[key] = app.test_client()
        assert sign_in(clients[key], user).status_code == 303
    return people, clients


def _sign(client, case, password, *, confirm=True, version=None):
    data = {"version": version if version is not None else case.version, "password": password}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/signing/cases/{case.id}", data=data)


def test_the_case_waits_on_the_practitioner_home_page_with_a_link_to_sign(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"], patient_name="Ann Waits")
    page = clients["doctor"].get("/").get_data(as_text=True)
    assert "Ann Waits" in page
    assert f"/signing/cases/{case.id}" in page


def test_the_signing_page_shows_the_order_and_asks_for_the_password(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = clients["doctor"].get(f"/signing/cases/{case.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E0860" in page and "M50.122" in page and "Pain 7 → 3" in page
    assert 'type="password"' in page and 'name="confirm"' in page


def test_the_practitioner_signs_with_the_password_and_sees_the_signed_documents(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _sign(clients["doctor"], case, people["doctor"].password)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/signing/cases/{case.id}/history?signed=1")
    page = clients["doctor"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Signed" in page and "Standard written order" in page and "Valid" in page
    assert db_session.scalar(select(func.count(Signature.id))) == 1


def test_a_wrong_password_signs_nothing_and_keeps_the_confirmation(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _sign(clients["doctor"], case, "not my password at all")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The password is not right" in page
    assert '<input checked id="confirm" name="confirm"' in page
    assert db_session.scalar(select(func.count(Signature.id))) == 0


@pytest.mark.parametrize("version", ["", "x"])
def test_a_sign_without_its_version_says_so_and_signs_nothing(db_session, team, version):
    """The hidden version has no place of its own on the page: the answer said nothing."""
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _sign(clients["doctor"], case, people["doctor"].password, version=version)
    assert response.status_code == 422
    assert "The page was incomplete: the order was not signed." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Signature.id))) == 0


def test_signing_without_ticking_the_confirmation_is_refused_next_to_the_box(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _sign(clients["doctor"], case, people["doctor"].password, confirm=False)
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Signature.id))) == 0


@pytest.mark.parametrize("who", ["author", "biller"])
def test_someone_without_a_signing_credential_gets_403_saying_who_can(db_session, team, who):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    for response in (
        clients[who].get(f"/signing/cases/{case.id}"),
        _sign(clients[who], case, people[who].password),
    ):
        assert response.status_code == 403
        assert WHO_CAN in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Signature.id))) == 0


def test_another_physician_may_not_sign_an_order_naming_a_colleague(
    app, db_session, team, make_user
):
    people, _ = team
    case = stored_case(db_session, people["author"], people["doctor"])
    colleague = make_user("practitioner", credential="DO")
    client = app.test_client()
    sign_in(client, colleague)
    response = _sign(client, case, colleague.password)
    assert response.status_code == 403
    assert "Dr Sam Lee" in response.get_data(as_text=True)


def test_a_case_of_another_clinic_does_not_exist_here(app, db_session, team, make_user):
    from dme_service.models import Clinic

    people, _ = team
    case = stored_case(db_session, people["author"], people["doctor"])
    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("practitioner", credential="MD", clinic_id=other.id)
    client = app.test_client()
    sign_in(client, stranger)
    assert client.get(f"/signing/cases/{case.id}").status_code == 404
    assert client.get(f"/signing/cases/{case.id}/history").status_code == 404


def test_a_stale_version_is_a_409_that_shows_the_current_case(db_session, team):
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    response = _sign(clients["doctor"], case, people["doctor"].password, version=case.version - 1)
    assert response.status_code == 409
    assert "changed while you were looking" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Signature.id))) == 0


def _signed_case(db_session, people, clients):
    case = stored_case(db_session, people["author"], people["doctor"])
    assert _sign(clients["doctor"], case, people["doctor"].password).status_code == 303
    db_session.expire_all()
    return db_session.get(Case, case.id)


def test_an_edit_after_signing_voids_it_and_the_voided_pdf_downloads_marked_superseded(
    db_session, team
):
    people, clients = team
    case = _signed_case(db_session, people, clients)
    signature = current_signature(db_session, case.id)
    swo_id = signature.document_hashes["swo"]["document_id"]
    edit = case_service.SectionEdit(
        "prescription",
        {
            "request": {
                "hcpcs": "E0860",
                "force_lb": 14,
                "minutes": 15,
                "sessions_per_day": 2,
                "length_of_need_months": 3,
                "frequency_text": "15 minutes, twice daily",
            }
        },
        None,
    )
    with pytest.raises(SignatureWouldVoid):  # asked first: nothing saved
        case_service.save_section(db_session, people["author"], case.id, case.version, edit)
    db_session.expire_all()
    assert db_session.get(Signature, signature.id).voided_at is None
    case_service.save_section(
        db_session, people["author"], case.id, case.version, edit, confirm_void=True
    )
    db_session.expire_all()
    assert db_session.get(Signature, signature.id).voided_at is not None
    assert db_session.get(Case, case.id).billing_state == "awaiting_signature"
    response = clients["biller"].get(f"/signing/documents/{swo_id}.pdf")
    assert response.status_code == 200
    assert response.headers["X-Document-State"] == "superseded"
    assert "superseded" in response.headers["Content-Disposition"]
    assert hashlib.sha256(response.data).hexdigest() == signature.document_hashes["swo"]["sha256"]
    history = clients["doctor"].get(f"/signing/cases/{case.id}/history").get_data(as_text=True)
    assert "Voided" in history and "changed after signing" in history
    assert f"/signing/cases/{case.id}" in clients["doctor"].get("/").get_data(as_text=True)


def test_a_raw_sql_edit_is_caught_on_the_next_read_and_billing_cannot_submit(db_session, team):
    people, clients = team
    case = _signed_case(db_session, people, clients)
    db_session.execute(update(Case).where(Case.id == case.id).values(version=Case.version))
    db_session.execute(text("UPDATE trials SET force_lb = 30 WHERE case_id = :id"), {"id": case.id})
    db_session.commit()
    history = clients["doctor"].get(f"/signing/cases/{case.id}/history").get_data(as_text=True)
    assert "no longer matches" in history
    claim = clients["biller"].get(f"/billing/cases/{case.id}").get_data(as_text=True)
    assert "no longer matches what was signed" in claim
    db_session.expire_all()
    response = clients["biller"].post(
        f"/billing/cases/{case.id}/move",
        data={"to_state": "ready_to_submit", "version": db_session.get(Case, case.id).version},
    )
    assert response.status_code == 409
    # A raw edit moves no claim state; the checklist refuses the move on every read.
    assert db_session.get(Case, case.id).billing_state == "signed"


def test_re_signing_after_a_raw_edit_voids_the_old_signature_and_is_valid(db_session, team):
    people, clients = team
    case = _signed_case(db_session, people, clients)
    db_session.execute(text("UPDATE trials SET minutes = 20 WHERE case_id = :id"), {"id": case.id})
    db_session.commit()
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert _sign(clients["doctor"], case, people["doctor"].password).status_code == 303
    db_session.expire_all()
    rows = db_session.scalars(select(Signature).order_by(Signature.id)).all()
    assert [row.voided_at is None for row in rows] == [False, True]
    assert check_signature(db_session, db_session.get(Case, case.id)).valid


def test_an_altered_stored_pdf_is_refused_and_the_refusal_audited(db_session, team):
    people, clients = team
    case = _signed_case(db_session, people, clients)
    document = db_session.scalars(select(Document).where(Document.case_id == case.id)).first()
    db_session.execute(
        update(Document).where(Document.id == document.id).values(content=b"%PDF-1.7 altered")
    )
    db_session.commit()
    response = clients["biller"].get(f"/signing/documents/{document.id}.pdf")
    assert response.status_code == 409
    outcomes = db_session.scalars(
        select(AuditEvent.outcome).where(AuditEvent.action == "document.download")
    ).all()
    assert "hash_mismatch" in outcomes


def test_a_not_eligible_case_goes_for_signature_only_with_a_reason(db_session, team):
    people, clients = team
    trial = {**stored_trial(), "tolerated": True, "pain_after": 9}  # worse: not eligible
    case = stored_case(db_session, people["author"], people["doctor"], trials=[trial])
    assert (case.status, case.billing_state) == ("not_eligible", "draft")
    empty = clients["author"].post(
        f"/signing/cases/{case.id}/send", data={"version": case.version, "reason": ""}
    )
    assert empty.status_code == 422 and "Say why." in empty.get_data(as_text=True)
    sent = clients["author"].post(
        f"/signing/cases/{case.id}/send",
        data={"version": case.version, "reason": "ABN signed; patient pays if denied."},
    )
    assert sent.status_code == 303
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "awaiting_signature"


def test_a_send_without_its_version_says_so_and_keeps_the_reason(db_session, team):
    """The hidden version has no place of its own on the page: the answer said nothing."""
    people, clients = team
    trial = {**stored_trial(), "tolerated": True, "pain_after": 9}
    case = stored_case(db_session, people["author"], people["doctor"], trials=[trial])
    for version in ("", "x"):
        response = clients["author"].post(
            f"/signing/cases/{case.id}/send", data={"version": version, "reason": "ABN signed."}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "The page was incomplete: the case was not sent. Send it again." in page
        assert "ABN signed." in page
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "draft"


def stored_trial() -> dict:
    from services.claim_cases import CASE_DOCUMENT

    return dict(CASE_DOCUMENT["trials"][0])


NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "\u202e", "🙂" * 40, "x" * 5000, "{{ 7*7 }}", "-1", "1e9"]),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(version=NASTY, reason=NASTY, confirm=st.sampled_from(["", "y", "no"]), password=NASTY)
def test_any_signing_or_sending_input_answers_without_a_server_error(
    db_session, team, version, reason, confirm, password
):
    """IN-3: the sign and send forms answer any input with a refusal or a redirect, never 5xx;
    a wrong password never signs."""
    people, clients = team
    case = db_session.scalars(select(Case)).first() or stored_case(
        db_session, people["author"], people["doctor"]
    )
    case_id = case.id
    db_session.rollback()
    signed = clients["doctor"].post(
        f"/signing/cases/{case_id}",
        data={"version": version, "confirm": confirm, "password": password},
    )
    assert signed.status_code in (409, 422, 429), signed.status_code
    sent = clients["author"].post(
        f"/signing/cases/{case_id}/send", data={"version": version, "reason": reason}
    )
    assert sent.status_code in (303, 409, 422), sent.status_code
    assert db_session.scalar(select(func.count(Signature.id))) == 0
    db_session.rollback()


def test_pentest_m1_signing_renders_in_the_bounded_child_and_a_hang_signs_nothing(
    db_session, team, app
):
    """M1: the signing render ran in the worker with no bound; a render that never ends now
    answers 503 in words after DOCUMENT_RENDER_TIMEOUT, stores nothing and the worker goes on."""
    import time

    from dme_service.documents import bounded

    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"])
    app.config["DOCUMENT_RENDER_TIMEOUT"] = 0.5
    original = bounded.render

    def hang(*args, **kwargs):
        time.sleep(30)

    bounded.render = hang  # the child process runs this instead of WeasyPrint
    try:
        response = _sign(clients["doctor"], case, people["doctor"].password)
    finally:
        bounded.render = original
    assert response.status_code == 503
    assert "nothing was signed" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Signature.id))) == 0
    assert clients["doctor"].get(f"/signing/cases/{case.id}").status_code == 200


def test_pentest_l2_billing_never_reads_the_clinicians_reason_for_sending(db_session, team):
    """L2: the send reason (clinical free text) was printed in the billing claim history."""
    people, clients = team
    trial = {**stored_trial(), "tolerated": True, "pain_after": 9}
    case = stored_case(db_session, people["author"], people["doctor"], trials=[trial])
    secret = "CLINICALSECRET patient reports low mood; ABN on file"
    sent = clients["author"].post(
        f"/signing/cases/{case.id}/send", data={"version": case.version, "reason": secret}
    )
    assert sent.status_code == 303
    page = clients["biller"].get(f"/billing/cases/{case.id}")
    assert page.status_code == 200
    assert "CLINICALSECRET" not in page.get_data(as_text=True)
    assert "gave a reason for sending it to signing" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/signing/cases/{case}/history"),
        ("get", "/signing/documents/{document}.pdf"),
        ("get", "/signing/cases/{case}/send"),
        ("post", "/signing/cases/{case}/send"),
    ],
)
def test_pentest_l1_the_admin_reads_no_signed_documents_and_sends_nothing(
    db_session, team, app, make_user, method, path
):
    """L1: the admin (kept off every case page) read signed orders and sent cases to signing."""
    people, clients = team
    case = _signed_case(db_session, people, clients)
    document = db_session.scalars(select(Document).where(Document.case_id == case.id)).first()
    admin = make_user("admin")
    client = app.test_client()
    assert sign_in(client, admin).status_code == 303
    url = path.format(case=case.id, document=document.id)
    response = getattr(client, method)(url, data={"version": case.version, "reason": "x"})
    assert response.status_code == 403


def test_the_sign_page_reads_length_of_need_99_as_lifetime(db_session, team):
    people, clients = team
    request = {**case_document(people["doctor"])["request"], "length_of_need_months": 99}
    case = stored_case(db_session, people["author"], people["doctor"], request=request)
    page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    assert "for 99 (lifetime)" in page and "99 months" not in page


def test_the_sign_page_shows_every_trial_and_no_tolerance_a_clinic_trial_did_not_record(
    db_session, team
):
    """The decision rests on the earlier home-unit trial; the later clinic trial records no
    home-use answers, so none are printed for it."""
    people, clients = team
    author, doctor = people["author"], people["doctor"]
    case = stored_case(db_session, author, doctor, trials=home_then_clinic_trials())
    assert case.status == "eligible"
    page = clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True)
    trials = page[
        page.index("Supervised trials") : page.index("</ul>", page.index("Supervised trials"))
    ]
    assert trials.count('class="sign-trial"') == 2
    home_line, clinic_line = trials.split('class="sign-trial"')[1:]
    assert "Decides home use" in home_line and "E0860" in home_line
    assert "Home use demonstrated" in home_line and "Tolerated" in home_line
    assert "Latest trial" in clinic_line and "mechanical" in clinic_line
    assert "olerat" not in clinic_line and "Home use" not in clinic_line


def test_an_order_whose_prescription_was_never_saved_does_not_reach_the_practitioner(
    db_session, team
):
    people, clients = team
    case = stored_case(
        db_session,
        people["author"],
        people["doctor"],
        patient_name="Ann Unsaved",
        request={"hcpcs": "E0860"},
    )
    assert (case.status, case.billing_state) == ("eligible", "draft")
    assert "Ann Unsaved" not in clients["doctor"].get("/").get_data(as_text=True)


def test_an_order_routed_before_its_prescription_was_saved_leaves_the_practitioners_list(
    db_session, team
):
    """Routed by an earlier release (or by a raw edit): the list no longer shows it."""
    people, clients = team
    case = stored_case(db_session, people["author"], people["doctor"], patient_name="Ann Early")
    assert case.billing_state == "awaiting_signature"
    assert "Ann Early" in clients["doctor"].get("/").get_data(as_text=True)
    rx = case.home_prescription
    rx.force_lb = rx.minutes = rx.sessions_per_day = None
    db_session.commit()
    assert "Ann Early" not in clients["doctor"].get("/").get_data(as_text=True)


def test_the_signing_page_names_a_clinic_trial_in_words_not_its_stored_key(db_session, team):
    people, clients = team
    case = stored_case(
        db_session, people["author"], people["doctor"], trials=home_then_clinic_trials()
    )
    page = " ".join(
        clients["doctor"].get(f"/signing/cases/{case.id}").get_data(as_text=True).split()
    )
    assert "Oct 3, 2026: Clinic mechanical traction, supine, 15 lb" in page
    assert "Oct 1, 2026: E0860 over-door, seated" in page
    assert ": mechanical," not in page
