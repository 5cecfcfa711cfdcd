"""A clinician's review of a red-flag home log entry: when, by whom, and the action taken

Revision ID: 76c2f4fe372f
Revises: b7f2c91a4e3d
Create Date: 2026-11-23 19:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '76c2f4fe372f'
down_revision: Union[str, Sequence[str], None] = 'b7f2c91a4e3d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: every existing entry is unreviewed, which is what a red flag was until now.
    with op.batch_alter_table('home_log_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_home_log_entries_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('home_log_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_home_log_entries_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
