"""Claim files: test or production (ISA15), chosen by billing per clinic

Every 837P carried ISA15 = T, so CEDI or a clearinghouse would never process a claim for
payment. Billing now says on the clinic's billing identity whether its files are test files
(while the payer or clearinghouse tests the enrollment) or production files. Existing clinics
stay on test files until billing says otherwise.

Revision ID: b7d1e4a2c9f6
Revises: a4c2e9f17b30
Create Date: 2026-12-06 12:25:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b7d1e4a2c9f6'
down_revision: Union[str, Sequence[str], None] = 'a4c2e9f17b30'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('production_files', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        batch_op.drop_column('production_files')
