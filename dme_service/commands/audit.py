"""`dme-service audit verify`: walk the audit trail's hash chain; exit 1 naming a broken row.

The printed head hash is what operations copy to their own log daily (security.md LOG-2), so
a deleted tail shows as a head that no longer matches.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("verify", help="check every row's link and hash; exit 1 if one is broken")


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from dme_service.audit import verify
    from dme_service.db import engine_from_environment

    engine = engine_from_environment()
    with Session(engine) as session:
        result = verify(session)
    engine.dispose()
    if not result.ok:
        print(
            f"audit chain BROKEN at audit_events.id={result.broken_id}: {result.problem} "
            f"({result.rows - 1} rows before it verify)",
            file=sys.stderr,
        )
        return 1
    print(f"audit chain OK: {result.rows} rows, head {result.head}")
    return 0
