"""Medicare reopening requests (a DME MAC corrects a claim it processed; no replacement claim)

Revision ID: b4e2d9a7c613
Revises: d2b6f9a4c1e8
Create Date: 2026-12-06 17:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b4e2d9a7c613'
down_revision: Union[str, Sequence[str], None] = 'd2b6f9a4c1e8'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'claim_reopenings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('amendment_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=50), nullable=True),
        sa.Column('icn', sa.String(length=50), nullable=True),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('outcome_source', sa.String(length=120), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_claim_reopenings_case_id_cases'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['amendment_id'], ['order_amendments.id'], name=op.f('fk_claim_reopenings_amendment_id_order_amendments'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_claim_reopenings_recorded_by_id_users'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_claim_reopenings_decided_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_reopenings')),
    )
    with op.batch_alter_table('claim_reopenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_reopenings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_reopenings_amendment_id'), ['amendment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_reopenings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_reopenings_amendment_id'))
        batch_op.drop_index(batch_op.f('ix_claim_reopenings_case_id'))
    op.drop_table('claim_reopenings')
