"""Verifying the audit trail: every row's hash or HMAC, and every seal over the rows (LOG-2).

One pass in id order over rows and seals together:
- rows written before the keys existed (key_id NULL) must link into their unkeyed SHA-256
  chain, and come before every keyed row;
- a keyed row's HMAC must check out under its own key id (an edited row, or one forged or
  re-hashed without the key, does not);
- each seal's HMAC must check out, it must link to the previous seal, and the rows in its range
  (after the previous seal, up to its `last_event_id`) must be exactly the count and digest it
  sealed (a deleted, inserted or reordered row does not match).
Rows after the newest seal are reported as the unsealed tail: they are checked one by one, but
deleting one of them shows only once it would have been sealed (docs/performance.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.audit import GENESIS_HASH, row_hash, row_mac_matches
from dme_service.audit_seal import GENESIS_MAC, seal_mac_matches
from dme_service.models import AuditEvent, AuditSeal


@dataclass(frozen=True)
class Verification:
    """The result: rows and seals checked, the head, and the first broken row (if any)."""

    rows: int
    head: str
    broken_id: int | None = None
    problem: str | None = None
    seals: int = 0
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_id is None


class _Broken(Exception):
    def __init__(self, event_id: int, problem: str) -> None:
        super().__init__(problem)
        self.event_id = event_id
        self.problem = problem


class _SealWalk:
    """The seals in id order, matched against the rows as they stream past."""

    def __init__(self, seals) -> None:
        self._seals = iter(seals)
        self.current = next(self._seals, None)
        self.prev_mac = GENESIS_MAC
        self.count = 0
        self.sealed_rows = 0
        self._digest = hashlib.sha256()
        self._rows = 0

    def add(self, event: AuditEvent) -> None:
        """One row: close the seals it lies beyond, then count it into the open one."""
        while self.current is not None and event.id > self.current.last_event_id:
            self.close()
        if self.current is not None:
            self._digest.update(f"{event.id}:{event.row_hash}\n".encode())
            self._rows += 1

    def close(self) -> None:
        seal = self.current
        if not seal_mac_matches(seal):
            raise _Broken(seal.last_event_id, f"audit_seals.id={seal.id} was altered or forged")
        if seal.prev_mac != self.prev_mac:
            raise _Broken(
                seal.last_event_id,
                f"audit_seals.id={seal.id} does not link to the seal before it (one removed?)",
            )
        if (self._rows, self._digest.hexdigest()) != (seal.row_count, seal.events_sha256):
            raise _Broken(
                seal.last_event_id,
                f"the rows sealed by audit_seals.id={seal.id} changed: {self._rows} rows now, "
                f"{seal.row_count} sealed (a row was deleted, inserted or re-hashed)",
            )
        self.prev_mac = seal.seal_mac
        self.count += 1
        self.sealed_rows += self._rows
        self._digest, self._rows = hashlib.sha256(), 0
        self.current = next(self._seals, None)

    def finish(self) -> None:
        while self.current is not None:
            self.close()


def verify(session: Session, batch: int = 1000) -> Verification:
    """Walk rows and seals in id order; name the first row (or sealed range) that fails."""
    seals = session.scalars(select(AuditSeal).order_by(AuditSeal.id)).all()
    walk = _SealWalk(seals)
    legacy_prev, keyed_seen, count = GENESIS_HASH, False, 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    ).scalars()
    try:
        for event in rows:
            count += 1
            if event.key_id is None:
                if keyed_seen:
                    raise _Broken(event.id, "an unkeyed row after keyed rows (inserted)")
                if event.prev_hash != legacy_prev:
                    raise _Broken(event.id, "prev_hash does not link")
                if event.row_hash != row_hash(event.prev_hash, event):
                    raise _Broken(event.id, "row_hash does not match")
                legacy_prev = event.row_hash
            else:
                keyed_seen = True
                if not row_mac_matches(event):
                    raise _Broken(
                        event.id, "row HMAC does not match (edited, or written without the key)"
                    )
            walk.add(event)
        walk.finish()
    except _Broken as broken:
        return Verification(count, walk.prev_mac, broken.event_id, broken.problem, walk.count)
    head = walk.prev_mac if walk.count else legacy_prev
    return Verification(count, head, None, None, walk.count, count - walk.sealed_rows)
