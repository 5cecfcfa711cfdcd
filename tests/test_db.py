"""The database layer: SQLite PRAGMAs, no lost updates under concurrency, FKs, the retry helper."""

import threading
import traceback

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from dme_service.db import MAX_ATTEMPTS, RetryExhausted, get_engine, make_engine, run_with_retry
from dme_service.models import Trial


def is_sqlite(app) -> bool:
    return get_engine(app).dialect.name == "sqlite"


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("busy_timeout", 5000), ("foreign_keys", 1), ("synchronous", 2)],
    ids=["journal_mode is WAL", "busy_timeout is 5 s", "foreign keys on", "synchronous FULL"],
)
def test_sqlite_pragmas_read_back(app, pragma, expected):
    if not is_sqlite(app):
        pytest.skip("SQLite PRAGMAs")
    with get_engine(app).connect() as connection:
        assert connection.execute(text(f"PRAGMA {pragma}")).scalar() == expected


def test_sqlite_transactions_begin_immediate(app):
    """A second writer cannot even start while the first holds its transaction (DB-2)."""
    if not is_sqlite(app):
        pytest.skip("SQLite locking")
    engine = get_engine(app)
    with engine.connect() as first:
        first.begin()
        first.execute(text("SELECT 1"))
        # The reserved lock is taken at BEGIN: a plain sqlite3 connection cannot write now.
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(Exception, match="locked"):
                raw.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            raw.close()
        first.rollback()


def counter_table(app) -> Table:
    metadata = MetaData()
    table = Table(
        "test_counters",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("value", Integer, nullable=False),
    )
    metadata.create_all(get_engine(app))
    with get_engine(app).begin() as connection:
        connection.execute(table.insert().values(id=1, value=0))
    return table


