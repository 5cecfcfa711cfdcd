"""`python -m bench.load [--engine sqlite|postgresql] [--nodes N] [--users U] [--seconds S]`.

1. A fresh database (SQLite in a temporary folder; PostgreSQL from DME_DATABASE_URL, which
   .ci/with-postgres.sh sets to a throwaway server), migrated, seeded with the demo clinic
   and 30 cases.
2. N app nodes: gunicorn with gunicorn.conf.py (2 workers each, preloaded) on loopback ports.
3. locust, headless and time-bounded, U users spread over the nodes (bench/load/locustfile.py).
4. Reconciliation: every acknowledged write has exactly one audit row with its request id and
   action (the audit row is written in the write's own transaction, security.md DB-1), the
   objects it names exist, the audit trail seals and verifies, and no request got a 5xx.
5. p50/p95/max per step into docs/performance.md (the section of this engine is replaced).
Exit 1 when the reconciliation fails. Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "performance.md"
HOST = "127.0.0.1"  # loopback only (security.md LOAD-1)
EXTRA_CASE_ROUNDS = 4  # the demo's 6 cases, plus 4 more copies of each


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="dme-load-") as folder:
        work = Path(folder)
        env = _environment(args.engine, work)
        os.environ.update(env)
        people = _seed(env)
        (work / "people.json").write_text(json.dumps(people))
        nodes = [_start_node(env, work, index, args.workers) for index in range(args.nodes)]
        args.load_before = os.getloadavg()[0]
        try:
            _run_locust(args, env, work, [url for url, _ in nodes])
        finally:
            for _, process in nodes:
                process.terminate()
            for _, process in nodes:
                process.wait(timeout=60)
        stats = _stats(work / "stats_stats.csv")
        outcome = _reconcile(json.loads((work / "acks.json").read_text()))
    _report(args, stats, outcome)
    print(json.dumps(outcome, indent=1))
    return 0 if outcome["ok"] else 1


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-report", action="store_true", help="leave docs/ alone (smoke)")
    return parser.parse_args(argv)


def _environment(engine: str, work: Path) -> dict[str, str]:
    env = {
        "DME_INSTANCE_PATH": str(work / "instance"),
        "DME_LOG_LEVEL": "WARNING",
        "DME_AUDIT_SEAL_SECONDS": "10",
    }
    if engine == "sqlite":
        env["DME_DATABASE_URL"] = f"sqlite:///{work / 'load.sqlite3'}"
    else:
        url = os.environ.get("DME_DATABASE_URL", "")
        if not url.startswith("postgresql") or "@127.0.0.1:" not in url:
            raise SystemExit("--engine postgresql: run under .ci/with-postgres.sh (loopback)")
        env["DME_DATABASE_URL"] = url
    return env


def _seed(env: dict[str, str]) -> dict:
    """Migrate, seed the demo clinic plus copies of its cases; the logins by role."""
    from sqlalchemy.orm import Session

    from dme_service.commands.db import upgrade
    from dme_service.commands.demo import DEMO_USERS, demo_documents, seed, store_case
    from dme_service.db import make_engine
    from dme_service.models import Clinic, User

    engine = make_engine(env["DME_DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as session:
        passwords = seed(session)
        session.flush()
        clinic = session.query(Clinic).one()
        users = {user.role: user for user in session.query(User)}
        for _ in range(EXTRA_CASE_ROUNDS):
            for _name, document in demo_documents():
                store_case(session, clinic, users, document)
        session.commit()
    engine.dispose()
    return {
        spec.role: {"email": spec.email, "password": passwords[spec.email]} for spec in DEMO_USERS
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_node(env, work: Path, index: int, workers: int):
    port = _free_port()
    log = open(work / f"node{index}.log", "w")  # noqa: SIM115 (closed with the folder)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--config", "gunicorn.conf.py", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/login", timeout=5) as answer:
                if answer.status == 200:
                    return url, process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"node {index} did not start; see its log") from None
            time.sleep(0.5)


def _run_locust(args, env, work: Path, urls: list[str]) -> None:
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py")]
    command += ["--headless", "-u", str(args.users), "-r", str(max(1, args.users // 5))]
    command += ["-t", f"{args.seconds}s", "--host", urls[0], "--csv", str(work / "stats")]
    command += ["--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"]
    locust_env = {
        **os.environ,
        **env,
        "LOAD_NODES": ",".join(urls),
        "LOAD_PEOPLE": str(work / "people.json"),
        "LOAD_ACKS": str(work / "acks.json"),
        "PYTHONPATH": str(ROOT),
    }
    # locust exits 1 when any request failed; the reconciliation below says which.
    subprocess.run(command, cwd=ROOT, env=locust_env, check=False)


def _stats(path: Path) -> list[dict]:
    with path.open() as handle:
        return [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]


def _reconcile(record: dict) -> dict:
    """Every acknowledged write exactly once in the trail; the trail verifies; no 5xx."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from dme_service import audit_seal, audit_verify
    from dme_service.db import make_engine
    from dme_service.models import AuditEvent, Document, HomeLogEntry

    engine = make_engine(os.environ["DME_DATABASE_URL"])
    missing, doubled, lost_objects = [], [], []
    with Session(engine) as session:
        audit_seal.seal_all(session, grace_seconds=0)
        for ack in record["acks"]:
            rows = session.scalars(
                select(AuditEvent).where(
                    AuditEvent.request_id == ack["request_id"], AuditEvent.action == ack["action"]
                )
            ).all()
            if not rows:
                missing.append(ack)
            elif len(rows) > 1:
                doubled.append(ack)
            kind = {"document.render": Document, "home_log.create": HomeLogEntry}.get(ack["action"])
            if rows and kind and session.get(kind, int(rows[0].object_id)) is None:
                lost_objects.append(ack)
        trail = audit_verify.verify(session)
        rows = session.scalar(select(func.count(AuditEvent.id)))
    engine.dispose()
    by_step: dict[str, int] = {}
    for ack in record["acks"]:
        by_step[ack["step"]] = by_step.get(ack["step"], 0) + 1
    ok = not (missing or doubled or lost_objects or record["server_errors"]) and trail.ok
    return {
        "ok": ok,
        "acknowledged_writes": by_step,
        "missing": missing[:5],
        "missing_count": len(missing),
        "doubled_count": len(doubled),
        "objects_missing": len(lost_objects),
        "server_errors": len(record["server_errors"]),
        "audit_rows": rows,
        "audit_verifies": trail.ok,
        "audit_seals": trail.seals,
        "audit_problem": trail.problem,
    }


