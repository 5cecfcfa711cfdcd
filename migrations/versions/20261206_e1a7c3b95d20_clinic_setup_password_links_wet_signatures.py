"""A real clinic: clinic profile fields, outside practitioners and mail preferences on users,
one-time set-password links, and wet (ink) signatures with their scans

Revision ID: e1a7c3b95d20
Revises: e5a9c3b1d7f4
Create Date: 2026-12-06 07:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = 'e1a7c3b95d20'
down_revision: Union[str, Sequence[str], None] = 'e5a9c3b1d7f4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Existing clinics get America/Chicago, the zone the patient pages already assumed.
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fax', sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                'timezone', sa.String(length=64), nullable=False,
                server_default='America/Chicago',
            )
        )
        batch_op.add_column(sa.Column('org_npi', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('ptan', sa.String(length=20), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('outside', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column('mail_opt_out', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users'),
            ondelete='RESTRICT',
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_password_links_created_by_id_users'),
            ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash')),
    )
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_links_user_id'), ['user_id'], unique=False)
    op.create_table(
        'signature_scans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_signature_scans_case_id_cases'),
            ondelete='RESTRICT',
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'],
            name=op.f('fk_signature_scans_uploaded_by_id_users'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_scans')),
    )
    with op.batch_alter_table('signature_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_scans_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'method', sa.String(length=12), nullable=False, server_default='electronic'
            )
        )
        batch_op.add_column(sa.Column('uploaded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_signatures_uploaded_by_id_users'), 'users', ['uploaded_by_id'], ['id'],
            ondelete='RESTRICT',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_signatures_scan_id_signature_scans'), 'signature_scans', ['scan_id'],
            ['id'], ondelete='RESTRICT',
        )


def downgrade() -> None:
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_signatures_scan_id_signature_scans'), type_='foreignkey'
        )
        batch_op.drop_constraint(batch_op.f('fk_signatures_uploaded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('scan_id')
        batch_op.drop_column('uploaded_by_id')
        batch_op.drop_column('method')
    with op.batch_alter_table('signature_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_scans_case_id'))
    op.drop_table('signature_scans')
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_links_user_id'))
    op.drop_table('password_links')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('mail_opt_out')
        batch_op.drop_column('outside')
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_column('ptan')
        batch_op.drop_column('tax_id')
        batch_op.drop_column('org_npi')
        batch_op.drop_column('timezone')
        batch_op.drop_column('fax')
