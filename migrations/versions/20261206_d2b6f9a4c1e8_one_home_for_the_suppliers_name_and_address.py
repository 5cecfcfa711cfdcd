"""One home for the supplier's legal name and address: the clinic profile (clinics.legal_name,
clinics.address); clinic_billing loses its copies

Billing's copies were kept only where billing had changed them from the profile's (a value
typed as the profile has it was not stored), and claims were sent with them: payers know the
supplier by them, so where billing kept one it is carried over.

- Legal name: billing's, when it differs from the clinic's name, becomes the profile's legal
  name (clinics.legal_name, new: the name claims and the billing packet carry). The name the
  clinic goes by (clinics.name) stays as it was: letterheads keep printing it.
- Address: billing's (street, city, state, ZIP), when it has a street and does not read as the
  profile's (the same letters and digits in the same order, case aside), replaces the profile's
  address text, written "street, city, ST 12345-6789": letterheads print the address claims
  were sent with from now on (typically the profile's with the ZIP+4 billing added).
- The billing contact's phone stays billing's (clinic_billing.phone).

Downgrade puts the legal name back on billing's row (adding the row for a clinic that has
none), and billing's address parts only where the older address reader would drop part of the
street (a suite after a comma); elsewhere billing follows the profile's address as before.

Revision ID: d2b6f9a4c1e8
Revises: c8f2a6d41e73
Create Date: 2026-12-06 17:10:00

"""
import re
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd2b6f9a4c1e8'
down_revision: Union[str, Sequence[str], None] = 'c8f2a6d41e73'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ADDRESS_PARTS = ('address_line1', 'city', 'state', 'zip')
_STATE_ZIP = re.compile(r'^([A-Za-z]{2})\.?\s+(\d{5}(?:-?\d{4})?)$')


def _clinics(*extra):
    return sa.table(
        'clinics',
        sa.column('id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('address', sa.Text),
        *extra,
    )


def _billing(*extra):
    return sa.table('clinic_billing', sa.column('clinic_id', sa.Integer), *extra)


def _billing_identity():
    return _billing(
        sa.column('legal_name', sa.String), *(sa.column(name, sa.String) for name in ADDRESS_PARTS)
    )


def _joined(line1, city, state, zip_code) -> str:
    digits = ''.join(ch for ch in zip_code or '' if ch.isdigit())
    zip_text = f'{digits[:5]}-{digits[5:]}' if len(digits) == 9 else (zip_code or '').strip()
    region = ' '.join(part for part in ((state or '').strip().upper(), zip_text) if part)
    return ', '.join(part for part in ((line1 or '').strip(), (city or '').strip(), region) if part)


def _letters_and_digits(text) -> str:
    return ''.join(ch for ch in (text or '').upper() if ch.isalnum())


def upgrade() -> None:
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=60), nullable=True))
    connection = op.get_bind()
    clinics = _clinics(sa.column('legal_name', sa.String))
    billing = _billing_identity()
    rows = connection.execute(
        sa.select(
            clinics.c.id,
            clinics.c.name,
            clinics.c.address,
            billing.c.legal_name,
            *(billing.c[name] for name in ADDRESS_PARTS),
        ).join(billing, billing.c.clinic_id == clinics.c.id)
    )
    for clinic_id, name, address, legal_name, *parts in list(rows):
        values = {}
        legal = ' '.join((legal_name or '').split())
        if legal and legal != (name or '').strip():
            values['legal_name'] = legal[:60]
        if (parts[0] or '').strip():
            typed = _joined(*parts)
            if _letters_and_digits(typed) != _letters_and_digits(address):
                values['address'] = typed
        if values:
            connection.execute(clinics.update().where(clinics.c.id == clinic_id).values(**values))
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        for name in ('legal_name', *ADDRESS_PARTS):
            batch_op.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table('clinic_billing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('address_line1', sa.String(length=55), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('state', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('zip', sa.String(length=10), nullable=True))
    connection = op.get_bind()
    clinics = _clinics(sa.column('legal_name', sa.String))
    billing = _billing_identity()
    with_row = {clinic_id for (clinic_id,) in connection.execute(sa.select(billing.c.clinic_id))}
    rows = connection.execute(sa.select(clinics.c.id, clinics.c.legal_name, clinics.c.address))
    for clinic_id, legal_name, address in list(rows):
        values = _old_reader_street(address)
        if legal_name:
            values['legal_name'] = legal_name
        if not values:
            continue
        if clinic_id in with_row:
            connection.execute(
                billing.update().where(billing.c.clinic_id == clinic_id).values(**values)
            )
        else:
            row = _billing(
                sa.column('last_control_number', sa.Integer),
                sa.column('production_files', sa.Boolean),
                *(sa.column(name, sa.String) for name in values),
            )
            connection.execute(
                row.insert().values(
                    clinic_id=clinic_id, last_control_number=0, production_files=False, **values
                )
            )
    # Not a batch: SQLite's copy-and-move of clinics would break the rows referring to it;
    # SQLite 3.35+ drops a plain column in place.
    op.drop_column('clinics', 'legal_name')


def _old_reader_street(address) -> dict:
    """The address's parts, when it reads "street, more street, city, ST ZIP" (the older reader
    kept only the street's first part); else nothing, and billing follows the profile."""
    parts = [p.strip() for p in re.split(r'[,\n]', address or '') if p.strip()]
    found = _STATE_ZIP.match(parts[-1]) if len(parts) >= 4 else None
    if found is None:
        return {}
    street = ', '.join(parts[:-2])
    zip_code = found.group(2).replace('-', '')
    if len(street) > 55 or len(parts[-2]) > 30:
        return {}
    return {
        'address_line1': street,
        'city': parts[-2],
        'state': found.group(1).upper(),
        'zip': zip_code,
    }
