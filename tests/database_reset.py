"""A fresh database per test without building the tables per test.

Creating the 32 tables with their indexes and triggers took longer than most tests themselves
(on PostgreSQL about 0.3 s of server and client CPU per test), so each worker builds them once:

- SQLite: a file holding the empty tables, copied to the test's own path (a few ms); every test
  still has a database file of its own.
- PostgreSQL: one schema per worker holding the tables. Before each test every row is deleted
  and every sequence restarted, so ids start at 1 again as in a new schema. Rows are deleted with
  triggers off (`session_replication_role = replica`): the audit tables refuse DELETE by design
  (docs/security.md LOG-2) and foreign keys are triggers too, so the order does not matter. A
  test that changed the schema itself (an extra table, a dropped trigger, a grant) changes the
  catalog's fingerprint, and the schema is then dropped and built again.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

from dme_service.db import make_engine
from dme_service.models import Base

# Everything in the schema a test could change: relations and their grants, columns, defaults,
# constraints, triggers (and whether they are enabled), functions, types and default grants.
_FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, '|' ORDER BY item), '')) FROM (
  SELECT concat_ws(':', 'nsp', n.nspacl::text) FROM pg_namespace n WHERE n.oid = :ns
  UNION ALL
  SELECT concat_ws(':', 'rel', c.relname, c.relkind::text, c.relacl::text)
    FROM pg_class c WHERE c.relnamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'col', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull::text, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = :ns AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT concat_ws(':', 'con', co.conname, pg_get_constraintdef(co.oid))
    FROM pg_constraint co WHERE co.connamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'idx', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'trg', t.tgname, t.tgenabled::text, pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'fn', p.proname, md5(p.prosrc)) FROM pg_proc p WHERE p.pronamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'type', t.typname) FROM pg_type t WHERE t.typnamespace = :ns
  UNION ALL
  SELECT concat_ws(':', 'acl', da.defaclacl::text) FROM pg_default_acl da
    WHERE da.defaclnamespace = :ns
) AS catalog(item)
"""


class SqliteTables:
    """A SQLite file with every table and no rows, copied for each test."""

    def __init__(self, path: Path) -> None:
        self.path = path
        engine = make_engine("sqlite:///" + str(path))
        Base.metadata.create_all(engine)
        engine.dispose()
        # Everything into the main file (WAL mode): the copy takes that file alone.
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def copy_to(self, target: Path) -> None:
        shutil.copyfile(self.path, target)


class PostgresTables:
    """One schema on the test server holding every table, emptied for each test."""

    def __init__(self, server: str, schema: str) -> None:
        self.server = server
        self.schema = schema
        self.admin = create_engine(server)
        self._build()

    def fresh(self) -> str:
        """The schema's name, its tables empty and its sequences at 1 (rebuilt if it changed)."""
        with self.admin.begin() as connection:
            # Without superuser rights the triggers cannot be skipped: build the schema again.
            unchanged = self._superuser and self._fingerprint(connection) == self._built
            if unchanged:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.exec_driver_sql(self._empty_everything)
        if not unchanged:
            self._build()
        return self.schema

    def dispose(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()

    def _build(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        separator = "&" if "?" in self.server else "?"
        url = f"{self.server}{separator}options={quote(f'-csearch_path={self.schema}')}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        with self.admin.connect() as connection:
            self._namespace = connection.scalar(
                text("SELECT oid FROM pg_namespace WHERE nspname = :name"), {"name": self.schema}
            )
            self._built = self._fingerprint(connection)
            self._superuser = connection.scalar(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            )
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :name"),
                {"name": self.schema},
            ).all()
        quoted = f'"{self.schema}"'
        deletes = [f'DELETE FROM {quoted}."{table.name}"' for table in Base.metadata.sorted_tables]
        # setval, not ALTER SEQUENCE ... RESTART: no new relation file per sequence per test.
        restarts = ", ".join(f"setval('{quoted}.\"{name}\"', 1, false)" for name in sequences)
        self._empty_everything = "; ".join([*deletes, f"SELECT {restarts}" if restarts else ""])

    def _fingerprint(self, connection) -> str:
        return connection.scalar(text(_FINGERPRINT), {"ns": self._namespace})
