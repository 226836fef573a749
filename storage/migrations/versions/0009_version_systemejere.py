"""bilag1_version_systemejer: who owned each fagområde when a version was archived

Last round's systemejere are suggested as this round's owners, but a new round clears the
assignments; kept with the archived version, they outlive that.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 23:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bilag1_version_systemejer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("fagomraade", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["bilag1_version.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_bilag1_version_systemejer_version_id", "bilag1_version_systemejer", ["version_id"]
    )
    # Versions archived before: until now last round's owners were read from the assignments
    # as they stand, and no round has cleared them yet, so those are the owners to keep.
    op.execute(
        "INSERT INTO bilag1_version_systemejer (version_id, fagomraade, person_id) "
        "SELECT v.id, f.navn, t.person_id FROM bilag1_version v "
        "JOIN fagomraade f ON f.kortlaegning_id = v.kortlaegning_id "
        "JOIN tildeling t ON t.fagomraade_id = f.id"
    )


def downgrade() -> None:
    op.drop_index("ix_bilag1_version_systemejer_version_id", "bilag1_version_systemejer")
    op.drop_table("bilag1_version_systemejer")
