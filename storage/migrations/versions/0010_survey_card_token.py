"""survey_place.card_token: the live survey card known in the turn that shows it

Every survey card the bot sends as the live one carries a fresh token in the data of its
buttons, and the place stores the same token in the turn's own transaction. A press whose
token differs came from a superseded card. Before, the live card was known only by its
activity id, which the Bot Connector gives once the card is sent: a second commit after the
reply on every turn. The id is still stored (`card_activity_id`) when a later turn learns it,
to update the card once it is left.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_place") as batch:
        batch.add_column(sa.Column("card_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_place") as batch:
        batch.drop_column("card_token")
