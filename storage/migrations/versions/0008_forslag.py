"""forslag: suggested answers, additions and owners from last round and KITOS; answer sources

A suggestion is never an answer: it is stored apart (forslag, forslag_tilfoejelse,
forslag_ejer, forslag_udgaaet) until a person confirms it, and the answer then records where
it came from (answer.kilde, audit.kilde: typed/pressed, confirmed from last round or KITOS).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _anvendelse() -> sa.Enum:
    return sa.Enum(
        "anvender", "anvender_ikke", "sekundaer", name="anvendelse", native_enum=False, length=20
    )


def upgrade() -> None:
    op.create_table(
        "forslag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("it_system_id", sa.Integer(), nullable=False),
        sa.Column("kilde", sa.String(length=16), nullable=False),
        sa.Column("anvendelse", _anvendelse(), nullable=True),
        sa.Column("bemaerkning", sa.Text(), nullable=True),
        sa.Column("kilde_navn", sa.String(length=255), nullable=False),
        sa.Column("sikker", sa.Boolean(), nullable=False),
        sa.Column("afgjort", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["it_system_id"],
            ["it_system.id"],
            name=op.f("fk_forslag_it_system_id_it_system"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forslag")),
        sa.UniqueConstraint("it_system_id", "kilde", name=op.f("uq_forslag_it_system_id")),
    )
    op.create_table(
        "forslag_tilfoejelse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kortlaegning_id", sa.Integer(), nullable=False),
        sa.Column("fagomraade_id", sa.Integer(), nullable=True),
        sa.Column("kilde", sa.String(length=16), nullable=False),
        sa.Column("navn", sa.String(length=255), nullable=False),
        sa.Column("leverandoer", sa.String(length=255), nullable=True),
        sa.Column("anvendelse", _anvendelse(), nullable=True),
        sa.Column("bemaerkning", sa.Text(), nullable=True),
        sa.Column("afgjort", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kortlaegning_id"],
            ["kortlaegning.id"],
            name=op.f("fk_forslag_tilfoejelse_kortlaegning_id_kortlaegning"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fagomraade_id"],
            ["fagomraade.id"],
            name=op.f("fk_forslag_tilfoejelse_fagomraade_id_fagomraade"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forslag_tilfoejelse")),
    )
    with op.batch_alter_table("forslag_tilfoejelse") as batch:
        batch.create_index(
            batch.f("ix_forslag_tilfoejelse_kortlaegning_id"), ["kortlaegning_id"], unique=False
        )
    op.create_table(
        "forslag_ejer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fagomraade_id", sa.Integer(), nullable=False),
        sa.Column("kilde", sa.String(length=16), nullable=False),
        sa.Column("navn", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("systemer", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fagomraade_id"],
            ["fagomraade.id"],
            name=op.f("fk_forslag_ejer_fagomraade_id_fagomraade"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_forslag_ejer_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forslag_ejer")),
    )
    with op.batch_alter_table("forslag_ejer") as batch:
        batch.create_index(
            batch.f("ix_forslag_ejer_fagomraade_id"), ["fagomraade_id"], unique=False
        )
    op.create_table(
        "forslag_udgaaet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fagomraade_id", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(length=255), nullable=False),
        sa.Column("leverandoer", sa.String(length=255), nullable=True),
        sa.Column("anvendelse", _anvendelse(), nullable=True),
        sa.Column("bemaerkning", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fagomraade_id"],
            ["fagomraade.id"],
            name=op.f("fk_forslag_udgaaet_fagomraade_id_fagomraade"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forslag_udgaaet")),
    )
    with op.batch_alter_table("forslag_udgaaet") as batch:
        batch.create_index(
            batch.f("ix_forslag_udgaaet_fagomraade_id"), ["fagomraade_id"], unique=False
        )
    with op.batch_alter_table("answer") as batch:
        batch.add_column(
            sa.Column("kilde", sa.String(length=16), nullable=False, server_default="svar")
        )
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("kilde", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("kilde")
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("kilde")
    op.drop_table("forslag_udgaaet")
    op.drop_table("forslag_ejer")
    op.drop_table("forslag_tilfoejelse")
    op.drop_table("forslag")
