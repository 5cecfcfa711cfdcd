"""Patient links: when "Close" last ended the link's patient sessions (pen test M6)

Revision ID: e5a7c3b9d210
Revises: c4e8a1d93f27
Create Date: 2026-12-06 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e5a7c3b9d210'
down_revision: Union[str, Sequence[str], None] = 'c4e8a1d93f27'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: no link has been closed yet; patient cookies issued before it stop working.
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('patient_links', schema=None) as batch_op:
        batch_op.drop_column('sessions_closed_at')
