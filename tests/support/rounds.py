"""A round delivered to KOMBIT, as the tests need one before a new round is set up."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.archive import ArchiveRepository, render_bilag1
from storage.domain.archive import SendStatus, VersionReason
from tests.support.delivery import TENANT


async def deliver_round(sessions: async_sessionmaker[AsyncSession], by_person_id: int) -> int:
    """Archive the final workbook and record it as sent to KOMBIT; its version number."""
    archive = ArchiveRepository(sessions)
    snapshot = await archive.snapshot(TENANT)
    version = await archive.archive(
        snapshot.kortlaegning_id,
        filename_for=lambda nummer: f"Bilag1-Aarhus-v{nummer}.xlsx",
        content=render_bilag1(snapshot, draft=False, today=date(2027, 8, 30)),
        reason=VersionReason.SEND,
        taken_at=snapshot.taken_at,
        by_person_id=by_person_id,
    )
    await archive.mark_delivered(
        version.id,
        status=SendStatus.SENT,
        by_person_id=by_person_id,
        at=datetime.now(UTC),
        recipient="infrastruktur@kombit.dk",
        subject="Bilag 1",
        mail_filename="E-mail.eml",
        mail=b"From: kim@kommune.dk\r\n\r\n",
        attempts=1,
    )
    return version.nummer
