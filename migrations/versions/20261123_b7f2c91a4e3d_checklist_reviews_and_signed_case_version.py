"""Billing checklist reviews (Excludes1, same-or-similar) and the case version a signature covers

Revision ID: b7f2c91a4e3d
Revises: 8d697eacd141
Create Date: 2026-11-23 16:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b7f2c91a4e3d'
down_revision: Union[str, Sequence[str], None] = '8d697eacd141'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('checklist_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_checklist_reviews_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checklist_reviews_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_reviews'))
    )
    with op.batch_alter_table('checklist_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_reviews_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('case_version')

    with op.batch_alter_table('checklist_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_reviews_case_id'))

    op.drop_table('checklist_reviews')
