"""archive: stored files (drafts, final Bilag 1, e-mails) and the versions sent to KOMBIT

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kortlaegning_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_stored_file_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["kortlaegning_id"],
            ["kortlaegning.id"],
            name=op.f("fk_stored_file_kortlaegning_id_kortlaegning"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_file_kortlaegning_id"), ["kortlaegning_id"], unique=False
        )

    op.create_table(
        "bilag1_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kortlaegning_id", sa.Integer(), nullable=False),
        sa.Column("nummer", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("send_status", sa.String(length=20), nullable=False),
        sa.Column("send_attempts", sa.Integer(), nullable=False),
        sa.Column("send_error", sa.String(length=200), nullable=True),
        sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("mail_file_id", sa.String(length=32), nullable=True),
        sa.Column("modtaget_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modtaget_by", sa.Integer(), nullable=True),
        sa.Column("change_noticed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_bilag1_version_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_bilag1_version_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["kortlaegning_id"],
            ["kortlaegning.id"],
            name=op.f("fk_bilag1_version_kortlaegning_id_kortlaegning"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mail_file_id"],
            ["stored_file.id"],
            name=op.f("fk_bilag1_version_mail_file_id_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["modtaget_by"], ["person.id"], name=op.f("fk_bilag1_version_modtaget_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"], ["person.id"], name=op.f("fk_bilag1_version_sent_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bilag1_version")),
        sa.UniqueConstraint(
            "kortlaegning_id", "nummer", name=op.f("uq_bilag1_version_kortlaegning_id")
        ),
    )
    with op.batch_alter_table("bilag1_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bilag1_version_kortlaegning_id"), ["kortlaegning_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bilag1_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bilag1_version_kortlaegning_id"))
    op.drop_table("bilag1_version")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_kortlaegning_id"))
    op.drop_table("stored_file")
