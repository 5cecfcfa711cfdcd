"""Amended orders (a new order version after the claim went to the payer) and superseded signatures

Revision ID: c8f2a6d41e73
Revises: c3d9a7e5f214
Create Date: 2026-12-06 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c8f2a6d41e73'
down_revision: Union[str, Sequence[str], None] = 'c3d9a7e5f214'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: no signature has been superseded by an amended order yet.
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'order_amendments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('order_version', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('amended_by_id', sa.Integer(), nullable=False),
        sa.Column('amended_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signature_id', sa.Integer(), nullable=True),
        sa.Column('claim_state', sa.String(length=20), nullable=False),
        sa.Column('original_claim', sa.JSON(), nullable=False),
        sa.Column('payer_claim_number', sa.String(length=50), nullable=True),
        sa.Column('corrected_file_id', sa.Integer(), nullable=True),
        sa.Column('corrected_sent_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_order_amendments_case_id_cases'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['amended_by_id'], ['users.id'], name=op.f('fk_order_amendments_amended_by_id_users'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], name=op.f('fk_order_amendments_signature_id_signatures'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['corrected_file_id'], ['claim_files.id'], name=op.f('fk_order_amendments_corrected_file_id_claim_files'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_amendments')),
    )
    with op.batch_alter_table('order_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_amendments_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_amendments_case_id'))
    op.drop_table('order_amendments')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('superseded_at')
