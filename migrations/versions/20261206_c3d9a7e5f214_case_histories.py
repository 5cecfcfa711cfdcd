"""Case histories: prior treatment, objective findings, imaging and functional scores

The clinician records them on the case page and the letter of medical necessity prints them
(docs/domain.md §5 items 3 and 4). One row per case, beside the case document; existing cases
have none (nothing recorded).

Revision ID: c3d9a7e5f214
Revises: b7d1e4a2c9f6
Create Date: 2026-12-06 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c3d9a7e5f214'
down_revision: Union[str, Sequence[str], None] = 'b7d1e4a2c9f6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "case_histories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("physical_therapy_weeks", sa.Integer(), nullable=True),
        sa.Column("physical_therapy_traction", sa.String(length=8), nullable=True),
        sa.Column("physical_therapy_result", sa.String(length=300), nullable=True),
        sa.Column("medications", sa.String(length=300), nullable=True),
        sa.Column("medications_result", sa.String(length=300), nullable=True),
        sa.Column("clinic_traction_sessions", sa.Integer(), nullable=True),
        sa.Column("clinic_traction_result", sa.String(length=300), nullable=True),
        sa.Column("imaging_kind", sa.String(length=8), nullable=True),
        sa.Column("imaging_date", sa.Date(), nullable=True),
        sa.Column("imaging_finding", sa.String(length=300), nullable=True),
        sa.Column("neurological_signs", sa.String(length=300), nullable=True),
        sa.Column("spurling_test", sa.String(length=8), nullable=True),
        sa.Column("distraction_test", sa.String(length=8), nullable=True),
        sa.Column("ultt_a", sa.String(length=8), nullable=True),
        sa.Column("shoulder_abduction_test", sa.String(length=8), nullable=True),
        sa.Column("mobility_peripheralization", sa.String(length=8), nullable=True),
        sa.Column("ndi_percent", sa.Integer(), nullable=True),
        sa.Column("psfs_average", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_histories_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_histories")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_histories_case_id")),
    )


def downgrade() -> None:
    op.drop_table("case_histories")
