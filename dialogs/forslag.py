"""forslag: the coordinator loads suggestions (last round, KITOS) and reviews them.

A source is chosen on one card: last round's answers from the archive (or an uploaded filled
Bilag 1), KITOS' export sent in the chat, or KITOS' API when the bot has a token. The source's
systems are matched to this round's (storage.domain.suggestions) and stored as suggestions;
the review card then shows per fagområde what is suggested, and the uncertain matches and
additions to accept or reject. Nothing here answers anything: a systemejer confirms each
suggestion with a press of their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, ForslagKilde, KoordinatorAction, card_number
from dialogs.context import caller_of
from dialogs.coordinator import KoordinatorConfig
from dialogs.ports import FileAddressRefused, Files, FileTooLarge, FileUnavailable, KitosSource
from dialogs.prompts import InputPrompt
from dialogs.uploads import read_bilag1_off_loop, read_kitos_off_loop, uploaded_file
from storage.bilag1.errors import Bilag1Error
from storage.catalogue.kommuner import load_kommuner
from storage.coordination import CoordinationRepository
from storage.domain.answers import normalise
from storage.domain.forslag import ForslagOversigt
from storage.domain.kitos import KitosError
from storage.domain.model import Kilde, NoKortlaegning
from storage.domain.suggestions import SourceSystem
from storage.suggestions.kitos_layout import Column, KitosExport, KitosExportError
from storage.suggestions.rounds import LastRound, RoundsRepository, sources_from_bilag1
from storage.suggestions.store import ForslagRepository

logger = logging.getLogger(__name__)

FORSLAG_DIALOG_ID = "forslag"
_KILDE_PROMPT = "forslag.kilde"
_INGEN_WORDS = frozenset({"ingen", "ingen forslag", "spring over"})


@dataclass(frozen=True, slots=True)
class ForslagSources:
    """Where suggestions are read and stored; kitos is None without KITOS_URL/KITOS_TOKEN."""

    forslag: ForslagRepository
    rounds: RoundsRepository
    kitos: KitosSource | None = None


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A source read, matched and stored; what the coordinator is told about it."""

    kilde: Kilde | None
    """None: the coordinator chose no suggestions, and every earlier one was dropped."""
    oversigt: ForslagOversigt
    note: str | None = None

    def plain(self) -> dict[str, Any]:
        return {
            "kilde": self.kilde.value if self.kilde else ForslagKilde.INGEN.value,
            "systemer": sum(area.med_forslag for area in self.oversigt.fagomraader),
            "usikre": sum(len(area.usikre) for area in self.oversigt.fagomraader),
            "tilfoejelser": sum(len(a.tilfoejelser) for a in self.oversigt.fagomraader)
            + len(self.oversigt.uden_omraade),
            "note": self.note,
        }


