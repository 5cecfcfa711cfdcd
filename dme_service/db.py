"""The database: one engine per app, one Session per request, SQLite and PostgreSQL done right.

SQLite (docs/security.md DB-2): the driver's own transaction handling is switched off and every
transaction starts with `BEGIN IMMEDIATE`, so two writers queue on `busy_timeout` instead of
losing updates or failing on a read lock that cannot upgrade. PostgreSQL (DB-3): READ COMMITTED,
optimistic `version` columns, and `run_with_retry` for serialization failures and deadlocks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

T = TypeVar("T")
log = logging.getLogger(__name__)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
)
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 5


class RetryExhausted(RuntimeError):
    """A transaction kept failing with a retryable error; the caller answers 503."""

    retryable = True


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for url; bound parameters never reach logs or error messages (LOG-3)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, echo=echo)
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(engine.url.database))
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, hide_parameters=True, echo=echo, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "handle_error", _strip_postgres_error_detail)
    return engine


def _create_private(path: Path) -> None:
    """Make a new database file readable and writable by the service's account alone (it holds
    PHI; the umask left it readable by everyone). SQLite opens an empty file as an empty
    database and gives its -wal and -shm files the same permissions. An existing file keeps
    the permissions its owner chose."""
    if str(path).startswith("file:"):
        return  # a URI filename: SQLite opens it itself
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _strip_postgres_error_detail(context) -> None:
    """Keep row values out of PostgreSQL error messages (LOG-3).

    hide_parameters hides bound values, but the server's own DETAIL line repeats them
    ("Failing row contains (...)", "Key (email)=(...) already exists") and data errors quote
    the bad input; both would reach logs and tracebacks. The full diagnostic stays on
    `error.diag` for a debugger.
    """
    original = context.original_exception
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is None:
        return
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None) or "database error"
    if sqlstate.startswith("22"):  # data exceptions quote the offending value
        primary = "a value was rejected by the database"
    safe = f"{primary} (SQLSTATE {sqlstate})"
    original.args = (safe,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None and wrapped.args:
        kind = f"{type(original).__module__}.{type(original).__name__}"
        wrapped.args = (f"({kind}) {safe}",) + tuple(wrapped.args[1:])


def _configure_sqlite(engine: Engine) -> None:
    """PRAGMAs on every connection and BEGIN IMMEDIATE on every transaction (DB-2)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Hand transaction control to SQLAlchemy: pysqlite would otherwise emit a deferred
        # BEGIN itself (and commit before DDL), which is what loses updates.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The database extension: state lives in app.extensions["dme_db"], one per app."""

    def init_app(self, app) -> None:
        """Create the engine from DATABASE_URL and remove the request's Session on teardown."""
        engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["dme_db"] = _AppDatabase(engine, scoped_session(factory))
        app.teardown_appcontext(_remove_session)


class _AppDatabase:
    """What one app holds: its engine and its scoped session."""

    def __init__(self, engine: Engine, session: scoped_session[Session]) -> None:
        self.engine = engine
        self.session = session


def _remove_session(exc: BaseException | None) -> None:
    """Teardown: roll back anything uncommitted and return the connection (DB-1)."""
    from flask import current_app

    database = current_app.extensions["dme_db"]
    try:
        if exc is not None:
            database.session.rollback()
    finally:
        database.session.remove()


def engine_from_environment() -> Engine:
    """The engine of a command-line tool: the app's database without building the web app.

    `dme-service db upgrade`, `demo`, `audit verify`, `backup` and `restore` only need the
    database; skipping the blueprints keeps them fast and working even if a view is broken.
    """
    import os

    from dme_service.config import database_url_from_env
    from dme_service.jsonlog import configure_logging

    configure_logging(os.environ.get("DME_LOG_LEVEL", "WARNING").upper())
    return make_engine(database_url_from_env())


def app_database(app=None) -> _AppDatabase:
    """The current (or given) app's database."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["dme_db"]


def get_session() -> Session:
    """The Session of the current request (or app context); services commit it once."""
    return app_database().session()


def get_engine(app=None) -> Engine:
    """The engine of the current (or given) app."""
    return app_database(app).engine


def is_retryable(error: BaseException) -> bool:
    """True for PostgreSQL serialization failures and deadlocks (SQLSTATE 40001/40P01)."""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return sqlstate in RETRY_SQLSTATES


def backoff_seconds(attempt: int, base: float = 0.05, cap: float = 1.0) -> float:
    """Full-jitter exponential backoff before retry number `attempt` (1-based)."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 (jitter, not a secret)


def printable(text: str) -> bool:
    """No control characters but line breaks and tabs (PostgreSQL refuses NUL in text)."""
    return all(ch in "\n\r\t" or ord(ch) >= 32 for ch in text)


@contextlib.contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back and re-raise: a service's transaction."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def run_with_retry(
    session: Session,
    work: Callable[[Session], T],
    *,
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run work(session) and commit; on 40001/40P01 roll back and run it again.

    Any other error rolls back everything `work` did and is raised. At most `attempts` runs;
    when every one fails, RetryExhausted is raised (never silently dropped: DB-3 measured a
    capped loop that swallowed its last failure losing 12 updates).
    """
    for attempt in range(1, attempts + 1):
        try:
            result = work(session)
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if not is_retryable(error):
                raise
            log.warning("retryable database conflict, attempt %d of %d", attempt, attempts)
            if attempt == attempts:
                raise RetryExhausted(
                    f"the database reported a conflict {attempts} times in a row"
                ) from error
            sleep(backoff_seconds(attempt))
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def status_for_database_error(error: BaseException) -> int | None:
    """The HTTP status a database failure stands for, or None when `error` is no such failure:
    409 for a stale optimistic version (someone saved a newer one, DB-3), 503 for a database
    busy, locked or unreachable (DB-2/DB-3)."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(error, StaleDataError):
        return 409
    if isinstance(error, RetryExhausted | OperationalError):
        return 503
    return None
