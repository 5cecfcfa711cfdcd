"""One home for the clinic's NPI and tax id: the clinic profile (clinics.org_npi, .tax_id);
clinic_billing loses its copies

The claims used clinic_billing's NPI and EIN while the clinic profile's printed nowhere, so
where both are set and differ, the value claims were sent with is the one carried over (payers
know the supplier by it). The tax id is kept as digits only, as claims send it.

Revision ID: a4c2e8f1b7d3
Revises: e1a7c3b95d20
Create Date: 2026-12-06 10:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a4c2e8f1b7d3'
down_revision: Union[str, Sequence[str], None] = 'e1a7c3b95d20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

clinics = sa.table(
    'clinics',
    sa.column('id', sa.Integer),
    sa.column('org_npi', sa.String),
    sa.column('tax_id', sa.String),
)
billing = sa.table(
    'clinic_billing',
    sa.column('clinic_id', sa.Integer),
    sa.column('npi', sa.String),
    sa.column('tax_id', sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(billing.c.clinic_id, billing.c.npi, billing.c.tax_id))
    for clinic_id, npi, tax_id in list(rows):
        values = {}
        if npi:
            values['org_npi'] = npi
        if tax_id:
            values['tax_id'] = ''.join(ch for ch in tax_id if ch.isdigit())
        if values:
            connection.execute(
                clinics.update().where(clinics.c.id == clinic_id).values(**values)
            )
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        batch_op.drop_column('npi')
        batch_op.drop_column('tax_id')


def downgrade() -> None:
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npi', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=10), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(clinics.c.id, clinics.c.org_npi, clinics.c.tax_id))
    for clinic_id, npi, tax_id in list(rows):
        digits = ''.join(ch for ch in (tax_id or '') if ch.isdigit()) or None
        connection.execute(
            billing.update()
            .where(billing.c.clinic_id == clinic_id)
            .values(npi=npi, tax_id=digits[:10] if digits else None)
        )
