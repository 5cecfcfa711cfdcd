"""The audit trail writer and verifier: append-only, hash-chained (security.md LOG-1, LOG-2).

`record` appends one row in the caller's transaction: row_hash = SHA-256(prev_hash || canonical
JSON of the row). Appends are serialized (SQLite: BEGIN IMMEDIATE holds the write lock;
PostgreSQL: a transaction-scoped advisory lock) so two writers never chain onto the same head.
Rows carry surrogate ids only, never names, dates of birth, codes or free text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dme_service.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
# Any constant shared by every writer; the audit chain is the only user of this lock id.
ADVISORY_LOCK_ID = 0x61756469  # "audi"
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


def canonical_json(event: AuditEvent) -> str:
    """The row's hashed fields as canonical JSON (sorted keys, no spaces, UTC microseconds)."""
    values: dict[str, Any] = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["ts_utc"] = event.ts_utc.isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_hash(prev_hash: str, event: AuditEvent) -> str:
    """SHA-256 over the previous row's hash followed by this row's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode()).hexdigest()


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
    """Append one audit row in the session's transaction (the caller commits)."""
    for name, value in (("action", action), ("object_type", object_type), ("outcome", outcome)):
        if not _IDENTIFIER.match(value):
            raise ValueError(f"audit {name} must be a short code identifier, got {value!r}")
    _lock_chain(session)
    prev_hash = head_hash(session)
    request_id, ip = _request_origin()
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
        prev_hash=prev_hash,
    )
    event.row_hash = row_hash(prev_hash, event)
    session.add(event)
    session.flush()
    return event


def record_many(session: Session, *, user, action: str, object_type: str, objects) -> None:
    """Append one row per (object_id, patient_id) in `objects`, chained in order, with one
    read of the head and one flush (a remittance posting a thousand claims)."""
    if not (_IDENTIFIER.match(action) and _IDENTIFIER.match(object_type)):
        raise ValueError(f"audit action/object_type must be code identifiers: {action!r}")
    _lock_chain(session)
    prev_hash = head_hash(session)
    request_id, ip = _request_origin()
    for object_id, patient_id in objects:
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
            outcome="ok",
            prev_hash=prev_hash,
        )
        event.row_hash = prev_hash = row_hash(prev_hash, event)
        session.add(event)
    session.flush()


def head_hash(session: Session) -> str:
    """The newest row's hash (the genesis hash for an empty trail)."""
    newest = select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    return session.scalar(newest) or GENESIS_HASH


def _lock_chain(session: Session) -> None:
    # SQLite needs nothing more: every transaction began with BEGIN IMMEDIATE (DB-2).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})


def _request_origin() -> tuple[str | None, str | None]:
    """The current request's id and client address, when there is a request."""
    import sys

    if "flask" not in sys.modules:
        return None, None
    from flask import g, has_request_context, request

    if not has_request_context():
        return None, None
    return g.get("request_id"), request.remote_addr


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain: how many rows, the head, and the first broken row."""

    rows: int
    head: str
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(session: Session, batch: int = 1000) -> Verification:
    """Walk the chain in id order; name the first row whose link or hash does not match."""
    expected_prev, count = GENESIS_HASH, 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    ).scalars()
    for event in rows:
        count += 1
        if event.prev_hash != expected_prev:
            return Verification(count, expected_prev, event.id, "prev_hash does not link")
        if event.row_hash != row_hash(event.prev_hash, event):
            return Verification(count, expected_prev, event.id, "row_hash does not match")
        expected_prev = event.row_hash
    return Verification(count, expected_prev)
