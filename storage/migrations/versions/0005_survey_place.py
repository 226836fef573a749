"""survey_place: where each systemejer is in the survey, as columns instead of dialog state

The survey no longer runs as a botbuilder dialog, so stored dialog stacks that name it can
not be continued: bot_state is emptied. Nothing is lost that matters: answers are rows, and
`fortsæt` without a place offers the person's open fagområder.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_place",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("fagomraade_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("correcting", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_survey_place_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fagomraade_id"],
            ["fagomraade.id"],
            name=op.f("fk_survey_place_fagomraade_id_fagomraade"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["it_system.id"],
            name=op.f("fk_survey_place_system_id_it_system"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_survey_place")),
    )
    op.execute("DELETE FROM bot_state")


def downgrade() -> None:
    op.drop_table("survey_place")
