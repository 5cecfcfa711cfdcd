"""Admin TOTP: the time-step counter of the last accepted code, so each code works once

Revision ID: c4e8a1d93f27
Revises: 76c2f4fe372f
Create Date: 2026-11-23 20:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c4e8a1d93f27'
down_revision: Union[str, Sequence[str], None] = '76c2f4fe372f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: no code has been accepted yet (users.totp_secret already exists, unused so far).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_counter', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_counter')
