"""bilag1 mapping: where the coordinator confirmed each sheet's table and columns are

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-27 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kortlaegning") as batch:
        batch.add_column(sa.Column("template_mapping", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kortlaegning") as batch:
        batch.drop_column("template_mapping")
