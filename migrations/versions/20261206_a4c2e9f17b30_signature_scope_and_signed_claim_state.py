"""Signatures: what they cover (content_scope, signed_facts); claims: the "signed" state

A signature now covers the facts the signed order and letter print (dme_service/case/
signed_facts.py); those made before keep the whole case document as their scope, so they stay
verifiable. A claim whose order is signed and not yet reviewed by billing was labelled
"awaiting signature"; it is "signed" now.

Revision ID: a4c2e9f17b30
Revises: a4c7e2d91b35
Create Date: 2026-12-06 10:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a4c2e9f17b30'
down_revision: Union[str, Sequence[str], None] = 'a4c7e2d91b35'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'content_scope',
                sa.String(length=24),
                server_default='case-document',
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column('signed_facts', sa.JSON(), nullable=True))
    # A claim awaiting signature whose order carries a signature that was not voided is signed.
    op.execute(
        "UPDATE cases SET billing_state = 'signed' WHERE billing_state = 'awaiting_signature' "
        "AND EXISTS (SELECT 1 FROM signatures WHERE signatures.case_id = cases.id "
        "AND signatures.voided_at IS NULL AND signatures.key_id IS NOT NULL)"
    )


def downgrade() -> None:
    op.execute("UPDATE cases SET billing_state = 'awaiting_signature' WHERE billing_state = 'signed'")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('signed_facts')
        batch_op.drop_column('content_scope')
