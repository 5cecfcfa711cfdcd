"""Shared fixtures: the app (flaskr style), a fresh database per test, clinics and users.

SQLite in tmp_path by default. With DME_TEST_DATABASE_URL set (the Makefile's throwaway
PostgreSQL, .ci/with-postgres.sh) every test gets a schema of its own on that server, so the
same tests prove both engines.

Every test starts from a database no other test has touched, but the tables are built once per
worker, not once per test: a SQLite test gets a copy of a file that holds the empty tables, and a
PostgreSQL test gets the worker's tables schema with every row deleted and every id sequence
restarted (tests/database_reset.py), rebuilt whenever a test changed the schema itself. Tests
that need a database without tables (migrations, `db upgrade`) still get an empty one.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import quote

import compiled_once
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from stdnum import luhn

from dme_service import create_app
from dme_service.db import get_engine, get_session
from dme_service.models import Base, Clinic, User
from dme_service.services.accounts import passwords

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
DEFAULT_TEST_PASSWORD = "correct horse battery staple"
_email_numbers = itertools.count(1)
_password_hashes: dict[str, str] = {}


def hashed(password: str) -> str:
    """argon2id is slow by design; tests hash each distinct password once per session (and cost)."""
    key = f"{passwords.HASHER.time_cost}:{passwords.HASHER.memory_cost}:{password}"
    if key not in _password_hashes:
        _password_hashes[key] = passwords.hash_password(password)
    return _password_hashes[key]


# The same argon2id, at the lowest cost argon2 allows. The production cost (docs/security.md
# AUTH-4: m=64 MiB, t=3, p=4) is about 0.2 s of CPU per sign-in by design, which made password
# checks the largest single cost of the suite; the tests of that cost and of upgrading weaker
# hashes are marked `password_cost` and run with it.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16)


@pytest.fixture(autouse=True)
def _cheap_password_cost(request, monkeypatch):
    """Passwords hash and verify at argon2's lowest cost, unless the test is `password_cost`."""
    if request.node.get_closest_marker("password_cost") is None:
        monkeypatch.setattr(passwords, "HASHER", _CHEAP_HASHER)


def npi_with_check_digit(first_nine: str) -> str:
    """A ten-digit NPI whose check digit is valid (Luhn over the prefix 80840)."""
    return first_nine + luhn.calc_check_digit("80840" + first_nine)


