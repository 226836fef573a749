"""Delivery use cases over SQL: the answers as a workbook, stored files, the archive of final
versions, their way to KOMBIT, KOMBIT's receipt, and what changed after sending.

Each public method is one transaction, takes primitives and returns domain dataclasses.
Nothing here knows about chats, e-mail or HTTP.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from storage.bilag1.layout import Bilag1Tilfoejet, Forside
from storage.bilag1.mapping import mapping_from_json
from storage.bilag1.plan import FilledAnswers, SystemAnswer
from storage.bilag1.writer import write_bilag1
from storage.catalogue.kommuner import load_kommuner
from storage.db import rows_matched
from storage.domain.answer_rules import change_is_announced
from storage.domain.archive import (
    Bilag1Version,
    ChangeEntry,
    ChangeKind,
    FileKind,
    SendStatus,
    StoredFile,
    VersionReason,
)
from storage.domain.model import Anvendelse, Kilde, NoKortlaegning, Person
from storage.models import (
    AnswerRow,
    AuditRow,
    Bilag1VersionRow,
    Bilag1VersionSystemejerRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    PersonRow,
    StoredFileRow,
    TildelingRow,
    TilfoejetSystemRow,
)
from storage.rows import to_person
from storage.unit_of_work import UnitOfWork

# A send that has said nothing for this long died with its process; another may try again.
SEND_CLAIM_EXPIRES = timedelta(minutes=10)
# The audit actions that change what KOMBIT receives (storage.survey writes them).
_CHANGE_ACTIONS = ("answer", "add_system", "remove_system")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the workbook is made from, read in one transaction at `taken_at`."""

    kortlaegning_id: int
    tenant_id: str
    kommunekode: str
    template: bytes
    template_filename: str
    template_mapping: str | None
    """The coordinator's confirmed columns as JSON (storage/bilag1/mapping.py), if any."""
    kontaktperson: Person | None
    answers: tuple[SystemAnswer, ...]
    tilfoejede: tuple[Bilag1Tilfoejet, ...]
    fagomraader: int
    unsubmitted: tuple[str, ...]
    """Names of the fagområder not yet submitted, in workbook order."""
    taken_at: datetime

    @property
    def kommune(self) -> str:
        """The municipality's official name, as on Bilag 1's front page and in the subject."""
        return next(
            (k.officielt_navn for k in load_kommuner() if k.kode == self.kommunekode),
            self.kommunekode,
        )

    @property
    def systemer(self) -> int:
        """Listed and added systems: what KOMBIT receives an answer for."""
        return len(self.answers) + len(self.tilfoejede)

    @property
    def missing(self) -> tuple[tuple[str, str], ...]:
        """(fagområde, system) of every system still without an answer."""
        listed = [(a.fagomraade, a.navn) for a in self.answers if a.anvendelse is None]
        added = [(t.fagomraade or "", t.navn) for t in self.tilfoejede if t.anvendelse is None]
        return (*listed, *added)

    def filled_answers(self, *, today: date) -> FilledAnswers:
        """The answers with the front page: kommune, kontaktperson, e-mail and today's date."""
        kontakt = self.kontaktperson
        return FilledAnswers(
            forside=Forside(
                navn=self.kommune,
                kontaktperson=kontakt.navn if kontakt and kontakt.navn else None,
                email=kontakt.email if kontakt else None,
                dato=today.isoformat(),
            ),
            answers=self.answers,
            tilfoejede=self.tilfoejede,
        )


def render_bilag1(snapshot: Snapshot, *, draft: bool, today: date) -> bytes:
    """Write the snapshot into its template (CPU-bound: run it in a thread from async code).

    Raises MissingAnswers in final mode, Bilag1Error when the template cannot take the answers.
    """
    return write_bilag1(
        snapshot.template,
        snapshot.filled_answers(today=today),
        draft=draft,
        filename=snapshot.template_filename,
        mapping=mapping_from_json(snapshot.template_mapping),
    )


class ArchiveRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- the answers as they stand -------------------------------------------------------
    async def snapshot(self, tenant_id: str) -> Snapshot:
        """Read what the workbook is made of; NoKortlaegning before opsæt."""
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            return await _snapshot(session, row)

    async def snapshot_for_kommune(self, kommunekode: str) -> Snapshot | None:
        """The snapshot of the kortlægning for a kommunekode (for operators), or None."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(KortlaegningRow)
                .where(KortlaegningRow.kommunekode == kommunekode)
                .order_by(KortlaegningRow.updated_at.desc())
                .limit(1)
            )
            return await _snapshot(session, row) if row else None

    async def changed_since(self, kortlaegning_id: int, moment: datetime) -> bool:
        """Whether any answer or added system changed after a moment (a version's snapshot)."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(AuditRow.id)
                .where(
                    AuditRow.kortlaegning_id == kortlaegning_id,
                    AuditRow.action.in_(_CHANGE_ACTIONS),
                    AuditRow.at > moment,
                )
                .limit(1)
            )
            return found is not None

    # --- files ----------------------------------------------------------------------------
    async def store_file(
        self,
        kortlaegning_id: int,
        *,
        kind: FileKind,
        filename: str,
        content: bytes,
        by_person_id: int | None,
    ) -> StoredFile:
        """Keep a file the coordinator is handed (a draft), so a link or consent can fetch it."""
        async with self._sessions() as session, session.begin():
            row = _file_row(kortlaegning_id, kind, filename, content, by_person_id)
            session.add(row)
            return _to_file(row)

    async def file(self, file_id: str) -> StoredFile | None:
        """A stored file with its content, or None."""
        async with self._sessions() as session:
            row = await session.get(StoredFileRow, file_id)
            return _to_file(row, with_content=True) if row else None

    async def tenant_file(self, tenant_id: str, file_id: str) -> StoredFile | None:
        """A stored file with its content if it belongs to this tenant's kortlægning, or None."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(StoredFileRow)
                .join(KortlaegningRow, KortlaegningRow.id == StoredFileRow.kortlaegning_id)
                .where(StoredFileRow.id == file_id, KortlaegningRow.tenant_id == tenant_id)
            )
            return _to_file(row, with_content=True) if row else None

    # --- the archive ------------------------------------------------------------------------
    async def archive(
        self,
        kortlaegning_id: int,
        *,
        filename_for: Callable[[int], str],
        content: bytes,
        reason: VersionReason,
        taken_at: datetime,
        by_person_id: int | None,
    ) -> Bilag1Version:
        """Store a final workbook as the next version; filename_for(nummer) names its file.

        The kortlægning row is locked, so two instances archiving at once get 1 and 2.
        """
        async with self._sessions() as session, session.begin():
            await session.scalar(
                select(KortlaegningRow.id)
                .where(KortlaegningRow.id == kortlaegning_id)
                .with_for_update()
            )
            nummer = 1 + int(
                await session.scalar(
                    select(func.coalesce(func.max(Bilag1VersionRow.nummer), 0)).where(
                        Bilag1VersionRow.kortlaegning_id == kortlaegning_id
                    )
                )
                or 0
            )
            file_row = _file_row(
                kortlaegning_id, FileKind.BILAG1, filename_for(nummer), content, by_person_id
            )
            session.add(file_row)
            await session.flush()
            row = Bilag1VersionRow(
                kortlaegning_id=kortlaegning_id,
                nummer=nummer,
                reason=reason.value,
                file_id=file_row.id,
                created_at=taken_at,
                created_by=by_person_id,
                send_status=SendStatus.NOT_SENT.value,
                send_attempts=0,
            )
            session.add(row)
            await session.flush()
            # Next round's suggested owners: kept with the version, as assignments are not.
            await session.execute(
                insert(Bilag1VersionSystemejerRow).from_select(
                    ["version_id", "fagomraade", "person_id"],
                    select(literal(row.id), FagomraadeRow.navn, TildelingRow.person_id)
                    .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
                    .where(FagomraadeRow.kortlaegning_id == kortlaegning_id),
                )
            )
            return await _to_version(session, row)

    async def versions(self, tenant_id: str) -> list[Bilag1Version]:
        """Every archived version, newest first."""
        async with self._sessions() as session:
            kortlaegning = await _kortlaegning_row(session, tenant_id)
            rows = await session.scalars(
                select(Bilag1VersionRow)
                .where(Bilag1VersionRow.kortlaegning_id == kortlaegning.id)
                .order_by(Bilag1VersionRow.nummer.desc())
            )
            return [await _to_version(session, row) for row in rows]

    async def version(self, tenant_id: str, version_id: int) -> Bilag1Version | None:
        """One version of this tenant's archive (another tenant's id gives None)."""
        async with self._sessions() as session:
            row = await _version_row(session, tenant_id, version_id)
            return await _to_version(session, row) if row else None

    async def latest(self, tenant_id: str) -> Bilag1Version | None:
        versions = await self.versions(tenant_id)
        return versions[0] if versions else None

    async def last_delivered(self, tenant_id: str) -> Bilag1Version | None:
        """This round's newest version sent to KOMBIT (by SMTP or as .eml), or None.

        Last round's delivery is no base for this round's changes: a new round is sent anew.
        """
        async with self._sessions() as session:
            row = await session.scalar(_NEWEST_DELIVERED, {"tenant": tenant_id})
            return await _to_version(session, row) if row else None

    # --- sending ----------------------------------------------------------------------------
    async def claim_send(self, tenant_id: str, version_id: int, *, now: datetime) -> bool:
        """Mark a version as being sent; False when it is sent, or another send is under way.

        One conditional UPDATE, so two presses of "Send nu" (or two instances) send once.
        """
        async with self._sessions() as session, session.begin():
            row = await _version_row(session, tenant_id, version_id)
            if row is None:
                return False
            result = await session.execute(
                update(Bilag1VersionRow)
                .where(
                    Bilag1VersionRow.id == version_id,
                    (
                        Bilag1VersionRow.send_status.in_(
                            [SendStatus.NOT_SENT.value, SendStatus.FAILED.value]
                        )
                    )
                    | (
                        (Bilag1VersionRow.send_status == SendStatus.SENDING.value)
                        & (Bilag1VersionRow.sending_since < now - SEND_CLAIM_EXPIRES)
                    ),
                )
                .values(send_status=SendStatus.SENDING.value, sending_since=now)
                # The decision is the database's; SQLite hands back naive datetimes that the
                # in-Python session sync cannot compare with `now`.
                .execution_options(synchronize_session=False)
            )
            return bool(rows_matched(result))

    async def mark_delivered(
        self,
        version_id: int,
        *,
        status: SendStatus,
        by_person_id: int,
        at: datetime,
        recipient: str,
        subject: str,
        mail_filename: str,
        mail: bytes,
        attempts: int,
    ) -> Bilag1Version:
        """Record that KOMBIT was sent (or the coordinator handed) this version, and keep the
        e-mail exactly as it went out."""
        async with self._sessions() as session, session.begin():
            row = await session.get_one(Bilag1VersionRow, version_id)
            mail_row = _file_row(
                row.kortlaegning_id, FileKind.EML, mail_filename, mail, by_person_id
            )
            session.add(mail_row)
            await session.flush()
            row.send_status = status.value
            row.send_attempts = row.send_attempts + attempts
            row.send_error = None
            row.sending_since = None
            row.sent_at, row.sent_by = at, by_person_id
            row.recipient, row.subject = recipient, subject
            row.mail_file_id = mail_row.id
            await session.flush()
            return await _to_version(session, row)

    async def mark_send_failed(
        self, version_id: int, *, attempts: int, error: str
    ) -> Bilag1Version:
        """Record a failed send; the version and its file stay in the archive to try again."""
        async with self._sessions() as session, session.begin():
            row = await session.get_one(Bilag1VersionRow, version_id)
            row.send_status = SendStatus.FAILED.value
            row.send_attempts = row.send_attempts + attempts
            row.send_error = error[:200]
            row.sending_since = None
            await session.flush()
            return await _to_version(session, row)

    async def record_receipt(
        self, tenant_id: str, *, by_person_id: int, at: datetime
    ) -> tuple[Bilag1Version | None, bool]:
        """Record KOMBIT's receipt of the newest delivered version.

        Returns (version, recorded now): (None, False) when nothing was sent, and
        (version, False) when that version's receipt was recorded before.
        """
        async with self._sessions() as session, session.begin():
            kortlaegning = await _kortlaegning_row(session, tenant_id)
            row = await session.scalar(
                select(Bilag1VersionRow)
                .where(
                    Bilag1VersionRow.kortlaegning_id == kortlaegning.id,
                    Bilag1VersionRow.send_status.in_([SendStatus.SENT.value, SendStatus.EML.value]),
                    Bilag1VersionRow.created_at >= kortlaegning.created_at,
                )
                .order_by(Bilag1VersionRow.nummer.desc())
                .limit(1)
                .with_for_update()
            )
            if row is None:
                return None, False
            if row.modtaget_at is not None:
                return await _to_version(session, row), False
            row.modtaget_at, row.modtaget_by = at, by_person_id
            await session.flush()
            return await _to_version(session, row), True

    async def kombit_receipt(self, tenant_id: str) -> datetime | None:
        """When KOMBIT first confirmed receipt (the task is then complete), or None."""
        async with self._sessions() as session:
            kortlaegning = await _kortlaegning_row(session, tenant_id, required=False)
            if kortlaegning is None:
                return None
            return await session.scalar(
                select(func.min(Bilag1VersionRow.modtaget_at)).where(
                    Bilag1VersionRow.kortlaegning_id == kortlaegning.id,
                    Bilag1VersionRow.created_at >= kortlaegning.created_at,
                )
            )

    # --- changes after sending --------------------------------------------------------------
    async def change_entries(self, kortlaegning_id: int, since: datetime) -> list[ChangeEntry]:
        """Audit entries about answers and added systems after a moment, oldest first."""
        async with self._sessions() as session:
            system_area = aliased(FagomraadeRow)
            added_area = aliased(FagomraadeRow)
            rows = await session.execute(
                select(
                    AuditRow,
                    PersonRow.navn,
                    ItSystemRow.navn,
                    system_area.navn,
                    TilfoejetSystemRow,
                    added_area.navn,
                )
                .outerjoin(PersonRow, PersonRow.id == AuditRow.person_id)
                .outerjoin(ItSystemRow, ItSystemRow.id == AuditRow.it_system_id)
                .outerjoin(system_area, system_area.id == ItSystemRow.fagomraade_id)
                .outerjoin(TilfoejetSystemRow, TilfoejetSystemRow.id == AuditRow.tilfoejet_id)
                .outerjoin(added_area, added_area.id == TilfoejetSystemRow.fagomraade_id)
                .where(
                    AuditRow.kortlaegning_id == kortlaegning_id,
                    AuditRow.action.in_(_CHANGE_ACTIONS),
                    AuditRow.at > since,
                )
                .order_by(AuditRow.at, AuditRow.id)
            )
            entries: list[ChangeEntry] = []
            for audit, by, system, area, added, added_area_navn in rows:
                entry = _change_entry(audit, by, system, area, added, added_area_navn)
                if entry is not None:
                    entries.append(entry)
            return entries

    async def claim_change_notice(
        self, tenant_id: str, *, uow: UnitOfWork | None = None
    ) -> Bilag1Version | None:
        """The delivered version whose coordinators are yet to hear of a later change, once.

        The first change after a delivery is announced; the rest wait in `ændringer`, so a
        systemejer correcting ten answers sends the coordinator one message, not ten.
        """
        if uow is not None:
            return await _claim_change_notice(uow.session, tenant_id)
        async with self._sessions() as session, session.begin():
            return await _claim_change_notice(session, tenant_id)


async def _claim_change_notice(session: AsyncSession, tenant_id: str) -> Bilag1Version | None:
    # One query built once, and the kortlægning's row (with its template) is not loaded:
    # this runs after every changed answer.
    row = await session.scalar(_NEWEST_DELIVERED, {"tenant": tenant_id})
    if row is None or not change_is_announced(
        delivered=True, already_announced=row.change_noticed_at is not None
    ):
        return None
    result = await session.execute(
        update(Bilag1VersionRow)
        .where(Bilag1VersionRow.id == row.id, Bilag1VersionRow.change_noticed_at.is_(None))
        .values(change_noticed_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if not rows_matched(result):
        return None
    return await _to_version(session, row)


_NEWEST_DELIVERED = (
    select(Bilag1VersionRow)
    .join(KortlaegningRow, KortlaegningRow.id == Bilag1VersionRow.kortlaegning_id)
    .where(
        KortlaegningRow.tenant_id == bindparam("tenant"),
        Bilag1VersionRow.send_status.in_([SendStatus.SENT.value, SendStatus.EML.value]),
        # This round's: a new round (storage.coordination.set_up) begins at created_at.
        Bilag1VersionRow.created_at >= KortlaegningRow.created_at,
    )
    .order_by(Bilag1VersionRow.nummer.desc())
    .limit(1)
)
"""The tenant's newest version of this round that went to KOMBIT, by e-mail or as .eml."""


