"""outbox for proactive messages and reminder claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversation_id", sa.String(length=512), nullable=True),
        sa.Column("activity_id", sa.String(length=255), nullable=True),
        sa.Column("failure_reason", sa.String(length=32), nullable=True),
        sa.Column("failure_detail", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_outbox_message_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    op.create_index(
        "ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_message_person_id"), "outbox_message", ["person_id"], unique=False
    )

    op.create_table(
        "reminder_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kortlaegning_id", sa.Integer(), nullable=False),
        sa.Column("reminder_date", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("fagomraade_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fagomraade_id"],
            ["fagomraade.id"],
            name=op.f("fk_reminder_claim_fagomraade_id_fagomraade"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kortlaegning_id"],
            ["kortlaegning.id"],
            name=op.f("fk_reminder_claim_kortlaegning_id_kortlaegning"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_reminder_claim_outbox_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_reminder_claim_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_claim")),
    )
    op.create_index(
        op.f("ix_reminder_claim_kortlaegning_id"),
        "reminder_claim",
        ["kortlaegning_id"],
        unique=False,
    )
    # A summary for the whole kortlaegning has no fagomraade; read as 0 it is unique too.
    op.create_index(
        "uq_reminder_claim_key",
        "reminder_claim",
        ["reminder_date", "person_id", sa.text("coalesce(fagomraade_id, 0)"), "kind"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_reminder_claim_key", table_name="reminder_claim")
    op.drop_index(op.f("ix_reminder_claim_kortlaegning_id"), table_name="reminder_claim")
    op.drop_table("reminder_claim")
    op.drop_index(op.f("ix_outbox_message_person_id"), table_name="outbox_message")
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_table("outbox_message")
