"""The audit trail writer: append-only, keyed rows (docs/security.md LOG-1, LOG-2).

`record` appends one row in the caller's transaction: row_hash = HMAC-SHA-256 over a random
nonce and the row's canonical JSON, under the current key from `integrity_keys` (outside the
database). Appending takes no lock and reads no other row, so audited reads
on several nodes never queue behind each other; `audit_seal` chains the rows in id order in
batches afterwards and `audit_verify` checks rows and seals. Rows written before the keys
existed keep their unkeyed chain (`row_hash`). Rows carry surrogate ids only, never names,
dates of birth, codes or free text.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import Any

from sqlalchemy.orm import Session

from dme_service import integrity_keys
from dme_service.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
_INSERT_ROW = AuditEvent.__table__.insert()  # built once; the statement's compiled form is cached
ROW_PURPOSE = "audit.row"
# Actions and object types are code identifiers ("case.read", "document"), never free text.
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_.:-]{0,39}$")
HASHED_FIELDS = (
    "ts_utc",
    "user_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "request_id",
    "ip",
    "outcome",
)
# What an append writes: the hashed fields and the row's nonce, key id and MAC (one list, so a
# field added to the hash is written too).
_INSERTED = (*HASHED_FIELDS, "prev_hash", "key_id", "row_hash")


def canonical_json(event: AuditEvent) -> str:
    """The row's hashed fields as canonical JSON (sorted keys, no spaces, UTC microseconds)."""
    values: dict[str, Any] = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["ts_utc"] = event.ts_utc.isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_hash(prev_hash: str, event: AuditEvent) -> str:
    """Unkeyed SHA-256 chain of the rows written before the keys existed (key_id NULL)."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode()).hexdigest()


def row_message(event: AuditEvent) -> str:
    """What a keyed row's HMAC covers: its nonce, then its canonical JSON."""
    return event.prev_hash + canonical_json(event)


def row_mac_matches(event: AuditEvent) -> bool:
    """True when the keyed row's HMAC checks out under its own key id."""
    return integrity_keys.check(ROW_PURPOSE, row_message(event), event.key_id, event.row_hash)


def record(
    session: Session,
    *,
    user,
    action: str,
    object_type: str,
    object_id: Any,
    patient_id: int | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    """Append one keyed audit row in the session's transaction (the caller commits).

    No lock and no read of other rows: concurrent readers on several nodes append side by
    side; `audit_seal.seal` puts the rows in order later (LOG-2).
    """
    for name, value in (("action", action), ("object_type", object_type), ("outcome", outcome)):
        if not _IDENTIFIER.match(value):
            raise ValueError(f"audit {name} must be a short code identifier, got {value!r}")
    event = _keyed_event(
        _request_origin(), user, action, object_type, object_id, patient_id, outcome
    )
    session.add(event)
    session.flush()
    return event


def case_event(session: Session, user, action: str, case) -> AuditEvent:
    """Append the audit row of an action on one case (read, save, print, move, sign...)."""
    return record(
        session,
        user=user,
        action=action,
        object_type="case",
        object_id=case.id,
        patient_id=case.patient_id,
    )


def case_read(session: Session, user, case) -> None:
    """Append the audit row of a read of one case (LOG-1: in the read's own transaction, so a
    failed insert fails the read) as one INSERT statement: the row is never read back, so
    the ORM's unit of work (the case page's costliest write) is skipped."""
    event = _keyed_event(
        _request_origin(), user, "case.read", "case", case.id, case.patient_id, "ok"
    )
    values = {column: getattr(event, column) for column in _INSERTED}
    session.execute(_INSERT_ROW, values)


def record_many(session: Session, *, user, action: str, object_type: str, objects) -> None:
    """`record` for each (object_id, patient_id) in `objects`, with one flush for all of them
    (a remittance posting a thousand claim moves)."""
    if not (_IDENTIFIER.match(action) and _IDENTIFIER.match(object_type)):
        raise ValueError(f"audit action/object_type must be code identifiers: {action!r}")
    origin = _request_origin()
    for object_id, patient_id in objects:
        session.add(_keyed_event(origin, user, action, object_type, object_id, patient_id, "ok"))
    session.flush()


def _keyed_event(
    origin, user, action: str, object_type: str, object_id: Any, patient_id, outcome: str
) -> AuditEvent:
    """One new row, keyed: the nonce stands where the chained hash once was, so no other row
    is read (`audit_seal` chains them later)."""
    request_id, ip = origin
    event = AuditEvent(
        ts_utc=utcnow(),
        user_id=getattr(user, "id", None),
        role=getattr(user, "role", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        patient_id=patient_id,
        request_id=request_id,
        ip=ip,
        outcome=outcome,
        prev_hash=secrets.token_hex(16),
    )
    event.key_id, event.row_hash = integrity_keys.sign(ROW_PURPOSE, row_message(event))
    return event


def _request_origin() -> tuple[str | None, str | None]:
    """The current request's id and client address, when there is a request."""
    import sys

    if "flask" not in sys.modules:
        return None, None
    from flask import g, has_request_context, request

    if not has_request_context():
        return None, None
    return g.get("request_id"), request.remote_addr