class ForslagDialog(ComponentDialog):
    """The source card, then one source loaded (or none), then the review card.

    Options: arkiv (the archived workbook's description, None without one; read when
    absent), vis (show the review card first, for the `forslag` command), card (a source card
    pressed outside the dialog).
    """

    def __init__(
        self,
        sources: ForslagSources,
        coordination: CoordinationRepository,
        files: Files,
        config: KoordinatorConfig,
    ) -> None:
        super().__init__(FORSLAG_DIALOG_ID)
        self._sources = sources
        self._coordination = coordination
        self._files = files
        self._config = config
        self.add_dialog(InputPrompt(_KILDE_PROMPT, self._source_is_loaded))
        self.add_dialog(
            WaterfallDialog(f"{FORSLAG_DIALOG_ID}.steps", [self._offer_step, self._loaded_step])
        )
        self.initial_dialog_id = f"{FORSLAG_DIALOG_ID}.steps"

    @property
    def sources(self) -> ForslagSources:
        return self._sources

    @staticmethod
    def wants(context: TurnContext, text: str) -> bool:
        """Whether a message is for the waiting source prompt: a file, or "ingen"."""
        return uploaded_file(context) is not None or _says_ingen(text)

    async def _offer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = dict(step.options or {})
        tenant_id = caller_of(step.context).tenant_id
        card = options.get("card")
        if isinstance(card, dict):
            outcome = await self._choose(step.context, card, {})
            if isinstance(outcome, _Loaded):
                return await step.next(outcome.plain())
            if outcome is not None:
                await step.context.send_activity(outcome)
        elif options.get("vis"):
            oversigt = await self._sources.forslag.oversigt(tenant_id)
            if not oversigt.tom:
                await _send_card(step.context, cards.forslag_card(oversigt))
        if not isinstance(card, dict):
            if "arkiv" not in options:
                options.update(await self.last_round_options(tenant_id))
            await _send_card(
                step.context,
                cards.forslag_kilde_card(
                    sidste_runde=options.get("arkiv"), kitos=self._sources.kitos is not None
                ),
            )
        # The card asks; a file that cannot be read is answered by the validator, saying why.
        return await step.prompt(_KILDE_PROMPT, PromptOptions())

    async def _loaded_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        loaded: dict[str, Any] = step.result
        if loaded["kilde"] == ForslagKilde.INGEN:
            await step.context.send_activity(texts.FORSLAG_INGEN_DONE)
            return await step.end_dialog()
        await step.context.send_activity(
            texts.forslag_loaded(
                kilde=loaded["kilde"],
                systemer=loaded["systemer"],
                usikre=loaded["usikre"],
                tilfoejelser=loaded["tilfoejelser"],
            )
        )
        if loaded.get("note"):
            await step.context.send_activity(loaded["note"])
        oversigt = await self._sources.forslag.oversigt(caller_of(step.context).tenant_id)
        await _send_card(step.context, cards.forslag_card(oversigt))
        return await step.end_dialog()

    async def last_round_options(self, tenant_id: str) -> dict[str, Any]:
        """What the source card says of last round (arkiv), and how many systemejere it
        suggests (ejere). The sources themselves are read again when chosen: the archive
        keeps them, owners included, so the dialog state need not."""
        last = await self._last_round(tenant_id)
        return {
            "arkiv": _arkiv(last, self._config) if last else None,
            "ejere": len({p.key for s in last.sources for p in s.systemejere}) if last else 0,
        }

    async def _last_round(self, tenant_id: str) -> LastRound | None:
        try:
            return await self._sources.rounds.last_round(tenant_id)
        except Bilag1Error as exc:
            # The archived file is the bot's own; one it cannot read is worth a warning.
            logger.warning("last round's archived workbook unreadable: %s", exc.kind)
            return None

    # --- the prompt: a press on the source card, a file, or "ingen" ------------------------
    async def _source_is_loaded(self, prompt: PromptValidatorContext) -> bool:
        received = prompt.recognized.value or {}
        value = received.get("value")
        outcome: _Loaded | str | None
        if isinstance(value, dict) and value.get(ACTION_KEY) == KoordinatorAction.FORSLAG_KILDE:
            outcome = await self._choose(prompt.context, value, prompt.state)
        elif (upload := uploaded_file(prompt.context)) is not None:
            outcome = await self._from_upload(
                prompt.context, upload, str(prompt.state.get("venter") or "")
            )
        elif _says_ingen(received.get("text", "")):
            await self._sources.forslag.clear(caller_of(prompt.context).tenant_id)
            outcome = _Loaded(None, ForslagOversigt((), ()))
        else:
            outcome = texts.FORSLAG_ASK
        if isinstance(outcome, _Loaded):
            prompt.recognized.value = outcome.plain()
            return True
        if outcome is not None:
            await prompt.context.send_activity(outcome)
        return False

    async def _choose(
        self,
        context: TurnContext,
        value: dict[str, Any],
        state: dict[str, Any],
    ) -> _Loaded | str | None:
        """Act on a press of the source card: load, wait for a file (None), or say why not."""
        tenant_id = caller_of(context).tenant_id
        try:
            kilde = ForslagKilde(str(value.get("kilde")))
        except ValueError:
            return texts.FORSLAG_ASK
        await _close_kilde_card(context, kilde)
        if kilde is ForslagKilde.INGEN:
            await self._sources.forslag.clear(tenant_id)
            return _Loaded(None, ForslagOversigt((), ()))
        if kilde is ForslagKilde.SIDSTE_RUNDE:
            last = await self._last_round(tenant_id)
            if last is None:
                return texts.FORSLAG_NO_LAST_ROUND
            return await self._store(tenant_id, Kilde.SIDSTE_RUNDE, last.sources)
        if kilde is ForslagKilde.HENT_KITOS:
            return await self._from_kitos_api(context, tenant_id)
        state["venter"] = kilde.value
        await context.send_activity(
            texts.FORSLAG_SEND_BILAG1
            if kilde is ForslagKilde.UPLOAD_BILAG1
            else texts.FORSLAG_SEND_KITOS
        )
        return None

    async def _from_kitos_api(self, context: TurnContext, tenant_id: str) -> _Loaded | str:
        if self._sources.kitos is None:
            return texts.FORSLAG_NO_KITOS
        kortlaegning = await self._coordination.kortlaegning(tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(tenant_id)
        kommune = next(
            k.officielt_navn for k in load_kommuner() if k.kode == kortlaegning.kommunekode
        )
        await context.send_activity(texts.FORSLAG_KITOS_FETCHING)
        try:
            systemer = await self._sources.kitos.system_usages(kommune)
        except KitosError as exc:
            logger.info("kitos not read: %s (HTTP %s)", exc.kind, exc.status)
            return texts.kitos_error(exc, kommune=kommune)
        return await self._store(tenant_id, Kilde.KITOS, [s.as_source() for s in systemer])

    async def _from_upload(
        self, context: TurnContext, upload: tuple[str, str], venter: str
    ) -> _Loaded | str:
        """Last round's Bilag 1 or KITOS' export, as the coordinator said (or as it looks)."""
        filename, url = upload
        max_bytes = self._config.max_upload_bytes
        tenant_id = caller_of(context).tenant_id
        try:
            data = await self._files.download(url, max_bytes=max_bytes)
        except FileTooLarge as exc:
            return texts.opsaet_file_too_large(filnavn=filename, max_bytes=exc.limit)
        except FileAddressRefused:
            return texts.file_address_refused(filnavn=filename)
        except FileUnavailable:
            return texts.opsaet_file_download_failed(filnavn=filename)
        export: KitosExport | KitosExportError | None = None
        if venter != ForslagKilde.UPLOAD_BILAG1:
            try:
                export = await read_kitos_off_loop(data, filename=filename, max_bytes=max_bytes)
            except KitosExportError as exc:
                logger.info("uploaded kitos export refused: %s", exc.kind)
                export = exc
        # A KITOS export says so by its life cycle or Systemejer column; a Bilag 1 has neither.
        kitos_like = isinstance(export, KitosExport) and bool(
            export.columns & {Column.LIVSCYKLUS, Column.SYSTEMEJER}
        )
        if venter == ForslagKilde.UPLOAD_KITOS or kitos_like:
            if isinstance(export, KitosExportError):
                return texts.kitos_export_error(export)
            if isinstance(export, KitosExport):
                return await self._store_export(tenant_id, export)
        try:
            bilag1 = await read_bilag1_off_loop(data, filename=filename, max_bytes=max_bytes)
        except Bilag1Error as exc:
            logger.info("uploaded last round refused: %s", exc.kind)
            if isinstance(export, KitosExport):
                return await self._store_export(tenant_id, export)
            return texts.bilag1_error(exc)
        return await self._store(tenant_id, Kilde.SIDSTE_RUNDE, sources_from_bilag1(bilag1))

    async def _store_export(self, tenant_id: str, export: KitosExport) -> _Loaded:
        livscyklus = Column.LIVSCYKLUS in export.columns
        systemejer = Column.SYSTEMEJER in export.columns
        note = (
            None
            if livscyklus and systemejer
            else texts.forslag_kitos_columns_missing(livscyklus=livscyklus, systemejer=systemejer)
        )
        sources = [system.as_source() for system in export.systemer]
        loaded = await self._store(tenant_id, Kilde.KITOS, sources)
        return _Loaded(loaded.kilde, loaded.oversigt, note)

    async def _store(
        self, tenant_id: str, kilde: Kilde, sources: Sequence[SourceSystem]
    ) -> _Loaded:
        this_round = await self._sources.rounds.this_round(tenant_id)
        # Hundreds by hundreds of names: CPU-bound, so off the event loop.
        suggestions = await asyncio.to_thread(this_round.match, sources)
        oversigt = await self._sources.forslag.replace(tenant_id, kilde, suggestions)
        logger.info(
            "suggestions from %s stored: %d matched, %d unmatched",
            kilde.value,
            sum(1 for m in suggestions.systemer if m.source is not None),
            len(suggestions.unmatched),
        )
        return _Loaded(kilde, oversigt)


class ForslagReview:
    """The review card's decisions, one turn each; the card is updated in place."""

    def __init__(self, forslag: ForslagRepository) -> None:
        self._forslag = forslag

    async def show(self, context: TurnContext) -> None:
        oversigt = await self._forslag.oversigt(caller_of(context).tenant_id)
        await _send_card(context, cards.forslag_card(oversigt))

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        tenant_id = caller_of(context).tenant_id
        accept = value.get("accept") is True
        if value[ACTION_KEY] == KoordinatorAction.FORSLAG_AFGOER:
            forslag_id = card_number(value.get("forslag_id"))
            decided = forslag_id is not None and await self._forslag.decide(
                tenant_id, forslag_id, accept=accept
            )
        else:
            tilfoejelse_id = card_number(value.get("tilfoejelse_id"))
            area_id = card_number(value.get(f"omraade_{tilfoejelse_id}"))
            if (
                tilfoejelse_id is not None
                and accept
                and area_id is None
                and await self._needs_area(tenant_id, tilfoejelse_id)
            ):
                await context.send_activity(texts.FORSLAG_VAELG_OMRAADE)
                return
            decided = tilfoejelse_id is not None and await self._forslag.decide_tilfoejelse(
                tenant_id, tilfoejelse_id, accept=accept, fagomraade_id=area_id
            )
        oversigt = await self._forslag.oversigt(tenant_id)
        if not decided:
            await context.send_activity(texts.FORSLAG_STALE)
            await _send_card(context, cards.forslag_card(oversigt))
            return
        await _replace_card(context, cards.forslag_card(oversigt))

    async def _needs_area(self, tenant_id: str, tilfoejelse_id: int) -> bool:
        oversigt = await self._forslag.oversigt(tenant_id)
        return any(t.id == tilfoejelse_id for t in oversigt.uden_omraade)


def _arkiv(last: LastRound, config: KoordinatorConfig) -> str:
    sendt = texts.tidspunkt(last.sent_at, config.zone) if last.sent_at else None
    return texts.forslag_sidste_runde_arkiv(version=last.version_nummer, sendt=sendt)


def _says_ingen(text: str) -> bool:
    # Not "nej": that answers a system, and a coordinator may be answering one meanwhile.
    return normalise(text) in _INGEN_WORDS


_KILDE_TITLES: dict[ForslagKilde, str] = {
    ForslagKilde.SIDSTE_RUNDE: texts.FORSLAG_SIDSTE_RUNDE,
    ForslagKilde.UPLOAD_BILAG1: texts.FORSLAG_UPLOAD_BILAG1,
    ForslagKilde.UPLOAD_KITOS: texts.FORSLAG_UPLOAD_KITOS,
    ForslagKilde.HENT_KITOS: texts.FORSLAG_HENT_KITOS,
    ForslagKilde.INGEN: texts.FORSLAG_INGEN,
}


async def _close_kilde_card(context: TurnContext, kilde: ForslagKilde) -> None:
    """Show on the pressed source card what was chosen, without buttons."""
    await _replace_card(
        context,
        cards.forslag_kilde_card(sidste_runde=None, kitos=False, valgt=_KILDE_TITLES[kilde]),
        send_if_none=False,
    )


async def _send_card(context: TurnContext, card: cards.Card) -> None:
    await context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))


async def _replace_card(
    context: TurnContext, card: cards.Card, *, send_if_none: bool = True
) -> None:
    """Update the pressed card in place; without one to update, send the card anew."""
    card_id = context.activity.reply_to_id
    if not card_id:
        if send_if_none:
            await _send_card(context, card)
        return
    await context.update_activity(
        Activity(id=card_id, type=ActivityTypes.message, attachments=[cards.as_attachment(card)])
    )
