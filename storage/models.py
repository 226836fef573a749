"""Declarative ORM rows. They never leave storage/: repositories return domain dataclasses.

The schema changes only through Alembic migrations (storage/migrations); tests run
`upgrade head`, never `create_all`, so the migrations are what is tested.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.domain.model import Anvendelse

# Named constraints keep migrations portable between SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The model's Table, for Core statements (the declarative base types it as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _anvendelse_column() -> Enum:
    # Stored as the enum's stable ASCII values, not its member names, and without a
    # database-level enum type so a later value needs no ALTER TYPE.
    return Enum(
        Anvendelse,
        values_callable=lambda enum: [member.value for member in enum],
        native_enum=False,
        length=20,
        validate_strings=True,
    )


class KortlaegningRow(Base):
    """One municipality's round of the task; a tenant is one municipality."""

    __tablename__ = "kortlaegning"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), unique=True)
    kommunekode: Mapped[str] = mapped_column(String(4))
    slutdato: Mapped[date] = mapped_column(Date)
    template: Mapped[bytes] = mapped_column(LargeBinary)
    template_filename: Mapped[str] = mapped_column(String(255))
    template_is_reference: Mapped[bool] = mapped_column(Boolean, default=True)
    # JSON (storage/bilag1/mapping.py): the sheets whose columns the coordinator confirmed.
    template_mapping: Mapped[str | None] = mapped_column(Text)
    kontaktperson_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonRow(Base):
    """A Teams user the bot knows: coordinator, systemejer or both."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(128))
    teams_user_id: Mapped[str | None] = mapped_column(String(255))
    navn: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    is_koordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FagomraadeRow(Base):
    __tablename__ = "fagomraade"
    __table_args__ = (UniqueConstraint("kortlaegning_id", "navn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    navn: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer)
    indsendt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    indsendt_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class ItSystemRow(Base):
    """A listed system within one fagområde (the same product may be listed in several)."""

    __tablename__ = "it_system"
    __table_args__ = (UniqueConstraint("fagomraade_id", "navn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fagomraade_id: Mapped[int] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE"), index=True
    )
    navn: Mapped[str] = mapped_column(String(255))
    leverandoer: Mapped[str | None] = mapped_column(String(255))
    beskrivelse: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class TildelingRow(Base):
    """A fagområde assigned to a systemejer; an area may have several."""

    __tablename__ = "tildeling"
    __table_args__ = (UniqueConstraint("fagomraade_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fagomraade_id: Mapped[int] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnswerRow(Base):
    """The current answer for one listed system: last write wins, history in answer_audit."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    it_system_id: Mapped[int] = mapped_column(
        ForeignKey("it_system.id", ondelete="CASCADE"), unique=True
    )
    anvendelse: Mapped[Anvendelse] = mapped_column(_anvendelse_column())
    bemaerkning: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kilde: Mapped[str] = mapped_column(String(16), server_default="svar")
    """storage.domain.forslag.Kilde: typed/pressed, or a suggestion confirmed."""


class TilfoejetSystemRow(Base):
    """A system the municipality uses that is missing from KOMBIT's list."""

    __tablename__ = "tilfoejet_system"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fagomraade_id: Mapped[int] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE"), index=True
    )
    navn: Mapped[str] = mapped_column(String(255))
    leverandoer: Mapped[str | None] = mapped_column(String(255))
    svarer_til: Mapped[str | None] = mapped_column(String(255))
    anvendelse: Mapped[Anvendelse | None] = mapped_column(_anvendelse_column())
    bemaerkning: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who changed what and when; one row per change, never updated."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    action: Mapped[str] = mapped_column(String(40))
    it_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("it_system.id", ondelete="SET NULL")
    )
    tilfoejet_id: Mapped[int | None] = mapped_column(
        ForeignKey("tilfoejet_system.id", ondelete="SET NULL")
    )
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kilde: Mapped[str | None] = mapped_column(String(16))
    """An answer's source (storage.domain.forslag.Kilde); empty for other actions."""


class ForslagRow(Base):
    """A source's suggested answer for one listed system: shown, never an answer by itself.

    afgjort is the coordinator's decision ('accepteret' | 'afvist'); an uncertain match is
    shown to nobody until accepted, a certain one unless rejected.
    """

    __tablename__ = "forslag"
    __table_args__ = (UniqueConstraint("it_system_id", "kilde"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    it_system_id: Mapped[int] = mapped_column(ForeignKey("it_system.id", ondelete="CASCADE"))
    kilde: Mapped[str] = mapped_column(String(16))
    anvendelse: Mapped[Anvendelse | None] = mapped_column(_anvendelse_column())
    bemaerkning: Mapped[str | None] = mapped_column(Text)
    kilde_navn: Mapped[str] = mapped_column(String(255))
    """The system's name in the source, which may differ from this round's."""
    sikker: Mapped[bool] = mapped_column(Boolean)
    afgjort: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForslagTilfoejelseRow(Base):
    """A system a source knows that is on no list: offered to the systemejer as an addition."""

    __tablename__ = "forslag_tilfoejelse"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    fagomraade_id: Mapped[int | None] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE")
    )
    """Empty until the coordinator chooses, when nothing in the source says where it belongs."""
    kilde: Mapped[str] = mapped_column(String(16))
    navn: Mapped[str] = mapped_column(String(255))
    leverandoer: Mapped[str | None] = mapped_column(String(255))
    anvendelse: Mapped[Anvendelse | None] = mapped_column(_anvendelse_column())
    bemaerkning: Mapped[str | None] = mapped_column(Text)
    afgjort: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForslagEjerRow(Base):
    """A person a source names as systemejer of systems in a fagområde."""

    __tablename__ = "forslag_ejer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fagomraade_id: Mapped[int] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE"), index=True
    )
    kilde: Mapped[str] = mapped_column(String(16))
    navn: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    systemer: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForslagUdgaaetRow(Base):
    """A system answered last round that is no longer on KOMBIT's list: left out, shown."""

    __tablename__ = "forslag_udgaaet"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fagomraade_id: Mapped[int] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE"), index=True
    )
    navn: Mapped[str] = mapped_column(String(255))
    leverandoer: Mapped[str | None] = mapped_column(String(255))
    anvendelse: Mapped[Anvendelse | None] = mapped_column(_anvendelse_column())
    bemaerkning: Mapped[str | None] = mapped_column(Text)