async def _kortlaegning_row(
    session: AsyncSession, tenant_id: str, *, required: bool = True
) -> KortlaegningRow:
    row = await session.scalar(
        select(KortlaegningRow).where(KortlaegningRow.tenant_id == tenant_id)
    )
    if row is None and required:
        raise NoKortlaegning(tenant_id)
    return row  # type: ignore[return-value]


async def _version_row(
    session: AsyncSession, tenant_id: str, version_id: int
) -> Bilag1VersionRow | None:
    return await session.scalar(
        select(Bilag1VersionRow)
        .join(KortlaegningRow, KortlaegningRow.id == Bilag1VersionRow.kortlaegning_id)
        .where(Bilag1VersionRow.id == version_id, KortlaegningRow.tenant_id == tenant_id)
    )


async def _snapshot(session: AsyncSession, row: KortlaegningRow) -> Snapshot:
    # Taken before reading: an answer saved meanwhile may be in the workbook and still count
    # as a change after it, which errs towards reporting a change twice, never missing one.
    taken_at = datetime.now(UTC)
    kontakt = await session.get(PersonRow, row.kontaktperson_id) if row.kontaktperson_id else None
    areas = (
        await session.scalars(
            select(FagomraadeRow)
            .where(FagomraadeRow.kortlaegning_id == row.id)
            .order_by(FagomraadeRow.position)
        )
    ).all()
    area_names = {area.id: area.navn for area in areas}
    systems = await session.execute(
        select(ItSystemRow, AnswerRow)
        .outerjoin(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
        .where(ItSystemRow.fagomraade_id.in_(list(area_names)))
    )
    position = {area.id: area.position for area in areas}
    ordered = sorted(systems, key=lambda pair: (position[pair[0].fagomraade_id], pair[0].position))
    answers = tuple(
        SystemAnswer(
            fagomraade=area_names[system.fagomraade_id],
            navn=system.navn,
            anvendelse=answer.anvendelse if answer else None,
            bemaerkning=answer.bemaerkning if answer else None,
        )
        for system, answer in ordered
    )
    added = await session.scalars(
        select(TilfoejetSystemRow)
        .where(
            TilfoejetSystemRow.fagomraade_id.in_(list(area_names)),
            TilfoejetSystemRow.removed_at.is_(None),
        )
        .order_by(TilfoejetSystemRow.id)
    )
    tilfoejede = tuple(
        Bilag1Tilfoejet(
            fagomraade=area_names[t.fagomraade_id],
            navn=t.navn,
            leverandoer=t.leverandoer,
            svarer_til=t.svarer_til,
            anvendelse=t.anvendelse,
            bemaerkning=t.bemaerkning,
        )
        for t in sorted(added, key=lambda t: (position[t.fagomraade_id], t.id))
    )
    return Snapshot(
        kortlaegning_id=row.id,
        tenant_id=row.tenant_id,
        kommunekode=row.kommunekode,
        template=row.template,
        template_filename=row.template_filename,
        template_mapping=row.template_mapping,
        kontaktperson=to_person(kontakt) if kontakt else None,
        answers=answers,
        tilfoejede=tilfoejede,
        fagomraader=len(areas),
        unsubmitted=tuple(area.navn for area in areas if area.indsendt_at is None),
        taken_at=taken_at,
    )


def _file_row(
    kortlaegning_id: int, kind: FileKind, filename: str, content: bytes, by: int | None
) -> StoredFileRow:
    return StoredFileRow(
        id=secrets.token_hex(16),
        kortlaegning_id=kortlaegning_id,
        kind=kind.value,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_at=datetime.now(UTC),
        created_by=by,
    )


def _to_file(row: StoredFileRow, *, with_content: bool = False) -> StoredFile:
    return StoredFile(
        id=row.id,
        kortlaegning_id=row.kortlaegning_id,
        kind=FileKind(row.kind),
        filename=row.filename,
        sha256=row.sha256,
        size=row.size,
        created_at=row.created_at,
        content=row.content if with_content else b"",
    )


async def _to_version(session: AsyncSession, row: Bilag1VersionRow) -> Bilag1Version:
    file_row = await session.get_one(StoredFileRow, row.file_id)
    names = {
        person.id: person.navn
        for person in await session.scalars(
            select(PersonRow).where(
                PersonRow.id.in_([i for i in (row.created_by, row.sent_by) if i is not None])
            )
        )
    }
    return Bilag1Version(
        id=row.id,
        kortlaegning_id=row.kortlaegning_id,
        nummer=row.nummer,
        reason=VersionReason(row.reason),
        file=_to_file(file_row),
        created_at=row.created_at,
        created_by=names.get(row.created_by) if row.created_by else None,
        send_status=SendStatus(row.send_status),
        send_attempts=row.send_attempts,
        send_error=row.send_error,
        sent_at=row.sent_at,
        sent_by=names.get(row.sent_by) if row.sent_by else None,
        recipient=row.recipient,
        subject=row.subject,
        mail_file_id=row.mail_file_id,
        modtaget_at=row.modtaget_at,
    )


def _change_entry(
    audit: AuditRow,
    by: str | None,
    system: str | None,
    area: str | None,
    added: TilfoejetSystemRow | None,
    added_area: str | None,
) -> ChangeEntry | None:
    if audit.action == "answer":
        if system is None or area is None or audit.it_system_id is None:
            return None  # the system left the catalogue at a later opsæt
        before, before_note = _parse_answer(audit.old_value)
        after, after_note = _parse_answer(audit.new_value)
        return ChangeEntry(
            target=("system", audit.it_system_id),
            kind=ChangeKind.ANSWER,
            fagomraade=area,
            system=system,
            before=before,
            after=after,
            by=by or "",
            at=audit.at,
            before_bemaerkning=before_note,
            after_bemaerkning=after_note,
            kilde=Kilde(audit.kilde) if audit.kilde else None,
        )
    if added is None or added_area is None:
        return None
    removed = audit.action == "remove_system"
    return ChangeEntry(
        target=("tilfoejet", added.id),
        kind=ChangeKind.REMOVED if removed else ChangeKind.ADDED,
        fagomraade=added_area,
        system=added.navn,
        before=added.anvendelse if removed else None,
        after=None if removed else added.anvendelse,
        by=by or "",
        at=audit.at,
    )


def _parse_answer(value: str | None) -> tuple[Anvendelse | None, str | None]:
    """Read storage.survey's audit value "<anvendelse>|<bemærkning>"."""
    if not value:
        return None, None
    anvendelse, _, bemaerkning = value.partition("|")
    try:
        return Anvendelse(anvendelse), bemaerkning or None
    except ValueError:
        return None, None
