"""Claim postings: each claim payment an 835 posted, reversals (CLP02 = 22) kept negative

Revision ID: d7c1e5a3f820
Revises: b4e2d9a7c613
Create Date: 2026-12-06 17:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd7c1e5a3f820'
down_revision: Union[str, Sequence[str], None] = 'b4e2d9a7c613'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'claim_postings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('remittance_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=4), nullable=False),
        sa.Column('reversal', sa.Boolean(), nullable=False),
        sa.Column('charge', sa.Integer(), nullable=False),
        sa.Column('paid', sa.Integer(), nullable=False),
        sa.Column('allowed', sa.Integer(), nullable=True),
        sa.Column('contractual', sa.Integer(), nullable=False),
        sa.Column('patient_responsibility', sa.Integer(), nullable=False),
        sa.Column('adjustments', sa.JSON(), nullable=False),
        sa.Column('remarks', sa.JSON(), nullable=False),
        sa.Column('icn', sa.String(length=50), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('posted_by_id', sa.Integer(), nullable=False),
        sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_claim_postings_case_id_cases'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_postings_claim_id_claims'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['remittance_id'], ['remittance_files.id'], name=op.f('fk_claim_postings_remittance_id_remittance_files'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_claim_postings_posted_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_postings')),
    )
    with op.batch_alter_table('claim_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_postings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_postings_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_postings_remittance_id'), ['remittance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_postings_remittance_id'))
        batch_op.drop_index(batch_op.f('ix_claim_postings_claim_id'))
        batch_op.drop_index(batch_op.f('ix_claim_postings_case_id'))
    op.drop_table('claim_postings')