PAGES = (
    "home",
    "case list",
    "case page",
    "documents page",
    "billing queue",
    "claim page",
    "signing page",
    "patient log page",
    "diagnosis search",
)
SAVES = ("section save", "billing move", "sign", "patient log save", "patient link")
GOALS = (
    ("pages", PAGES, 300),
    ("saves", SAVES, 300),
    ("creating a document", ("create document",), 1000),
)


def _goal_lines(stats: list[dict]) -> list[str]:
    """Issue 19's goals, reported (not asserted): the worst p95 of each group of steps."""
    by_name = {row["Name"]: row for row in stats}
    lines = ["| goal | worst p95 | step | met |", "|---|---:|---|---|"]
    for label, steps, limit in GOALS:
        found = [(float(by_name[s]["95%"]), s) for s in steps if s in by_name]
        if not found:
            lines.append(f"| {label} p95 <= {limit} ms | - | not exercised | - |")
            continue
        worst, step = max(found)
        met = "yes" if worst <= limit else f"no, {worst / limit:.1f}x the goal"
        lines.append(f"| {label} p95 <= {limit} ms | {worst:.0f} ms | {step} | {met} |")
    return lines


def _report(args, stats: list[dict], outcome: dict) -> None:
    if args.no_report:
        return
    title = f"## {args.engine}, {args.nodes} node(s) x {args.workers} workers"
    lines = [
        title,
        "",
        f"{args.users} users for {args.seconds} s, measured "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on this 2-core machine (shared: "
        f"load average {args.load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after).",
        "",
        "| step | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in sorted(stats, key=lambda r: r["Name"]):
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['50%']} | {row['95%']} | "
            f"{float(row['Max Response Time']):.0f} |"
        )
    lines += ["", *_goal_lines(stats)]
    writes = ", ".join(f"{n} {step}" for step, n in sorted(outcome["acknowledged_writes"].items()))
    lines += [
        "",
        f"Reconciliation: {'passed' if outcome['ok'] else 'FAILED'}. Acknowledged writes: "
        f"{writes or 'none'}; missing {outcome['missing_count']}, doubled "
        f"{outcome['doubled_count']}, objects missing {outcome['objects_missing']}; "
        f"5xx {outcome['server_errors']}; audit trail {outcome['audit_rows']} rows in "
        f"{outcome['audit_seals']} seals, verifies: {outcome['audit_verifies']}.",
        "",
    ]
    _replace_section(title, "\n".join(lines))


def _replace_section(title: str, body: str) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Performance under load\n\n"
    start = text.find(title)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    REPORT.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
