"""Same patient again: units delivered on an earlier case carried as prior devices, and the
patients' (clinic, date of birth) index the same-patient look-up reads

Revision ID: a4c7e2d9b815
Revises: a4c2e8f1b7d3
Create Date: 2026-12-06 10:40:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "a4c7e2d9b815"
down_revision: Union[str, Sequence[str], None] = "a4c2e8f1b7d3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "carried_prior_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source_case_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.String(length=5), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("carried_by_id", sa.Integer(), nullable=False),
        sa.Column("carried_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_carried_prior_devices_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_case_id"],
            ["cases.id"],
            name=op.f("fk_carried_prior_devices_source_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["carried_by_id"],
            ["users.id"],
            name=op.f("fk_carried_prior_devices_carried_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["users.id"],
            name=op.f("fk_carried_prior_devices_removed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carried_prior_devices")),
        sa.UniqueConstraint(
            "case_id",
            "source_case_id",
            name=op.f("uq_carried_prior_devices_case_id_source_case_id"),
        ),
    )
    with op.batch_alter_table("carried_prior_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_carried_prior_devices_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_carried_prior_devices_source_case_id"), ["source_case_id"], unique=False
        )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_clinic_birth", ["clinic_id", "date_of_birth"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_clinic_birth")
    with op.batch_alter_table("carried_prior_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carried_prior_devices_source_case_id"))
        batch_op.drop_index(batch_op.f("ix_carried_prior_devices_case_id"))
    op.drop_table("carried_prior_devices")
