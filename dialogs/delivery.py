"""Delivering Bilag 1: udkast, bilag1, send, modtaget, historik and ændringer; the file offer in
Teams (a card with a signed link, then Teams' file consent); and the survey's two hooks.

Coordinator-only: the router checks the role before anything here runs. No SQL and no Danish
literals: storage decides what a version or a change is, texts speaks, and the ports reach
SMTP, OneDrive, the download links and other people. Every final workbook made is archived
before it is shown or sent, so nothing KOMBIT receives is missing from `historik`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from botbuilder.schema.teams import FileConsentCardResponse

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, DeliveryAction
from dialogs.commands import Command
from dialogs.context import Caller, caller_of
from dialogs.ports import (
    DownloadLinks,
    Files,
    FileUnavailable,
    Mail,
    Mailer,
    MailNotSent,
    Messenger,
    OutgoingMessage,
)
from storage.archive import ArchiveRepository, Snapshot, render_bilag1
from storage.bilag1.errors import Bilag1Error, MissingAnswers
from storage.conversations import PERSONAL
from storage.coordination import CoordinationRepository
from storage.domain.answers import normalise
from storage.domain.archive import (
    Bilag1Version,
    Change,
    FileKind,
    SendStatus,
    StoredFile,
    VersionReason,
    bilag1_filename,
    eml_filename,
    net_changes,
)
from storage.domain.model import NoKortlaegning
from storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

DELIVERY_COMMANDS = frozenset(
    {Command.UDKAST, Command.SEND, Command.MODTAGET, Command.HISTORIK, Command.AENDRINGER}
)


def recognise_bilag1(text: str) -> bool:
    """`bilag1` / `Bilag 1`: fetch the final workbook again.

    Not a Command: the enum is the contract with the installed manifest's command menus.
    """
    words = normalise(text).split()
    return words[:1] == ["bilag1"] or words[:2] == ["bilag", "1"]


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """What delivery needs from the settings, as plain values."""

    kombit_email: str
    zone: tzinfo
    today: Callable[[], date]
    now: Callable[[], datetime]


class Delivery:
    """The coordinator's delivery commands and cards, the file consent, and the survey hooks."""

    def __init__(
        self,
        archive: ArchiveRepository,
        coordination: CoordinationRepository,
        messenger: Messenger,
        files: Files,
        mailer: Mailer,
        links: DownloadLinks,
        config: DeliveryConfig,
    ) -> None:
        self._archive = archive
        self._coordination = coordination
        self._messenger = messenger
        self._files = files
        self._mailer = mailer
        self._links = links
        self._config = config

    # --- entry points ------------------------------------------------------------------------
    async def run(self, context: TurnContext, command: Command) -> None:
        """A typed delivery command (one of DELIVERY_COMMANDS)."""
        caller = caller_of(context)
        try:
            if command is Command.UDKAST:
                await self._udkast(context, caller)
            elif command is Command.SEND:
                await self._prepare_send(context, caller)
            elif command is Command.MODTAGET:
                await self._modtaget(context, caller)
            elif command is Command.HISTORIK:
                await self._historik(context, caller)
            elif command is Command.AENDRINGER:
                await self._aendringer(context, caller)
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    async def fetch(self, context: TurnContext) -> None:
        """`bilag1`: the current final workbook, archived first if it is new."""
        caller = caller_of(context)
        try:
            snapshot = await self._archive.snapshot(caller.tenant_id)
            if not await self._is_final(context, snapshot, sending=False):
                return
            await _typing(context)
            version = await self._current_version(caller, snapshot, VersionReason.REQUESTED)
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)
            return
        except Bilag1Error as exc:
            await context.send_activity(texts.bilag1_error(exc))
            return
        await self._offer_version(context, caller, version)

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        caller = caller_of(context)
        action = value[ACTION_KEY]
        version_id = _int(value.get("version_id"))
        try:
            if action == DeliveryAction.SEND:
                await self._prepare_send(context, caller)
            elif version_id is None:
                logger.warning("delivery card without a version id ignored")
                await context.send_activity(texts.NOT_UNDERSTOOD)
            elif action == DeliveryAction.HENT:
                version = await self._archive.version(caller.tenant_id, version_id)
                if version is None:
                    await context.send_activity(texts.FILE_GONE)
                else:
                    await self._offer_version(context, caller, version)
            elif action == DeliveryAction.SEND_NU:
                await self._send_now(context, caller, version_id)
            elif action == DeliveryAction.EML:
                await self._send_as_eml(context, caller, version_id)
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    async def on_file_consent(
        self, context: TurnContext, response: FileConsentCardResponse
    ) -> None:
        """The coordinator allowed (or declined) the file in their OneDrive; Teams waits for
        the invoke's answer, so the upload happens now and stays small (Bilag 1 is < 1 MB)."""
        caller = caller_of(context)
        consent = response.context if isinstance(response.context, dict) else {}
        file_id = str(consent.get("file_id") or "")
        stored = await self._archive.tenant_file(caller.tenant_id, file_id) if file_id else None
        if stored is None:
            await context.send_activity(texts.FILE_GONE)
            return
        if response.action == "decline":
            logger.info("file %s declined for OneDrive", stored.id)
            await _remove_consent_card(context)
            await context.send_activity(texts.FILE_DECLINED)
            return
        upload = response.upload_info
        if upload is None or not upload.upload_url:
            logger.warning("file consent accepted without an upload url; file %s", stored.id)
            await context.send_activity(texts.FILE_UPLOAD_FAILED)
            return
        try:
            await self._files.upload(upload.upload_url, stored.content)
        except FileUnavailable:
            await context.send_activity(texts.FILE_UPLOAD_FAILED)
            return
        logger.info("file %s uploaded to OneDrive (%d bytes)", stored.id, stored.size)
        await _remove_consent_card(context)
        reply = MessageFactory.attachment(cards.file_info_attachment(upload))
        reply.text = texts.file_uploaded(filnavn=upload.name or stored.filename)
        await context.send_activity(reply)

    async def kombit_receipt(self, tenant_id: str) -> datetime | None:
        """When KOMBIT confirmed receipt; the status card then shows the task complete."""
        return await self._archive.kombit_receipt(tenant_id)

    # --- the survey's hooks (dialogs.ports.DeliveryHooks) ------------------------------------
    async def all_submitted(self, tenant_id: str, *, by_person_id: int) -> None:
        """Assemble and archive the final workbook, and offer it to every coordinator."""
        snapshot = await self._archive.snapshot(tenant_id)
        if snapshot.unsubmitted:
            return  # an opsæt added an area meanwhile; the last submission will come later
        moment = snapshot.taken_at.isoformat()
        if snapshot.missing:
            # A systemejer may submit with unanswered systems; KOMBIT must not get those.
            await self._messenger.send_to_coordinators(
                tenant_id,
                OutgoingMessage(
                    text=texts.coordinator_all_submitted_incomplete(
                        antal=snapshot.fagomraader, mangler=len(snapshot.missing)
                    ),
                    kind="all_submitted",
                    dedupe_key=f"all_submitted:{snapshot.kortlaegning_id}:{moment}",
                ),
            )
            return
        try:
            version = await self._make_version(
                snapshot, VersionReason.ALL_SUBMITTED, by_person_id=by_person_id
            )
        except Bilag1Error as exc:
            logger.error(
                "final bilag1 for kortlaegning %d could not be written: %s",
                snapshot.kortlaegning_id,
                exc.kind,
            )
            await self._messenger.send_to_coordinators(
                tenant_id,
                OutgoingMessage(text=texts.bilag1_error(exc), kind="all_submitted"),
            )
            return
        logger.info(
            "final bilag1 archived: kortlaegning=%d version=%d",
            snapshot.kortlaegning_id,
            version.nummer,
        )
        await self._messenger.send_to_coordinators(
            tenant_id,
            OutgoingMessage(
                text=texts.coordinator_all_submitted(
                    antal=snapshot.fagomraader, version=version.nummer
                ),
                card=cards.bilag1_ready_card(version),
                kind="all_submitted",
                dedupe_key=f"all_submitted:{snapshot.kortlaegning_id}:{version.id}",
            ),
        )

    async def answers_changed(
        self, tenant_id: str, *, navn: str, uow: UnitOfWork
    ) -> OutgoingMessage | None:
        """The notice that a delivered version's answers have changed, once per version.

        Claimed in the turn's transaction; the caller sends it once the turn has committed.
        """
        version = await self._archive.claim_change_notice(tenant_id, uow=uow)
        if version is None:
            return None
        return OutgoingMessage(
            text=texts.change_after_send(
                navn=navn,
                version=version.nummer,
                tidspunkt=self._when(version.sent_at or version.created_at),
            ),
            kind="changed_after_send",
            dedupe_key=f"changed_after_send:{version.id}",
        )

    # --- udkast ------------------------------------------------------------------------------
    async def _udkast(self, context: TurnContext, caller: Caller) -> None:
        await _typing(context)
        snapshot = await self._archive.snapshot(caller.tenant_id)
        today = self._config.today()
        try:
            content = await asyncio.to_thread(render_bilag1, snapshot, draft=True, today=today)
        except Bilag1Error as exc:
            await context.send_activity(texts.bilag1_error(exc))
            return
        stored = await self._archive.store_file(
            snapshot.kortlaegning_id,
            kind=FileKind.UDKAST,
            filename=bilag1_filename(snapshot.kommune, today, draft=True),
            content=content,
            by_person_id=caller.person_id,
        )
        link = self._links.link(stored.id)
        card = cards.file_card(
            title=texts.UDKAST_TITLE,
            intro=texts.udkast_ready(
                mangler=len(snapshot.missing), ikke_indsendt=snapshot.unsubmitted
            ),
            facts=[(texts.FILE_NAME, stored.filename)],
            link=link,
            zone=self._config.zone,
        )
        await self._offer(context, stored, card, has_link=link is not None)

    # --- send ----------------------------------------------------------------------------------
    async def _prepare_send(self, context: TurnContext, caller: Caller) -> None:
        """Check, archive and show exactly what will go to KOMBIT (or hand over the .eml)."""
        snapshot = await self._archive.snapshot(caller.tenant_id)
        if not await self._is_final(context, snapshot, sending=True):
            return
        last = await self._archive.last_delivered(caller.tenant_id)
        changes = await self._changes_since(last)
        if last is not None and not changes:
            await context.send_activity(
                texts.send_nothing_new(
                    version=last.nummer, tidspunkt=self._when(last.sent_at or last.created_at)
                )
            )
            return
        await _typing(context)
        reason = VersionReason.CHANGE_REPORT if last else VersionReason.SEND
        try:
            version = await self._current_version(caller, snapshot, reason)
        except Bilag1Error as exc:
            await context.send_activity(texts.bilag1_error(exc))
            return
        mail = await self._mail(caller, snapshot, version, last, changes)
        if not self._mailer.configured:
            await self._deliver_eml(context, caller, version, mail, aendringsrapport=bool(last))
            return
        await _send_card(
            context,
            cards.send_preview_card(mail, version_id=version.id, aendringsrapport=bool(last)),
        )

    async def _send_now(self, context: TurnContext, caller: Caller, version_id: int) -> None:
        version = await self._archive.version(caller.tenant_id, version_id)
        if version is None:
            await context.send_activity(texts.FILE_GONE)
            return
        if version.send_status.delivered:
            await context.send_activity(texts.send_busy(version=version.nummer))
            return
        if await self._archive.changed_since(version.kortlaegning_id, version.created_at):
            await context.send_activity(texts.SEND_STALE)
            return
        snapshot = await self._archive.snapshot(caller.tenant_id)
        last = await self._archive.last_delivered(caller.tenant_id)
        changes = await self._changes_since(last)
        mail = await self._mail(caller, snapshot, version, last, changes)
        if not self._mailer.configured:
            await self._deliver_eml(context, caller, version, mail, aendringsrapport=bool(last))
            return
        if not await self._archive.claim_send(caller.tenant_id, version.id, now=self._config.now()):
            await context.send_activity(texts.send_busy(version=version.nummer))
            return
        await _typing(context)
        try:
            sent, attempts = await self._mailer.send(mail)
        except MailNotSent as exc:
            await self._archive.mark_send_failed(
                version.id, attempts=exc.attempts, error=exc.reason
            )
            logger.warning("version %d kept in the archive after a failed send", version.id)
            await _send_card(
                context,
                cards.send_failed_card(
                    texts.send_failed(forsoeg=exc.attempts, permanent=exc.permanent),
                    version_id=version.id,
                    aendringsrapport=bool(last),
                ),
            )
            return
        now = self._config.now()
        await self._archive.mark_delivered(
            version.id,
            status=SendStatus.SENT,
            by_person_id=caller.person_id,
            at=now,
            recipient=mail.to,
            subject=mail.subject,
            mail_filename=eml_filename(version.file.filename),
            mail=sent,
            attempts=attempts,
        )
        logger.info("version %d sent to KOMBIT by person %d", version.id, caller.person_id)
        await _send_card(
            context,
            cards.mail_card(
                mail,
                title=texts.SENT_TITLE,
                intro=texts.sent_done(tidspunkt=self._when(now), aendringsrapport=bool(last)),
                sent_at=self._when(now),
            ),
        )

    async def _send_as_eml(self, context: TurnContext, caller: Caller, version_id: int) -> None:
        """After a failed send: the same e-mail as a file, to send from Outlook."""
        version = await self._archive.version(caller.tenant_id, version_id)
        if version is None:
            await context.send_activity(texts.FILE_GONE)
            return
        if version.send_status is SendStatus.SENT:
            await context.send_activity(texts.send_busy(version=version.nummer))
            return
        snapshot = await self._archive.snapshot(caller.tenant_id)
        last = await self._archive.last_delivered(caller.tenant_id)
        mail = await self._mail(caller, snapshot, version, last, await self._changes_since(last))
        await self._deliver_eml(context, caller, version, mail, aendringsrapport=bool(last))

    async def _deliver_eml(
        self,
        context: TurnContext,
        caller: Caller,
        version: Bilag1Version,
        mail: Mail,
        *,
        aendringsrapport: bool,
    ) -> None:
        """Without SMTP the coordinator sends it: the .eml is archived as handed over."""
        delivered = await self._archive.mark_delivered(
            version.id,
            status=SendStatus.EML,
            by_person_id=caller.person_id,
            at=self._config.now(),
            recipient=mail.to,
            subject=mail.subject,
            mail_filename=eml_filename(version.file.filename),
            mail=self._mailer.eml(mail),
            attempts=0,
        )
        assert delivered.mail_file_id is not None
        stored = await self._archive.tenant_file(caller.tenant_id, delivered.mail_file_id)
        assert stored is not None
        logger.info("version %d handed over as .eml to person %d", version.id, caller.person_id)
        link = self._links.link(stored.id)
        card = cards.mail_card(
            mail,
            title=texts.EML_TITLE,
            intro=texts.eml_ready(aendringsrapport=aendringsrapport),
            link=link,
            zone=self._config.zone,
        )
        await self._offer(context, stored, card, has_link=link is not None)

    async def _mail(
        self,
        caller: Caller,
        snapshot: Snapshot,
        version: Bilag1Version,
        last: Bilag1Version | None,
        changes: Sequence[Change],
    ) -> Mail:
        """The e-mail to KOMBIT: the first delivery, or a change report after one."""
        stored = await self._archive.tenant_file(caller.tenant_id, version.file.id)
        assert stored is not None  # a version's file is never deleted while the version lives
        kontakt = snapshot.kontaktperson
        navn = kontakt.navn if kontakt and kontakt.navn else None
        email = kontakt.email if kontakt else None
        if email is None:
            email = (await self._coordination.person(caller.person_id)).email
        if last is None:
            body = texts.kombit_body(
                kommune=snapshot.kommune,
                kontaktperson=navn,
                email=email,
                fagomraader=snapshot.fagomraader,
                systemer=snapshot.systemer,
                tilfoejede=len(snapshot.tilfoejede),
            )
        else:
            body = texts.change_report_body(
                kommune=snapshot.kommune,
                kontaktperson=navn,
                email=email,
                version=last.nummer,
                sendt=self._when(last.sent_at or last.created_at),
                changes=changes,
                zone=self._config.zone,
            )
        return Mail(
            to=self._config.kombit_email,
            subject=texts.kombit_subject(kommune=snapshot.kommune),
            body=body,
            attachment_name=stored.filename,
            attachment=stored.content,
            reply_to=email,
        )

    # --- modtaget, historik, ændringer ----------------------------------------------------------
    async def _modtaget(self, context: TurnContext, caller: Caller) -> None:
        version, recorded = await self._archive.record_receipt(
            caller.tenant_id, by_person_id=caller.person_id, at=self._config.now()
        )
        if version is None:
            await context.send_activity(texts.MODTAGET_NOTHING_SENT)
        elif not recorded:
            await context.send_activity(
                texts.modtaget_already(
                    version=version.nummer, tidspunkt=self._when(version.modtaget_at)
                )
            )
        else:
            logger.info("KOMBIT receipt of version %d recorded", version.id)
            await context.send_activity(texts.modtaget_done(version=version.nummer))

    async def _historik(self, context: TurnContext, caller: Caller) -> None:
        versions = await self._archive.versions(caller.tenant_id)
        if not versions:
            await context.send_activity(texts.HISTORIK_EMPTY)
            return
        await _send_card(context, cards.historik_card(versions, self._config.zone))

    async def _aendringer(self, context: TurnContext, caller: Caller) -> None:
        last = await self._archive.last_delivered(caller.tenant_id)
        if last is None:
            await context.send_activity(texts.AENDRINGER_NOT_SENT)
            return
        changes = await self._changes_since(last)
        sendt = self._when(last.sent_at or last.created_at)
        if not changes:
            await context.send_activity(texts.aendringer_none(version=last.nummer, tidspunkt=sendt))
            return
        await _send_card(
            context,
            cards.aendringer_card(
                title=texts.aendringer_title(
                    antal=len(changes), version=last.nummer, tidspunkt=sendt
                ),
                lines=[texts.change_line(change, self._config.zone) for change in changes],
            ),
        )

    # --- shared ------------------------------------------------------------------------------
    async def _is_final(self, context: TurnContext, snapshot: Snapshot, *, sending: bool) -> bool:
        """Every area submitted and every system answered; otherwise say what is missing."""
        if snapshot.unsubmitted:
            await context.send_activity(
                texts.send_refused_unsubmitted(fagomraader=snapshot.unsubmitted)
                if sending
                else texts.bilag1_not_ready(ikke_indsendt=snapshot.unsubmitted)
            )
            return False
        if snapshot.missing:
            await context.send_activity(
                texts.send_refused_missing(MissingAnswers(snapshot.missing))
            )
            return False
        return True

    async def _current_version(
        self, caller: Caller, snapshot: Snapshot, reason: VersionReason
    ) -> Bilag1Version:
        """The newest archived version if nothing changed since it was made, else a new one.

        Re-using it means the coordinator sends exactly the file they were shown.
        """
        latest = await self._archive.latest(caller.tenant_id)
        if latest is not None and not await self._archive.changed_since(
            snapshot.kortlaegning_id, latest.created_at
        ):
            return latest
        return await self._make_version(snapshot, reason, by_person_id=caller.person_id)

    async def _make_version(
        self, snapshot: Snapshot, reason: VersionReason, *, by_person_id: int | None
    ) -> Bilag1Version:
        today = self._config.today()
        # openpyxl takes ~0.4 s for a full Bilag 1; a thread keeps other turns flowing.
        content = await asyncio.to_thread(render_bilag1, snapshot, draft=False, today=today)
        return await self._archive.archive(
            snapshot.kortlaegning_id,
            filename_for=lambda nummer: bilag1_filename(
                snapshot.kommune, today, nummer=nummer, draft=False
            ),
            content=content,
            reason=reason,
            taken_at=snapshot.taken_at,
            by_person_id=by_person_id,
        )

    async def _changes_since(self, last: Bilag1Version | None) -> list[Change]:
        # Since the delivered version was made, not sent: a change in between is not in the
        # workbook KOMBIT holds either.
        if last is None:
            return []
        entries = await self._archive.change_entries(last.kortlaegning_id, last.created_at)
        return net_changes(entries)

    async def _offer_version(
        self, context: TurnContext, caller: Caller, version: Bilag1Version
    ) -> None:
        stored = await self._archive.tenant_file(caller.tenant_id, version.file.id)
        if stored is None:
            await context.send_activity(texts.FILE_GONE)
            return
        link = self._links.link(stored.id)
        card = cards.file_card(
            title=texts.bilag1_version_title(nummer=version.nummer),
            intro=None,
            facts=cards.version_facts(version, self._config.zone),
            link=link,
            zone=self._config.zone,
        )
        await self._offer(context, stored, card, has_link=link is not None)

    async def _offer(
        self, context: TurnContext, stored: StoredFile, card: cards.Card, *, has_link: bool
    ) -> None:
        """The card (with its signed link), then Teams' file consent in a personal chat."""
        await _send_card(context, card)
        if _is_personal(context):
            consent = cards.file_consent_card(
                filename=stored.filename, size=stored.size, file_id=stored.id
            )
            await context.send_activity(
                MessageFactory.attachment(
                    cards.as_file_consent_attachment(consent, filename=stored.filename)
                )
            )
        elif not has_link:
            await context.send_activity(texts.FILE_ONLY_IN_PERSONAL_CHAT)

    def _when(self, moment: datetime | None) -> str:
        return texts.tidspunkt(moment, self._config.zone) if moment else ""


def _is_personal(context: TurnContext) -> bool:
    # Teams offers file consent only in personal scope (manifest supportsFiles).
    conversation = context.activity.conversation
    return (conversation.conversation_type if conversation else None) in (None, PERSONAL)


async def _typing(context: TurnContext) -> None:
    """Show "…" while a workbook is written or an e-mail sent: both take a moment."""
    await context.send_activity(Activity(type=ActivityTypes.typing))


async def _send_card(context: TurnContext, card: cards.Card) -> None:
    await context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))


async def _remove_consent_card(context: TurnContext) -> None:
    """Delete the answered consent card, so it cannot be pressed a second time."""
    if context.activity.reply_to_id:
        await context.delete_activity(context.activity.reply_to_id)


def _int(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None
