"""Database triggers the ORM cannot express: append-only audit rows and case retention.

docs/security.md LOG-2: nothing in the app may UPDATE, DELETE or TRUNCATE audit rows or seals.
RET-1: a case under legal hold or before its `retain_until` date cannot be deleted, even by raw
SQL. The same statements are in the migrations that created the tables (migrations never import
models).
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

SQLITE = {
    "audit_events": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ),
    "audit_seals": (
        "CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals "
        "BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END",
        "CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals "
        "BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END",
    ),
    "cases": (
        "CREATE TRIGGER cases_retention BEFORE DELETE ON cases "
        "WHEN OLD.legal_hold OR (OLD.retain_until IS NOT NULL AND OLD.retain_until >= date('now')) "
        "BEGIN SELECT RAISE(ABORT, 'case is under legal hold or within its retention period'); "
        "END",
    ),
}
POSTGRESQL = {
    "audit_events": (
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ),
    "audit_seals": (
        "CREATE OR REPLACE FUNCTION audit_seals_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_seals is append-only'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_seals_no_change BEFORE UPDATE OR DELETE ON audit_seals "
        "FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only()",
        "CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_seals_append_only()",
    ),
    "cases": (
        "CREATE OR REPLACE FUNCTION cases_retention() RETURNS trigger AS $$ BEGIN "
        "IF OLD.legal_hold OR (OLD.retain_until IS NOT NULL AND OLD.retain_until >= CURRENT_DATE) "
        "THEN RAISE EXCEPTION 'case is under legal hold or within its retention period'; END IF; "
        "RETURN OLD; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER cases_retention BEFORE DELETE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION cases_retention()",
    ),
}


def attach(tables: dict[str, Table]) -> None:
    """Create the triggers whenever metadata.create_all creates their table."""
    for dialect, statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
        for table_name, ddl in statements.items():
            for statement in ddl:
                event.listen(
                    tables[table_name], "after_create", DDL(statement).execute_if(dialect=dialect)
                )
