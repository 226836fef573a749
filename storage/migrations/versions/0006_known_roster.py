"""known_roster: every team and group chat the bot is installed in, kept after removal

The teams used to be conversation references with an empty user key; they move here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("navn", sa.String(length=255), nullable=False),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_roster")),
        sa.UniqueConstraint("tenant_id", "conversation_id", name=op.f("uq_known_roster_tenant_id")),
    )
    op.execute(
        "INSERT INTO known_roster "
        "(tenant_id, conversation_id, kind, navn, service_url, seen_at, removed_at) "
        "SELECT tenant_id, conversation_id, 'team', '', service_url, updated_at, NULL "
        "FROM conversation_reference WHERE conversation_type = 'team' AND user_key = ''"
    )
    op.execute(
        "DELETE FROM conversation_reference WHERE conversation_type = 'team' AND user_key = ''"
    )


def downgrade() -> None:
    # The teams' old references are not rebuilt: the next activity in a team stores it again.
    op.drop_table("known_roster")