class ConversationReferenceRow(Base):
    """Where to reach a person proactively: the last conversation reference they wrote from."""

    __tablename__ = "conversation_reference"
    __table_args__ = (UniqueConstraint("tenant_id", "user_key", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(String(512))
    conversation_type: Mapped[str] = mapped_column(String(32))
    service_url: Mapped[str] = mapped_column(String(512))
    reference: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KnownRosterRow(Base):
    """A team or group chat the bot is (or was) installed in: whose members it can look up."""

    __tablename__ = "known_roster"
    __table_args__ = (UniqueConstraint("tenant_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(512))
    """The team id (the General channel's id) or the group chat's conversation id."""
    kind: Mapped[str] = mapped_column(String(16))
    navn: Mapped[str] = mapped_column(String(255), default="")
    service_url: Mapped[str] = mapped_column(String(512))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProcessedActivityRow(Base):
    """Activities already handled, so a redelivery by Teams is not handled twice."""

    __tablename__ = "processed_activity"

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SurveyPlaceRow(Base):
    """Where a systemejer is in the survey (storage/domain/place.py): one row per person."""

    __tablename__ = "survey_place"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    fagomraade_id: Mapped[int] = mapped_column(ForeignKey("fagomraade.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("it_system.id", ondelete="SET NULL"))
    page: Mapped[int] = mapped_column(Integer, default=0)
    correcting: Mapped[bool] = mapped_column(Boolean, default=False)
    card_activity_id: Mapped[str | None] = mapped_column(String(200))
    """The live survey card's activity id, once a turn after the one that sent it knows it;
    the card is updated to its final state when the person moves on."""
    card_token: Mapped[str | None] = mapped_column(String(32))
    """The token every button of the live survey card carries: a press with another came
    from a superseded card."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BotStateRow(Base):
    """botbuilder's conversation and user state, JSON with an e_tag for optimistic concurrency."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    e_tag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredFileRow(Base):
    """A file the bot hands out: a draft, a final Bilag 1 or the e-mail to KOMBIT.

    The id is random and unguessable; a download link additionally carries a signature.
    """

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class Bilag1VersionRow(Base):
    """The archive: every final Bilag 1 made or sent, with its way to KOMBIT. Never deleted."""

    __tablename__ = "bilag1_version"
    __table_args__ = (UniqueConstraint("kortlaegning_id", "nummer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    nummer: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[str] = mapped_column(ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    send_status: Mapped[str] = mapped_column(String(20))
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_error: Mapped[str | None] = mapped_column(String(200))
    sending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(255))
    mail_file_id: Mapped[str | None] = mapped_column(ForeignKey("stored_file.id"))
    modtaget_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modtaget_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    change_noticed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Bilag1VersionSystemejerRow(Base):
    """Who owned each fagområde when a version was archived: last round's systemejere, kept
    when a new round clears the assignments."""

    __tablename__ = "bilag1_version_systemejer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("bilag1_version.id", ondelete="CASCADE"), index=True
    )
    fagomraade: Mapped[str] = mapped_column(String(255))
    """The fagområde's name then: a new round may rename or drop the area."""
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))


class OutboxMessageRow(Base):
    """A proactive message, stored before it is sent and marked sent once Teams accepted it.

    A worker owns a pending row while ``lease_until`` lies ahead; an expired lease means the
    worker died mid-attempt and the row is free again (see storage/outbox.py).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    failure_reason: Mapped[str | None] = mapped_column(String(32))
    failure_detail: Mapped[str | None] = mapped_column(String(255))


class ReminderClaimRow(Base):
    """A reminder decided on: claimed once per (date, person, fagomraade, kind), then enqueued.

    ``fagomraade_id`` is empty for a coordinator's reminder about the whole kortlaegning; the
    unique index reads it as 0 so that such claims are unique too (NULLs never collide).
    """

    __tablename__ = "reminder_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kortlaegning_id: Mapped[int] = mapped_column(
        ForeignKey("kortlaegning.id", ondelete="CASCADE"), index=True
    )
    reminder_date: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    fagomraade_id: Mapped[int | None] = mapped_column(
        ForeignKey("fagomraade.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index(
    "uq_reminder_claim_key",
    ReminderClaimRow.reminder_date,
    ReminderClaimRow.person_id,
    func.coalesce(ReminderClaimRow.fagomraade_id, 0),
    ReminderClaimRow.kind,
    unique=True,
)
