"""Keyed audit rows, audit seals and keyed signatures (HMAC under a key outside the database)

Revision ID: e5a7c3b91d20
Revises: c4e8a1d93f27
Create Date: 2026-12-06 07:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e5a7c3b91d20'
down_revision: Union[str, Sequence[str], None] = 'c4e8a1d93f27'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Same statements as dme_service/models/triggers.py (migrations never import models).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END",
    "CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_seals_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit_seals is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_seals_no_change BEFORE UPDATE OR DELETE ON audit_seals FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only()",
    "CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals FOR EACH STATEMENT EXECUTE FUNCTION audit_seals_append_only()",
]


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild of audit_events would drop
    # its append-only triggers. Existing rows keep key_id NULL (the unkeyed chain they had).
    op.add_column('audit_events', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.add_column('signatures', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.create_table('audit_seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('events_sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_mac', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('seal_mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_seals')),
    sa.UniqueConstraint('last_event_id', name=op.f('uq_audit_seals_last_event_id')),
    sa.UniqueConstraint('seal_mac', name=op.f('uq_audit_seals_seal_mac'))
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('audit_seals')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_seals_append_only()")
    # Plain DROP COLUMN (SQLite 3.35+) for the same reason as above.
    op.drop_column('signatures', 'key_id')
    op.drop_column('audit_events', 'key_id')