def test_eight_threads_of_fifty_read_modify_writes_lose_nothing(app):
    """security.md DB-2/DB-3: 8 x 50 increments end at 400 with 0 errors on both engines."""
    engine, counters = get_engine(app), counter_table(app)
    errors: list[BaseException] = []

    def increment_fifty_times() -> None:
        for _ in range(50):
            try:
                with Session(engine) as session, session.begin():
                    query = select(counters.c.value).where(counters.c.id == 1).with_for_update()
                    value = session.execute(query).scalar_one()
                    session.execute(update(counters).values(value=value + 1))
            except Exception as error:  # every error counts against the test
                errors.append(error)

    threads = [threading.Thread(target=increment_fifty_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        final = connection.execute(select(counters.c.value)).scalar_one()
    assert (final, errors) == (400, [])


def test_orphan_foreign_key_is_refused(db_session):
    from datetime import date

    db_session.add(
        Trial(
            case_id=999,
            position=0,
            date=date(2026, 1, 5),
            device="E0860",
            force_lb=10,
            minutes=10,
            pain_before=5,
            pain_after=3,
            peripheralization=False,
            new_neuro_signs=False,
        )
    )
    with pytest.raises(IntegrityError):
        db_session.commit()


class _SqlState(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def conflict(sqlstate: str = "40001") -> DBAPIError:
    return DBAPIError("UPDATE cases", {}, _SqlState(sqlstate))


class FakeSession:
    def __init__(self) -> None:
        self.commits = self.rollbacks = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1


def failing(times: int, sqlstate: str = "40001"):
    calls = []

    def work(_session):
        calls.append(1)
        if len(calls) <= times:
            raise conflict(sqlstate)
        return "done"

    return work, calls


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"], ids=["serialization", "deadlock"])
def test_retry_succeeds_after_two_conflicts(sqlstate):
    work, calls = failing(2, sqlstate)
    session = FakeSession()
    assert run_with_retry(session, work, sleep=lambda _s: None) == "done"
    assert (len(calls), session.rollbacks, session.commits) == (3, 2, 1)


def test_retry_exhaustion_raises_after_exactly_five_attempts():
    work, calls = failing(1000)
    delays: list[float] = []
    with pytest.raises(RetryExhausted):
        run_with_retry(FakeSession(), work, sleep=delays.append)
    assert (len(calls), len(delays)) == (MAX_ATTEMPTS, MAX_ATTEMPTS - 1)


def test_retry_backoff_is_jittered_and_bounded():
    work, _calls = failing(1000)
    delays: list[float] = []
    with pytest.raises(RetryExhausted):
        run_with_retry(FakeSession(), work, sleep=delays.append)
    assert all(0 <= delay <= 1.0 for delay in delays) and len(set(delays)) > 1


def test_other_database_errors_are_not_retried():
    work, calls = failing(1, sqlstate="23505")
    with pytest.raises(DBAPIError):
        run_with_retry(FakeSession(), work, sleep=lambda _s: None)
    assert len(calls) == 1


def messages_of(error: BaseException) -> str:
    """What a logged traceback prints about error and its causes (not the source lines)."""
    text_parts = []
    while error is not None:
        text_parts += traceback.format_exception_only(error)
        error = error.__cause__ or error.__context__
    return "".join(text_parts)


def test_bound_parameters_are_hidden_from_errors(db_session):
    """LOG-3: an IntegrityError message must not carry the values (PHI) that caused it."""
    from dme_service.models import Patient

    db_session.add(
        Patient(clinic_id=424242, name="Canary Zebra", date_of_birth=None, member_id="CANARY123")
    )
    with pytest.raises(IntegrityError) as caught:
        db_session.commit()
    logged = messages_of(caught.value)
    assert "CANARY" not in logged and "Canary" not in logged


def test_duplicate_email_error_does_not_repeat_the_email(db_session, make_user):
    make_user("admin", email="canary.zebra@test.clinic")
    with pytest.raises(IntegrityError) as caught:
        make_user("billing", email="canary.zebra@test.clinic")
    assert "zebra" not in messages_of(caught.value)


def versioned_tables() -> dict[str, str]:
    """Class name -> table name of every model with a version counter."""
    from dme_service.models import Base

    return {
        mapper.class_.__name__: mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.version_id_col is not None
    }


def bulk_writes_to_versioned_tables(source: str) -> list[int]:
    """Line numbers of `update(Versioned)` / `delete(Versioned)` or raw UPDATE of their tables."""
    import ast
    import re

    versioned = versioned_tables()
    raw = re.compile(r"\bUPDATE\s+(" + "|".join(versioned.values()) + r")\b", re.IGNORECASE)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func, target = node.func, node.args[0]
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            target_name = getattr(target, "id", None) or getattr(target, "attr", None)
            is_module_call = isinstance(func, ast.Name) or isinstance(func.value, ast.Name)
            if name == "update" and is_module_call and target_name in versioned:
                found.append(node.lineno)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and raw.search(node.value)
        ):
            found.append(node.lineno)
    return sorted(found)


def test_no_bulk_update_or_raw_sql_on_versioned_tables():
    """DB-3: version_id_col guards ORM flushes only; a bulk UPDATE would skip the check."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "dme_service"
    offenders = {
        str(path.relative_to(package)): lines
        for path in sorted(package.rglob("*.py"))
        if (lines := bulk_writes_to_versioned_tables(path.read_text()))
    }
    assert offenders == {}


def test_the_bulk_write_scan_finds_what_it_looks_for():
    source = (
        "from sqlalchemy import update\n"
        "session.execute(update(Case).values(status='x'))\n"
        "session.execute(text('update cases set payer = 1'))\n"
        "values.update(Case=1)\n"
    )
    assert bulk_writes_to_versioned_tables(source) == [2, 3]


def test_a_real_postgres_serialization_failure_is_retried(app):
    """SQLSTATE 40001 from the server itself (not a fake) is recognised and retried (DB-3)."""
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL serialization failure")
    counters = counter_table(app)
    attempts = []

    def increment(session):
        attempts.append(1)
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        value = session.execute(select(counters.c.value)).scalar_one()
        if len(attempts) == 1:  # another writer commits between our read and our write
            with engine.begin() as other:
                other.execute(update(counters).values(value=counters.c.value + 10))
        session.execute(update(counters).values(value=value + 1))

    with Session(engine) as session:
        run_with_retry(session, increment, sleep=lambda _s: None)
    with engine.connect() as connection:
        final = connection.execute(select(counters.c.value)).scalar_one()
    assert (len(attempts), final) == (2, 11)


def test_a_new_sqlite_database_is_readable_by_the_service_alone(tmp_path):
    """The file holds every patient's record (PHI): a new one is not left to the umask, which
    made it readable by every account on the machine; SQLite gives its -wal and -shm files
    the same permissions."""
    path = tmp_path / "instance" / "dme.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
