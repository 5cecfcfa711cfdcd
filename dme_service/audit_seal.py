"""Sealing the audit trail: chain the keyed rows in id order, one batch at a time (LOG-2).

Rows are appended without a lock (dme_service.audit), so the order is fixed afterwards: a seal
covers every row after the previous seal up to `last_event_id`, with their count and the
SHA-256 of their ids and row hashes, chained to the previous seal's MAC and keyed with HMAC
under the current integrity key. A row deleted, inserted or re-hashed inside a sealed range no
longer matches its seal, and nobody without the key can write a new seal.

Rows younger than `grace_seconds` are left for the next seal: on PostgreSQL a transaction can
commit a row whose id is lower than one already visible, and it must not land inside a range
sealed without it. The grace outlasts the longest request (gunicorn's 30 s timeout).

Who seals: a thread in every gunicorn worker every DME_AUDIT_SEAL_SECONDS (gunicorn.conf.py),
and `dme-service audit seal` (cron, or before a verify). Only one sealer works at a time
(PostgreSQL: a transaction-scoped try-lock; SQLite: BEGIN IMMEDIATE); the others skip.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dme_service import integrity_keys
from dme_service.models import AuditEvent, AuditSeal, utcnow

GENESIS_MAC = "0" * 64
SEAL_PURPOSE = "audit.seal"
SEAL_LOCK_ID = 0x7365616C  # "seal": only sealers take it, never a request
GRACE_SECONDS = 120
BATCH_ROWS = 5000
log = logging.getLogger(__name__)


def events_digest(pairs) -> str:
    """SHA-256 over "id:row_hash" lines of the sealed rows, in id order."""
    digest = hashlib.sha256()
    for event_id, row_hash in pairs:
        digest.update(f"{event_id}:{row_hash}\n".encode())
    return digest.hexdigest()


def seal_message(seal: AuditSeal) -> str:
    """What a seal's HMAC covers (canonical JSON of every field but its id and MAC)."""
    values = {
        "last_event_id": seal.last_event_id,
        "row_count": seal.row_count,
        "events_sha256": seal.events_sha256,
        "sealed_at": seal.sealed_at.isoformat(timespec="microseconds"),
        "prev_mac": seal.prev_mac,
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def seal_mac_matches(seal: AuditSeal) -> bool:
    return integrity_keys.check(SEAL_PURPOSE, seal_message(seal), seal.key_id, seal.seal_mac)


def newest_seal(session: Session) -> AuditSeal | None:
    return session.scalar(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1))


def seal(
    session: Session, *, grace_seconds: float = GRACE_SECONDS, batch: int = BATCH_ROWS
) -> AuditSeal | None:
    """Seal the oldest unsealed rows (at most `batch`) in the session's transaction.

    Returns the new seal, or None when another sealer is at work or nothing is old enough.
    The caller commits.
    """
    if not _take_seal_lock(session):
        return None
    previous = newest_seal(session)
    after = previous.last_event_id if previous is not None else 0
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.row_hash, AuditEvent.ts_utc)
        .where(AuditEvent.id > after)
        .order_by(AuditEvent.id)
        .limit(batch)
    ).all()
    sealed = []
    for event_id, row_hash, ts_utc in rows:
        if ts_utc > cutoff:  # a younger row: it and everything after wait for the next seal
            break
        sealed.append((event_id, row_hash))
    if not sealed:
        return None
    new = AuditSeal(
        last_event_id=sealed[-1][0],
        row_count=len(sealed),
        events_sha256=events_digest(sealed),
        sealed_at=utcnow(),
        prev_mac=previous.seal_mac if previous is not None else GENESIS_MAC,
    )
    new.key_id, new.seal_mac = integrity_keys.sign(SEAL_PURPOSE, seal_message(new))
    session.add(new)
    session.flush()
    # The head goes to the operations log too, outside the database, so a deleted tail of
    # seals shows against it (LOG-2: the head hash goes to the ops log).
    log.info(
        "audit sealed",
        extra={"seal_id": new.id, "last_event_id": new.last_event_id, "seal_mac": new.seal_mac},
    )
    return new


def seal_all(session: Session, *, grace_seconds: float = GRACE_SECONDS) -> int:
    """Seal batch after batch until nothing old enough is left; commits each; returns rows."""
    total = 0
    while True:
        new = seal(session, grace_seconds=grace_seconds)
        session.commit()
        if new is None:
            return total
        total += new.row_count


def _take_seal_lock(session: Session) -> bool:
    # SQLite: the transaction began with BEGIN IMMEDIATE, so this sealer is alone (DB-2).
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SEAL_LOCK_ID})
    return bool(taken.scalar())


def start_sealer(engine, every_seconds: float) -> threading.Event:
    """A daemon thread sealing every `every_seconds`; set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every_seconds):
            try:
                with Session(engine) as session:
                    seal_all(session)
            except Exception:  # a failed seal is retried next round; requests never wait on it
                log.exception("audit sealing failed; retrying in %s s", every_seconds)

    threading.Thread(target=run, name="audit-sealer", daemon=True).start()
    return stop
