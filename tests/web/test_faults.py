"""Faults survived, nothing lost (issue 19; security.md DB-1, LOG-4): the PDF renderer dies
mid-request, the database fails at commit, the disk fills (SQLite), a stale edit, a double
submit, and a worker killed mid-request (SIGKILL). After each: no half-written rows or
documents, the user is told what happened, and what they typed is still on the page."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dme_service.db import get_engine, get_session
from dme_service.models import AuditEvent, Case, Document, Trial
from web.pages.cases.test_views import (
    TRIAL_ROW,
    case_count,
    create,
    post_section,
    version_of,
)
from web.pages.cases.test_views import clinician as clinician  # noqa: F401 (fixture)
from web.pages.cases.test_views import signer as signer  # noqa: F401 (fixture)

TYPED = ("2026-10-02", 'value="12"', 'value="7"', 'value="3"')


def counts(app) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Case, Trial, Document)
        }


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_renderer_dying_mid_render_stores_nothing_and_says_so(app, request, monkeypatch):
    from dme_service.documents import bounded

    client, _ = request.getfixturevalue("clinician")
    signer_user = request.getfixturevalue("signer")
    from web.pages.cases.test_views import standard_case

    case_id = standard_case(client, signer_user)

    def dies_mid_render(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # the render child, not this test

    monkeypatch.setattr(bounded, "render", dies_mid_render)
    before = counts(app)
    response = client.post(f"/cases/{case_id}/documents", data={"kind": "lmn", "lang": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Printing failed on our side; nothing was saved." in page
    assert counts(app) == before
    assert "document.create" not in audit_actions(app)


def test_a_commit_that_fails_keeps_every_entry_and_writes_nothing(app, request):
    client, _ = request.getfixturevalue("clinician")
    case_id = create(client)
    version, before, actions = version_of(client, case_id), counts(app), audit_actions(app)

    flushed_trial = []

    def note_trial(session, _context):
        flushed_trial.extend(o for o in session.new if isinstance(o, Trial))

    def fail_commit(_session):
        # Only the save's own commit fails (the trial row is already flushed to the
        # database): the sign-in session's commits before it go through.
        if flushed_trial:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(Session, "after_flush", note_trial)
    event.listen(Session, "before_commit", fail_commit)
    try:
        response = post_section(client, case_id, "trials", TRIAL_ROW, version=version)
    finally:
        event.remove(Session, "before_commit", fail_commit)
        event.remove(Session, "after_flush", note_trial)
    assert flushed_trial, "the save never reached its commit"
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert re.search(r"quote E-[0-9A-Z]{6}", page) and "COMMIT" not in page
    assert all(value in page for value in TYPED)
    assert (counts(app), audit_actions(app)) == (before, actions)
    assert version_of(client, case_id) == version


def fill_the_disk(engine) -> None:
    """SQLite sees a full disk: no connection may grow the file by a single page."""

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    # Use up the slack left in the audit table's pages with the smallest rows it takes: the
    # save's own audit row is larger, so it needs a page the disk no longer has.
    with engine.connect() as connection:
        for number in itertools.count():
            try:
                connection.execute(
                    text(
                        "INSERT INTO audit_events (ts_utc, action, object_type, outcome, "
                        "prev_hash, row_hash) VALUES ('2026-01-01 00:00:00', 'x', 'x', 'x', '', "
                        ":hash)"
                    ),
                    {"hash": f"{number:064x}"},
                )
                connection.commit()
            except OperationalError as full:
                assert "full" in str(full)
                connection.rollback()
                return


def test_a_full_disk_on_sqlite_keeps_every_entry_and_writes_nothing(app, request):
    if get_engine(app).dialect.name != "sqlite":
        pytest.skip("the disk-full fault is SQLite's (PostgreSQL runs on its own server)")
    client, _ = request.getfixturevalue("clinician")
    case_id = create(client)
    version = version_of(client, case_id)
    request.getfixturevalue("db_session").rollback()  # the fixtures' open read ends here
    fill_the_disk(get_engine(app))
    before, actions = counts(app), audit_actions(app)
    response = post_section(client, case_id, "trials", TRIAL_ROW, version=version)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "not saved" in page.lower() and re.search(r"quote E-[0-9A-Z]{6}", page)
    assert all(value in page for value in TYPED)
    assert (counts(app), audit_actions(app)) == (before, actions)


def test_a_stale_edit_is_refused_with_both_versions_and_the_typed_entries(app, request):
    client, _ = request.getfixturevalue("clinician")
    case_id = create(client)
    old = version_of(client, case_id)
    assert post_section(client, case_id, "trials", TRIAL_ROW, version=old).status_code == 303
    before = counts(app)
    mine = {**TRIAL_ROW, "trials-rows-0-pain_after": "5"}
    response = post_section(client, case_id, "trials", mine, version=old)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Your entries were not saved" in page
    assert 'value="5"' in page and counts(app) == before


def test_a_double_submitted_save_and_new_case_store_once(app, request):
    client, _ = request.getfixturevalue("clinician")
    first = create(client)
    assert create(client) == first and case_count(app) == 1  # same idempotency key
    version = version_of(client, first)
    assert post_section(client, first, "trials", TRIAL_ROW, version=version).status_code == 303
    again = post_section(client, first, "trials", TRIAL_ROW, version=version)
    # The second click carries the same entries and version: refused as stale, or a save
    # that changes nothing; never a second trial row.
    assert again.status_code in (303, 409)
    assert counts(app)["trials"] == 1


# --- a worker killed mid-request ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _cli(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dme_service", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _kill_once_rendering(worker: int) -> None:
    """SIGKILL the worker as soon as it has forked its render child (mid-request for sure),
    or after 2 s of the request in flight if no child shows."""
    deadline = time.monotonic() + 2
    try:
        while not _workers_of(worker) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(worker, signal.SIGKILL)
    except (FileNotFoundError, ProcessLookupError):
        return  # the worker is already gone


def _workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@pytest.mark.slow
def test_a_worker_killed_mid_render_leaves_no_half_written_document(tmp_path):
    """SIGKILL the only worker while it prints a letter: the master replaces it, the
    database holds either no new document or a whole one with its audit row, and the
    trail still verifies."""
    import requests
    from commands.test_serve import free_port, get_status

    from bench.load.forms import form_for

    env = {k: v for k, v in os.environ.items() if not k.startswith("DME_")}
    env.update(
        DME_DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        DME_INSTANCE_PATH=str(tmp_path / "instance"),
        DME_AUDIT_SEAL_SECONDS="0",
        DME_LOG_LEVEL="WARNING",
    )
    _cli(env, "db", "upgrade")
    logins = _cli(env, "demo")
    password = re.search(r"pt@demo\.clinic\s+(\S+)", logins).group(1)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    master = subprocess.Popen(
        [gunicorn, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert get_status(base + "/login", timeout=120) == 200
        browser = requests.Session()
        login = form_for(browser.get(base + "/login").text, r"/login$")
        browser.post(base + "/login", data=login.data(email="pt@demo.clinic", password=password))
        # case 3 (Aetna, eligible, not signed): the demo's signed case 1 keeps its signed LMN,
        # which is not rendered again while the signature stands (pen test I1)
        page = browser.get(base + "/cases/3/documents").text
        render = form_for(page, r"/cases/3/documents$")
        (worker,) = _workers_of(master.pid)
        killer = threading.Thread(target=_kill_once_rendering, args=(worker,))
        killer.start()
        # Killed mid-request, the client sees the connection drop.
        with contextlib.suppress(requests.ConnectionError):
            browser.post(base + render.action, data=render.data(kind="lmn"), timeout=90)
        killer.join()
        deadline = time.monotonic() + 60
        while _workers_of(master.pid) in ([], [worker]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert browser.get(base + "/cases/3/documents").status_code == 200  # served again
    finally:
        master.terminate()
        master.wait(timeout=30)
    from sqlalchemy import create_engine

    engine = create_engine(env["DME_DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        documents = connection.execute(text("SELECT id, sha256 FROM documents")).all()
        created = connection.execute(
            text("SELECT object_id FROM audit_events WHERE action = 'document.create'")
        ).all()
    engine.dispose()
    assert sorted(str(row.id) for row in documents) == sorted(row[0] for row in created)
    assert "audit trail OK" in _cli(env, "audit", "verify")