def _postgres_schema_url(base_url: str, schema: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    """No developer or CI setting leaks into a test; the instance folder is per test."""
    for name in list(os.environ):
        if name.startswith("DME_") and not name.startswith("DME_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DME_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(scope="session")
def _tables(tmp_path_factory):
    """This worker's database with every table and no rows, built once (tests/database_reset.py)."""
    import database_reset

    server = os.environ.get("DME_TEST_DATABASE_URL")
    if not server:
        yield database_reset.SqliteTables(tmp_path_factory.mktemp("tables") / "tables.sqlite3")
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    tables = database_reset.PostgresTables(server, f"dme_tables_{worker}")
    yield tables
    tables.dispose()


@pytest.fixture
def database_url(request, tmp_path, _tables):
    """A database of this test's own: with every table (empty) when the test uses `app`, else
    without any table (migration and `db upgrade` tests build the schema themselves)."""
    with_tables = "app" in request.fixturenames
    request.node.stash[_HAS_TABLES] = with_tables
    server = os.environ.get("DME_TEST_DATABASE_URL")
    if not server:
        path = tmp_path / "test.sqlite3"
        if with_tables:
            _tables.copy_to(path)
        yield "sqlite:///" + str(path)
        return
    if with_tables:
        yield _postgres_schema_url(server, _tables.fresh())
        return
    schema = f"dme_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with _tables.admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _postgres_schema_url(server, schema)


_HAS_TABLES = pytest.StashKey[bool]()


@pytest.fixture(scope="session", autouse=True)
def _compiled_once():
    """Each app's URL builders are compiled once per worker (tests/compiled_once.py)."""
    compiled_once.url_builders()


@pytest.fixture
def empty_app(database_url):
    """The app on an empty database (no tables): for migration and `db upgrade` tests."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "WTF_CSRF_ENABLED": False,
        }
    )
    compiled_once.templates(app)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def app(empty_app, request):
    """The app with every table created from the models."""
    if not request.node.stash.get(_HAS_TABLES, False):
        # Asked for by name at run time (request.getfixturevalue): database_url could not know.
        Base.metadata.create_all(get_engine(empty_app))
    if os.environ.get("DME_TEST_REQUEST_TIMES"):
        _time_requests(empty_app, os.environ["DME_TEST_REQUEST_TIMES"])
    return empty_app


def _time_requests(app, path: str) -> None:
    """DME_TEST_REQUEST_TIMES=FILE: append one JSON line per request (fuzz runs are measured this
    way; tests never assert times): wall seconds, the request thread's CPU seconds, the CPU
    seconds of child processes it waited for (bounded renders), status, method, the URL rule
    and the path. CPU time does not grow with the machine's load, so it shows what a request
    costs when the wall clock also counts other work sharing the cores (`make fuzz-times`)."""
    import json
    import resource
    import time

    from dme_service.documents.render import warm_up

    # gunicorn's workers are forks of a master that warmed the PDF renderer up (gunicorn.conf.py,
    # wsgi.py); warmed here too, the first render of a test is measured as a worker would run it.
    warm_up()
    inner = app.wsgi_app

    def children_cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    def timed(environ, start_response):
        status = []

        def remember(code, headers, *args):
            status.append(code.split()[0])
            return start_response(code, headers, *args)

        started, cpu, child = time.perf_counter(), time.thread_time(), children_cpu()
        body = list(inner(environ, remember))
        line = {
            "wall": round(time.perf_counter() - started, 4),
            "cpu": round(time.thread_time() - cpu, 4),
            "child_cpu": round(children_cpu() - child, 4),
            "status": status[0] if status else "-",
            "method": environ["REQUEST_METHOD"],
            "rule": _rule_of(app, environ),
            "path": environ.get("PATH_INFO", ""),
        }
        with open(path, "a") as out:
            out.write(json.dumps(line) + "\n")
        return body

    app.wsgi_app = timed


def _rule_of(app, environ) -> str:
    """The URL rule a request matched (`/cases/<int:case_id>`), so times group per endpoint."""
    try:
        rule, _ = app.url_map.bind_to_environ(environ).match(return_rule=True)
    except Exception:  # noqa: BLE001 - a path no rule matches (404) or a method none takes (405)
        return "(no route)"
    return rule.rule


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """The app's Session inside an app context (what services and views get)."""
    with app.app_context():
        yield get_session()


@pytest.fixture
def clinic(db_session):
    """A clinic, committed."""
    found = Clinic(name="Test Spine Clinic", phone="555-0100", address="1 Main St")
    db_session.add(found)
    db_session.commit()
    return found


@pytest.fixture
def make_user(db_session, clinic):
    """Factory: make_user(role="clinician", credential="PT", ...) -> committed User.

    The plain password is kept on the returned object as `.password` for login tests.
    """

    def _make_user(
        role: str = "clinician",
        *,
        credential: str | None = None,
        email: str | None = None,
        password: str = DEFAULT_TEST_PASSWORD,
        npi: str | None = None,
        name: str | None = None,
        active: bool = True,
        clinic_id: int | None = None,
    ) -> User:
        number = next(_email_numbers)
        if npi is None and credential in ("MD", "DO", "DPM", "PA", "NP", "CNS"):
            npi = npi_with_check_digit(f"{123450000 + number:09d}")
        user = User(
            clinic_id=clinic_id or clinic.id,
            email=email or f"{role}{number}@test.clinic",
            name=name or f"Test {role.title()} {number}",
            role=role,
            credential=credential,
            npi=npi,
            password_hash=hashed(password),
            active=active,
        )
        db_session.add(user)
        db_session.commit()
        user.password = password
        return user

    return _make_user


@pytest.fixture
def billed(db_session, make_user, monkeypatch):
    """Clinician, practitioner, billing and admin of a clinic whose claims can be exported (its
    NPI, EIN, address, submitter id and fee table set: tests/services/billing/ready_claims.py)."""
    from services.billing.ready_claims import billing_people

    return billing_people(make_user, monkeypatch, db_session)


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run, keep only the tests that open a database.

    The pure layers (case contract, rules, documents, claim files) give the same answers on any
    engine and already ran on SQLite; repeating them against PostgreSQL proves nothing and would
    push `make test` past its 15-minute budget. A test opens a database exactly when it asks
    for `database_url`, directly or through `app`, `client`, `db_session` and the rest.

    Browser tests live in tests/browser alone: `make test` collects only that folder for its
    browser run, so one marked elsewhere would never run there.
    """
    misplaced = [
        item.nodeid
        for item in items
        if item.get_closest_marker("browser") and not item.nodeid.startswith("tests/browser/")
    ]
    if misplaced:
        raise pytest.UsageError(f"browser tests belong in tests/browser/: {', '.join(misplaced)}")
    if not os.environ.get("DME_TEST_DATABASE_URL"):
        return
    kept, skipped = [], []
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        (kept if uses_database else skipped).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd): `.url` for DME_SMTP_URL, `.messages` as
    email.message.EmailMessage in arrival order."""
    import socket
    from email import message_from_bytes, policy

    controller_module = pytest.importorskip("aiosmtpd.controller")

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{port}"
    try:
        yield handler
    finally:
        controller.stop()
