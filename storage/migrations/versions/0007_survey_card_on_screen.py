"""survey_place.card_activity_id: the survey card on screen, so a superseded one is updated

The bot keeps the activity id of the last survey card it sent each person. A later card
replaces it in place (its final state, without buttons), and a press on any other survey
card is recognised as stale instead of silently changing an answer. Before, the id lived
only in one process's memory and was lost at a restart.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_place") as batch:
        batch.add_column(sa.Column("card_activity_id", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_place") as batch:
        batch.drop_column("card_activity_id")
