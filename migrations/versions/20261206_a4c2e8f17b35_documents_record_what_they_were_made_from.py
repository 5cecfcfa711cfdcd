"""Documents record what they were made from: the case version and a digest of the render's
inputs (case, standing signature, reason, purchase or rental, letterhead), so a document made
before a change shows as superseded and the next download is made from the case as it is now

Revision ID: a4c2e8f17b35
Revises: a4c7e2d9b815
Create Date: 2026-12-06 10:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a4c2e8f17b35'
down_revision: Union[str, Sequence[str], None] = 'a4c7e2d9b815'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: documents stored before this do not know their inputs, so they count as
    # superseded (unless a standing signature covers them) and are made again on download.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('source_sha256')
        batch_op.drop_column('case_version')
