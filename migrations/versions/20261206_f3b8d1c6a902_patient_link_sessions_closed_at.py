"""Patient links: when "Close" last ended the link's patient sessions (pen test M6)

Revision ID: f3b8d1c6a902
Revises: e5a7c3b91d20
Create Date: 2026-12-06 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f3b8d1c6a902'
down_revision: Union[str, Sequence[str], None] = 'e5a7c3b91d20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: no link has been closed yet; patient cookies issued before it stop working.
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.drop_column('sessions_closed_at')
