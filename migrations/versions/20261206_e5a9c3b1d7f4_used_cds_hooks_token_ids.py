"""CDS Hooks: the token ids already accepted, so an EHR's JWT is never accepted twice

Revision ID: e5a9c3b1d7f4
Revises: 33ad8c89aef5
Create Date: 2026-12-06 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = 'e5a9c3b1d7f4'
down_revision: Union[str, Sequence[str], None] = '33ad8c89aef5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'used_hook_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('issuer_digest', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_used_hook_tokens')),
        sa.UniqueConstraint('digest', name=op.f('uq_used_hook_tokens_digest')),
    )
    with op.batch_alter_table('used_hook_tokens', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_used_hook_tokens_expires_at'), ['expires_at'], unique=False
        )
        batch_op.create_index(
            'ix_used_hook_tokens_issuer_used', ['issuer_digest', 'used_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('used_hook_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_used_hook_tokens_issuer_used')
        batch_op.drop_index(batch_op.f('ix_used_hook_tokens_expires_at'))
    op.drop_table('used_hook_tokens')
