"""The practitioner sends an order back: "ask for changes" or "decline to sign", with a note.

The case leaves the practitioner's list and goes back to draft, to the clinician who owns it
(the case's author), who reads the note at the top of the case page and gets a mail (a link
only: the note is clinical text and stays in the application, docs/security.md AC-3). The case
does not go back to the practitioner by itself on the next save: the clinician makes the
changes and sends it again (`send_again`, or the "send with a reason" page for an order against
the payer's criteria), which answers the return. Each step is audited; the note never reaches
an audit row or billing's history (LOG-1).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import printable, run_with_retry
from dme_service.models import OrderReturn, User, utcnow
from dme_service.rules.claim import CHOSEN_STATUSES
from dme_service.services.billing import claim
from dme_service.services.errors import Refusal, StaleCase
from dme_service.services.mail import notices, outbox
from dme_service.services.order_reason import AUTOMATIC_NOTE
from dme_service.store import order_returns
from dme_service.store.cases import load_case
from dme_service.store.signed_content import check_signature

NOTE_MAX = 1000
KINDS = {
    "changes": "asked for changes",
    "declined": "declined to sign",
}
# What billing's history says of the move back to draft (the note itself is clinical).
MOVE_NOTE = "Sent back to the clinician by the treating practitioner."


class ReturnInvalid(Refusal):
    """The note cannot be used; `errors` maps the field to a message in clinician words."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class CannotReturn(Refusal):
    status = 409


class NotYours(Refusal):
    status = 403


# Where the clinician's mail goes: the site's address and the outbox settings.
Mail = outbox.Mail


def check_note(kind: str, note: str | None) -> dict[str, str]:
    """Field -> message for what cannot be stored (empty when it can)."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "Choose: ask for changes, or decline to sign."
    text = (note or "").strip()
    if not text:
        errors["note"] = "Say what should change, or why you decline: the clinician reads it."
    elif len(text) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters; it has {len(text)}."
    elif not printable(text):
        errors["note"] = "The note holds characters that cannot be stored; retype it."
    return errors


def send_back(
    session: Session,
    case_id: int,
    practitioner: User,
    kind: str,
    note: str | None,
    *,
    expected_version: int,
    mail: Mail | None = None,
) -> OrderReturn:
    """Return the order to its clinician with the note; commits, then mails the clinician.

    Raises CaseNotFound (404: not the practitioner's clinic, or an outside practitioner's
    order addressed to someone else), NotYours (403), ReturnInvalid (422), StaleCase or
    CannotReturn (409).
    """
    errors = check_note(kind, note)
    if errors:
        raise ReturnInvalid(errors)
    text = note.strip()
    row = run_with_retry(
        session, lambda s: _send_back(s, case_id, practitioner, kind, text, expected_version)
    )
    if mail is not None:
        # After the commit: a mail that cannot go is logged and never undoes the return.
        notices.order_declined(
            session,
            case_id,
            practitioner,
            base_url=mail.base_url,
            settings=mail.settings,
            kind=kind,
        )
    return row


def _send_back(s, case_id, practitioner, kind, note, expected_version) -> OrderReturn:
    case = load_case(s, practitioner, case_id, for_update=True)
    if practitioner.role != "practitioner" or case.treating_practitioner_id != practitioner.id:
        raise NotYours("Only the treating practitioner named on the order can send it back.")
    if case.version != expected_version:
        raise StaleCase(case)
    if case.billing_state != "awaiting_signature" or check_signature(s, case).valid:
        raise CannotReturn(
            "This order is not waiting for your signature any more, so it was not sent back."
        )
    row = OrderReturn(
        case_id=case.id,
        kind=kind,
        note=note,
        practitioner_id=practitioner.id,
        case_version=case.version,
        returned_at=utcnow(),
    )
    claim.record_move(s, case, "draft", practitioner, note=MOVE_NOTE)
    s.add(row)
    s.flush()
    audit.case_event(s, practitioner, f"case.order_{kind}", case)
    return row


def send_again(session: Session, case_id: int, user: User, *, expected_version: int):
    """The clinician sends a returned order to the practitioner again (eligible cases; an
    order against the payer's criteria goes through the "send with a reason" page). Commits.
    """
    return run_with_retry(session, lambda s: _send_again(s, case_id, user, expected_version))


def _send_again(s, case_id, user, expected_version):
    case = load_case(s, user, case_id, for_update=True)
    if case.version != expected_version:
        raise StaleCase(case)
    if order_returns.open_return(s, case.id) is None:
        raise CannotReturn("This order was not sent back, so there is nothing to send again.")
    if case.status in CHOSEN_STATUSES:
        raise CannotReturn(
            "This order is against the payer's criteria: send it with a reason instead."
        )
    claim.check_move(case.billing_state, "awaiting_signature", user.role)
    claim.check_ready(s, case, "awaiting_signature", None, None)
    event = claim.record_move(s, case, "awaiting_signature", user, note=AUTOMATIC_NOTE)
    audit.case_event(s, user, "case.order_sent_again", case)
    return event


def returned_case_ids(session: Session, user: User) -> set[int]:
    """The user's clinic's cases sent back by their practitioner and not sent again (lists)."""
    return order_returns.open_case_ids(session, user.clinic_id)


def open_return(session: Session, case_id: int) -> OrderReturn | None:
    """The return the clinician has not answered yet (for the top of the case page)."""
    return order_returns.open_return(session, case_id)
