"""Case versions (the document each save left) and orders the practitioner sent back

Revision ID: a4c7e2d91b35
Revises: b7e4d2a9c163
Create Date: 2026-12-06 10:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a4c7e2d91b35'
down_revision: Union[str, Sequence[str], None] = 'b7e4d2a9c163'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'case_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('case_version', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_versions_case_id_cases'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_case_versions_saved_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_versions')),
    )
    with op.batch_alter_table('case_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_versions_case_id'), ['case_id'], unique=False)
    op.create_table(
        'order_returns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('practitioner_id', sa.Integer(), nullable=False),
        sa.Column('case_version', sa.Integer(), nullable=False),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resent_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_order_returns_case_id_cases'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_order_returns_practitioner_id_users'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['resent_by_id'], ['users.id'], name=op.f('fk_order_returns_resent_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_returns')),
    )
    with op.batch_alter_table('order_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_returns_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_returns_case_id'))
    op.drop_table('order_returns')
    with op.batch_alter_table('case_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_versions_case_id'))
    op.drop_table('case_versions')
