"""`dme-service audit verify|seal|rotate-key`: check, seal and re-key the audit trail.

`verify` checks every row's HMAC (or, for rows older than the keys, the unkeyed chain) and
every seal over the rows; exit 1 naming the first broken row. The printed head (the newest
seal's MAC) is what operations copy to their own log (docs/security.md LOG-2); `--expect-head`
checks a copied head is still in the trail, so a deleted tail of rows and seals shows.
`seal` seals every row old enough (the workers also do it every DME_AUDIT_SEAL_SECONDS).
`rotate-key` adds a new current key to the instance key file (dme_service/integrity_keys.py).
"""

from __future__ import annotations

import argparse
import re
import sys

_HEAD = re.compile(r"^[0-9]+:[0-9a-f]{64}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check every row and seal; exit 1 if one is broken")
    verify.add_argument(
        "--expect-head",
        metavar="SEAL_ID:MAC",
        help="a head printed earlier (copied to the ops log): it must still be in the trail",
    )
    seal = actions.add_parser("seal", help="seal every row older than the grace period")
    seal.add_argument(
        "--grace-seconds",
        type=float,
        default=None,
        help="leave rows younger than this for later (default 120)",
    )
    actions.add_parser("rotate-key", help="add a new current key to the instance key file")


def run(args: argparse.Namespace) -> int:
    if args.action == "rotate-key":
        return _rotate()
    if args.action == "verify" and args.expect_head and not _HEAD.match(args.expect_head):
        print("--expect-head: give SEAL_ID:MAC as printed by audit verify", file=sys.stderr)
        return 2
    from sqlalchemy.orm import Session

    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    try:
        with Session(engine) as session:
            if args.action == "seal":
                return _seal(session, args.grace_seconds)
            return _verify(session, args.expect_head)
    finally:
        engine.dispose()


def _verify(session, expect_head: str | None) -> int:
    from dme_service.audit_seal import newest_seal
    from dme_service.audit_verify import verify
    from dme_service.models import AuditSeal

    result = verify(session)
    if not result.ok:
        print(
            f"audit trail BROKEN at audit_events.id={result.broken_id}: {result.problem}",
            file=sys.stderr,
        )
        return 1
    if expect_head:
        seal_id, mac = expect_head.split(":")
        found = session.get(AuditSeal, int(seal_id))
        if found is None or found.seal_mac != mac:
            print(
                f"audit trail BROKEN: the expected head {expect_head} is not in the trail "
                "(rows and seals after it were removed, or the trail was replaced)",
                file=sys.stderr,
            )
            return 1
    newest = newest_seal(session)
    head = f"{newest.id}:{newest.seal_mac}" if newest is not None else result.head
    print(
        f"audit trail OK: {result.rows} rows, {result.seals} seals, "
        f"{result.unsealed} not sealed yet, head {head}"
    )
    return 0


def _seal(session, grace_seconds: float | None) -> int:
    from dme_service.audit_seal import GRACE_SECONDS, seal_all

    grace = GRACE_SECONDS if grace_seconds is None else grace_seconds
    rows = seal_all(session, grace_seconds=grace)
    print(f"audit sealed: {rows} rows")
    return 0


def _rotate() -> int:
    from dme_service import integrity_keys

    try:
        key_id = integrity_keys.rotate()
    except integrity_keys.KeyringError as error:
        print(f"rotate-key: {error}", file=sys.stderr)
        return 2
    print(f"new current key {key_id} in {integrity_keys.key_file()}; keep the older keys")
    return 0
