"""Trials: who recorded the trial (the therapist who ran it) and a short note

Revision ID: b7e4d2a9c163
Revises: a4c2e8f17b35
Create Date: 2026-12-06 11:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b7e4d2a9c163'
down_revision: Union[str, Sequence[str], None] = 'a4c2e8f17b35'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: trials recorded before this did not keep who recorded them.
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_trials_recorded_by_id_users'), 'users', ['recorded_by_id'], ['id'],
            ondelete='RESTRICT',
        )


def downgrade() -> None:
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trials_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('note')
        batch_op.drop_column('recorded_by_id')
