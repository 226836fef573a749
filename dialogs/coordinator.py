"""The infrastrukturansvarlig's commands: opsæt, tildel, start, status, påmind, koordinator.

Delivering Bilag 1 (udkast, send, modtaget, historik, ændringer) is in dialogs.delivery.

Only coordinators may use them; the check happens here, once, before any command runs.
Set-up is a dialog (it asks for kommune, slutdato and Bilag 1 in turn, or takes one card);
the other commands answer in one turn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, KoordinatorAction
from dialogs.commands import Command
from dialogs.context import Caller, caller_of
from dialogs.delivery import Delivery
from dialogs.ports import (
    Files,
    FileTooLarge,
    FileUnavailable,
    Member,
    Messenger,
    OutgoingMessage,
    Roster,
)
from dialogs.prompts import InputPrompt
from dialogs.survey_words import SurveyWord, recognise_survey_word
from storage.bilag1.errors import Bilag1Error
from storage.bilag1.layout import Bilag1
from storage.bilag1.reader import read_bilag1
from storage.catalogue.kommuner import load_kommuner
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.answers import normalise, parse_anvendelse
from storage.domain.dates import is_in_past, parse_danish_date
from storage.domain.kommuner import KommuneFound, KommuneSuggestions, find_kommune
from storage.domain.model import (
    CatalogueFagomraade,
    CatalogueSystem,
    Fagomraade,
    Kommune,
    NoKortlaegning,
    Person,
)
from storage.domain.progress import compute_progress
from storage.domain.schedule import danish_holidays
from storage.survey import SurveyRepository

logger = logging.getLogger(__name__)

OPSAET_DIALOG_ID = "opsaet"
_OPSAET_LOOP = "opsaet.steps"
_CONFIRM_PROMPT = "opsaet.confirm"
_KOMMUNE_PROMPT = "opsaet.kommune"
_SLUTDATO_PROMPT = "opsaet.slutdato"
_SKABELON_PROMPT = "opsaet.skabelon"

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class KoordinatorConfig:
    """What the coordinator commands need from the settings, as plain values."""

    koordinatorer: tuple[str, ...]
    auth_enabled: bool
    max_upload_bytes: int
    zone: tzinfo
    today: Callable[[], date]


def recognise_koordinator_add(text: str) -> str | None:
    """`koordinator tilføj <person>` → the person part, else None."""
    words = text.strip().split(maxsplit=2)
    if (
        len(words) == 3
        and normalise(words[0]) == "koordinator"
        and normalise(words[1])
        in {
            "tilfoej",
            "tilfoj",
            "add",
        }
    ):
        return words[2]
    return None


class KoordinatorCommands:
    """Role check and the one-turn commands; opsæt is handed to OpsaetDialog."""

    def __init__(
        self,
        coordination: CoordinationRepository,
        survey: SurveyRepository,
        messenger: Messenger,
        roster: Roster,
        config: KoordinatorConfig,
        *,
        delivery: Delivery | None = None,
    ) -> None:
        self._coordination = coordination
        self._survey = survey
        self._messenger = messenger
        self._roster = roster
        self._config = config
        self._delivery = delivery

    async def allowed(self, context: TurnContext, *, may_claim: bool) -> bool:
        """True for a coordinator; tells anyone else why not (and who to ask)."""
        caller = caller_of(context)
        configured = self._config.koordinatorer
        if await self._coordination.is_koordinator(caller.person_id, configured):
            return True
        nobody = not configured and not await self._coordination.has_koordinator(caller.tenant_id)
        if nobody and may_claim and not self._config.auth_enabled:
            # A local trial has no settings to name a coordinator: the first to set up is it.
            await self._coordination.make_koordinator(caller.person_id)
            await context.send_activity(texts.BECAME_KOORDINATOR)
            return True
        if nobody and self._config.auth_enabled:
            await context.send_activity(texts.NO_KOORDINATORER_CONFIGURED)
            return False
        named = [
            p.navn or p.email or ""
            for p in await self._coordination.coordinators(caller.tenant_id, configured)
        ]
        await context.send_activity(
            texts.not_koordinator(koordinatorer=[n for n in named if n] or list(configured))
        )
        logger.info("coordinator command refused for person %d", caller.person_id)
        return False

    async def run(self, context: TurnContext, command: Command, text: str) -> None:
        caller = caller_of(context)
        try:
            if command is Command.TILDEL:
                await self._tildel(context, caller, _after_command(text))
            elif command is Command.START:
                await self._start(context, caller)
            elif command is Command.STATUS:
                await self._status(context, caller, _after_command(text))
            elif command is Command.PAAMIND:
                await self._paamind(context, caller)
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    async def add_koordinator(self, context: TurnContext, query: str) -> None:
        caller = caller_of(context)
        person = await self._resolve_person(context, caller, query)
        if person is None:
            await context.send_activity(texts.tildel_unknown_person(query=query))
            await context.send_activity(texts.KOORDINATOR_ADD_HOW)
            return
        await self._coordination.make_koordinator(person.id)
        await context.send_activity(texts.koordinator_added(navn=person.navn))

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        caller = caller_of(context)
        try:
            if value[ACTION_KEY] == KoordinatorAction.TILDEL:
                area_id = _int(value.get("fagomraade_id"))
                aad = str(value.get("person") or "")
                areas = {a.id: a for a in await self._coordination.fagomraader(caller.tenant_id)}
                member = next(
                    (m for m in await self._roster.members(context) if m.aad_object_id == aad),
                    None,
                )
                if area_id not in areas or member is None:
                    await context.send_activity(texts.TILDEL_HOW)
                    return
                person = await self._person_of(caller, member)
                await self._assign(context, caller, areas[area_id], person)  # type: ignore[index]
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    # --- tildel --------------------------------------------------------------------------
    async def _tildel(self, context: TurnContext, caller: Caller, rest: str) -> None:
        areas = await self._coordination.fagomraader(caller.tenant_id)
        mentions = [m for m in _mentions(context) if m["id"] != context.activity.recipient.id]
        cleaned = _MENTION.sub("", rest).strip()
        if not cleaned and not mentions:
            await self._send_tildel_card(context, areas)
            return
        if mentions:
            area_query, person_query = cleaned, ""
        else:
            area_query, _, person_query = cleaned.rpartition(" ")
        if not area_query:
            await context.send_activity(texts.TILDEL_HOW)
            return
        matches = await self._coordination.fagomraade_by_name(caller.tenant_id, area_query)
        if not matches:
            await context.send_activity(
                texts.tildel_unknown_fagomraade(
                    query=area_query, fagomraader=[a.navn for a in areas]
                )
            )
            return
        if len(matches) > 1:
            await context.send_activity(
                texts.tildel_ambiguous_fagomraade(navne=[a.navn for a in matches])
            )
            return
        if mentions:
            member = await self._roster.member(context, mentions[0]["id"])
            person = await self._person_of(caller, member) if member else None
            query = mentions[0].get("name") or ""
        else:
            person = await self._resolve_person(context, caller, person_query)
            query = person_query
        if person is None:
            await context.send_activity(texts.tildel_unknown_person(query=query))
            return
        await self._assign(context, caller, matches[0], person)

    async def _assign(
        self, context: TurnContext, caller: Caller, area: Fagomraade, person: Person
    ) -> None:
        if not await self._coordination.assign(area.id, person.id, by_person_id=caller.person_id):
            await context.send_activity(
                texts.tildel_already(fagomraade=area.navn, navn=person.navn)
            )
            return
        invited = False
        if await self._coordination.is_started(caller.tenant_id):
            # After start, someone added later is invited at once (DESIGN §3).
            invited = not (await self._invite(context, caller, [(area, person)]))
        await context.send_activity(
            texts.tildel_done(fagomraade=area.navn, navn=person.navn, inviteret=invited)
        )

    async def _send_tildel_card(self, context: TurnContext, areas: Sequence[Fagomraade]) -> None:
        owners = [
            (area, [p.navn for p in await self._coordination.owners(area.id)]) for area in areas
        ]
        members = await self._roster.members(context)
        await context.send_activity(
            MessageFactory.attachment(cards.as_attachment(cards.tildel_card(owners, members)))
        )

    async def _resolve_person(
        self, context: TurnContext, caller: Caller, query: str
    ) -> Person | None:
        query = query.strip()
        if normalise(query) == "mig":
            return await self._coordination.person(caller.person_id)
        if not _EMAIL.match(query):
            return None
        known = await self._coordination.find_person(caller.tenant_id, query)
        if len(known) == 1:
            return known[0]
        member = await self._roster.find(context, query)
        return await self._person_of(caller, member) if member else None

    async def _person_of(self, caller: Caller, member: Member) -> Person:
        return await self._coordination.ensure_person(
            caller.tenant_id,
            member.aad_object_id,
            navn=member.navn,
            email=member.email,
            teams_user_id=member.teams_user_id,
        )

    # --- start og påmind ------------------------------------------------------------------
    async def _start(self, context: TurnContext, caller: Caller) -> None:
        pending = await self._coordination.uninvited(caller.tenant_id)
        facts = await self._coordination.status_facts(caller.tenant_id)
        unassigned = [f.fagomraade.navn for f in facts if not f.owners]
        if not pending:
            await context.send_activity(texts.START_NOTHING)
            if unassigned:
                await context.send_activity(texts.start_unassigned(fagomraader=unassigned))
            return
        await self._coordination.mark_started(caller.tenant_id)
        unreachable = await self._invite(context, caller, pending)
        await context.send_activity(
            texts.start_done(inviteret=len({p.id for _, p in pending} - set(unreachable)))
        )
        if unreachable:
            await context.send_activity(texts.unreachable(navne=list(unreachable.values())))
        if unassigned:
            await context.send_activity(texts.start_unassigned(fagomraader=unassigned))

    async def _invite(
        self, context: TurnContext, caller: Caller, pending: Sequence[tuple[Fagomraade, Person]]
    ) -> dict[int, str]:
        """Send invitations; returns the people who could not be reached, by id → name."""
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        assert kortlaegning is not None
        unreachable: dict[int, str] = {}
        for area, person in pending:
            report = await self._messenger.send_to_person(
                caller.tenant_id,
                person.id,
                OutgoingMessage(
                    card=cards.invitation_card(
                        fagomraade_id=area.id,
                        fagomraade=area.navn,
                        antal=area.antal_systemer,
                        slutdato=kortlaegning.slutdato,
                        koordinator=caller.navn,
                    ),
                    kind="invitation",
                    dedupe_key=f"invitation:{area.id}:{person.id}",
                ),
            )
            if report.delivered:
                await self._coordination.mark_invited(area.id, person.id)
            else:
                unreachable[person.id] = person.navn or person.email or "?"
        return unreachable

    async def _paamind(self, context: TurnContext, caller: Caller) -> None:
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(caller.tenant_id)
        reminded: set[int] = set()
        unreachable: dict[int, str] = {}
        for facts in await self._coordination.status_facts(caller.tenant_id):
            area = facts.fagomraade
            if area.indsendt_at is not None:
                continue
            for owner in facts.owners:
                report = await self._messenger.send_to_person(
                    caller.tenant_id,
                    owner.id,
                    OutgoingMessage(
                        text=texts.reminder_now(
                            fagomraade=area.navn,
                            mangler=area.antal_systemer - facts.answered,
                            slutdato=kortlaegning.slutdato,
                        ),
                        kind="reminder",
                    ),
                )
                if report.delivered:
                    reminded.add(owner.id)
                else:
                    unreachable[owner.id] = owner.navn
        if not reminded and not unreachable:
            await context.send_activity(texts.PAAMIND_NOBODY)
            return
        await context.send_activity(texts.paamind_done(antal=len(reminded)))
        if unreachable:
            await context.send_activity(texts.unreachable(navne=list(unreachable.values())))

    # --- status ---------------------------------------------------------------------------
    async def _status(self, context: TurnContext, caller: Caller, rest: str) -> None:
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(caller.tenant_id)
        if rest:
            matches = await self._coordination.fagomraade_by_name(caller.tenant_id, rest)
            if len(matches) != 1:
                areas = await self._coordination.fagomraader(caller.tenant_id)
                await context.send_activity(
                    texts.tildel_unknown_fagomraade(query=rest, fagomraader=[a.navn for a in areas])
                    if not matches
                    else texts.tildel_ambiguous_fagomraade(navne=[a.navn for a in matches])
                )
                return
            overview = await self._survey.read_overview(matches[0].id)
            await context.send_activity(
                MessageFactory.attachment(
                    cards.as_attachment(cards.summary_card(overview, readonly=True))
                )
            )
            return
        today = self._config.today()
        progress = compute_progress(
            await self._coordination.status_facts(caller.tenant_id),
            today=today,
            slutdato=kortlaegning.slutdato,
            helligdage=danish_holidays({today.year, kortlaegning.slutdato.year}),
        )
        # KOMBIT's receipt completes the task (DESIGN §1); the card then says so.
        modtaget = await self._delivery.kombit_receipt(caller.tenant_id) if self._delivery else None
        await context.send_activity(
            MessageFactory.attachment(
                cards.as_attachment(
                    cards.status_card(
                        progress,
                        slutdato=kortlaegning.slutdato,
                        zone=self._config.zone,
                        modtaget=modtaget,
                    )
                )
            )
        )


class OpsaetDialog(ComponentDialog):
    """Kommune → slutdato → Bilag 1, each step re-asking with a specific message until valid."""

    def __init__(
        self, coordination: CoordinationRepository, files: Files, config: KoordinatorConfig
    ) -> None:
        super().__init__(OPSAET_DIALOG_ID)
        self._coordination = coordination
        self._files = files
        self._config = config
        self.add_dialog(InputPrompt(_CONFIRM_PROMPT, self._confirm_is_answered))
        self.add_dialog(InputPrompt(_KOMMUNE_PROMPT, self._kommune_is_known))
        self.add_dialog(InputPrompt(_SLUTDATO_PROMPT, self._slutdato_is_valid))
        self.add_dialog(InputPrompt(_SKABELON_PROMPT, self._skabelon_is_readable))
        self.add_dialog(
            WaterfallDialog(
                _OPSAET_LOOP,
                [
                    self._confirm_rerun_step,
                    self._ask_kommune_step,
                    self._ask_slutdato_step,
                    self._ask_skabelon_step,
                    self._set_up_step,
                ],
            )
        )
        self.initial_dialog_id = _OPSAET_LOOP

    async def _confirm_rerun_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values.update(dict(step.options or {}))
        caller = caller_of(step.context)
        if await self._coordination.kortlaegning(caller.tenant_id) is None or step.values.get(
            "confirmed"
        ):
            return await step.next(True)
        return await step.prompt(
            _CONFIRM_PROMPT, PromptOptions(prompt=MessageFactory.text(texts.OPSAET_RERUN))
        )

    async def _ask_kommune_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.result is False:
            await step.context.send_activity(texts.OPSAET_KEPT)
            return await step.end_dialog()
        card = step.values.pop("card", None)
        if isinstance(card, dict):
            answers = self._card_answers(card)
            if isinstance(answers, dict):
                return await step.next(answers)
            await step.context.send_activity(answers)
        await step.context.send_activity(
            MessageFactory.attachment(
                cards.as_attachment(cards.opsaet_card(load_kommuner(), today=self._config.today()))
            )
        )
        return await step.prompt(
            _KOMMUNE_PROMPT, PromptOptions(prompt=MessageFactory.text(texts.OPSAET_ASK_KOMMUNE))
        )

    async def _ask_slutdato_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        result = step.result
        if isinstance(result, dict):
            # The whole card was filled in: take all three answers at once.
            step.values.update(result)
            return await step.next(result["slutdato"])
        step.values["kommune"] = result
        await step.context.send_activity(
            texts.opsaet_kommune_chosen(kommune=_kommune(result).officielt_navn)
        )
        if step.values.get("slutdato"):
            return await step.next(step.values["slutdato"])
        return await step.prompt(
            _SLUTDATO_PROMPT, PromptOptions(prompt=MessageFactory.text(texts.OPSAET_ASK_SLUTDATO))
        )

    async def _ask_skabelon_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["slutdato"] = step.result
        if step.values.get("skabelon") == "eksempel":
            return await step.next(None)
        reference = _catalogue_of(read_bilag1(load_reference_bilag1(), filename="eksempel.xlsx"))
        return await step.prompt(
            _SKABELON_PROMPT,
            PromptOptions(
                prompt=MessageFactory.text(
                    texts.opsaet_ask_skabelon(
                        fagomraader=len(reference), systemer=sum(len(f.systemer) for f in reference)
                    )
                )
            ),
        )

    async def _set_up_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        uploaded: tuple[str, bytes] | None = step.result
        if uploaded is None:
            filename, template, eksempel = "reference-bilag1.xlsx", load_reference_bilag1(), True
        else:
            (filename, template), eksempel = uploaded, False
        catalogue = _catalogue_of(read_bilag1(template, filename=filename))
        caller = caller_of(step.context)
        kommune = _kommune(step.values["kommune"])
        slutdato = date.fromisoformat(step.values["slutdato"])
        result = await self._coordination.set_up(
            caller.tenant_id,
            kommunekode=kommune.kode,
            slutdato=slutdato,
            catalogue=catalogue,
            template=template,
            template_filename=filename,
            template_is_reference=eksempel,
            by_person_id=caller.person_id,
        )
        await step.context.send_activity(
            texts.opsaet_done(
                kommune=kommune.officielt_navn,
                slutdato=slutdato,
                fagomraader=result.fagomraader,
                systemer=result.systemer,
                eksempel=eksempel,
                bevaret=result.answers_kept,
                fjernet=result.answers_dropped,
            )
        )
        return await step.end_dialog()

    # --- validators: each explains what is wrong, specifically -----------------------------
    async def _confirm_is_answered(self, prompt: PromptValidatorContext) -> bool:
        text = (prompt.recognized.value or {}).get("text", "")
        if recognise_survey_word(text) in (SurveyWord.NEJ, SurveyWord.ANNULLER):
            prompt.recognized.value = False
            return True
        answer = parse_anvendelse(text)  # "ja"/"nej" share the anvendelse spellings
        if answer is None:
            await prompt.context.send_activity(texts.OPSAET_RERUN)
            return False
        prompt.recognized.value = answer.value == "anvender"
        return True

    async def _kommune_is_known(self, prompt: PromptValidatorContext) -> bool:
        received = prompt.recognized.value or {}
        value = received.get("value")
        if isinstance(value, dict) and value.get(ACTION_KEY) == KoordinatorAction.OPSAET:
            return await self._card_is_complete(prompt, value)
        query = received.get("text", "")
        match = find_kommune(query, load_kommuner())
        if isinstance(match, KommuneFound):
            prompt.recognized.value = match.kommune.kode
            return True
        if isinstance(match, KommuneSuggestions):
            await prompt.context.send_activity(
                texts.opsaet_kommune_suggestions(navne=[k.officielt_navn for k in match.kommuner])
            )
        else:
            await prompt.context.send_activity(texts.opsaet_kommune_unknown(query=query))
        return False

    async def _card_is_complete(
        self, prompt: PromptValidatorContext, value: dict[str, Any]
    ) -> bool:
        answers = self._card_answers(value)
        if isinstance(answers, str):
            await prompt.context.send_activity(answers)
            return False
        prompt.recognized.value = answers
        return True

    def _card_answers(self, value: dict[str, Any]) -> dict[str, str] | str:
        """The opsæt card's three answers, or the Danish message saying what is wrong."""
        kode = str(value.get("kommune") or "")
        if not any(k.kode == kode for k in load_kommuner()):
            return texts.opsaet_kommune_unknown(query=kode)
        slutdato = self._valid_slutdato(str(value.get("slutdato") or ""))
        if isinstance(slutdato, str):
            return slutdato
        skabelon = "upload" if value.get("skabelon") == "upload" else "eksempel"
        return {"kommune": kode, "slutdato": slutdato.isoformat(), "skabelon": skabelon}

    async def _slutdato_is_valid(self, prompt: PromptValidatorContext) -> bool:
        slutdato = self._valid_slutdato((prompt.recognized.value or {}).get("text", ""))
        if isinstance(slutdato, str):
            await prompt.context.send_activity(slutdato)
            return False
        prompt.recognized.value = slutdato.isoformat()
        return True

    def _valid_slutdato(self, text: str) -> date | str:
        """The date, or the Danish message saying what is wrong with it."""
        today = self._config.today()
        slutdato = parse_danish_date(text, today)
        if slutdato is None:
            return texts.OPSAET_SLUTDATO_UNKNOWN
        if is_in_past(slutdato, today):
            return texts.opsaet_slutdato_past(slutdato=slutdato)
        return slutdato

    async def _skabelon_is_readable(self, prompt: PromptValidatorContext) -> bool:
        received = prompt.recognized.value or {}
        if normalise(received.get("text", "")) in {"eksempel", "eksempellisten", "standard"}:
            prompt.recognized.value = None
            return True
        attachment = _uploaded_file(prompt.context)
        if attachment is None:
            await prompt.context.send_activity(texts.OPSAET_SKABELON_HELP)
            return False
        filename, url = attachment
        try:
            data = await self._files.download(url, max_bytes=self._config.max_upload_bytes)
            read_bilag1(data, filename=filename, max_bytes=self._config.max_upload_bytes)
        except FileTooLarge as exc:
            await prompt.context.send_activity(
                texts.opsaet_file_too_large(filnavn=filename, max_bytes=exc.limit)
            )
            return False
        except FileUnavailable:
            await prompt.context.send_activity(texts.opsaet_file_download_failed(filnavn=filename))
            return False
        except Bilag1Error as exc:
            logger.info("uploaded template refused: %s", exc.kind)
            await prompt.context.send_activity(texts.bilag1_error(exc))
            return False
        prompt.recognized.value = (filename, data)
        return True


def opsaet_options(*, card: dict[str, Any] | None = None) -> dict[str, Any]:
    """Options for OpsaetDialog; a card pressed outside the dialog is taken as its answers."""
    return {"confirmed": card is not None, "card": card}


def _kommune(kode: str) -> Kommune:
    return next(k for k in load_kommuner() if k.kode == kode)


def _catalogue_of(bilag1: Bilag1) -> tuple[CatalogueFagomraade, ...]:
    return tuple(
        CatalogueFagomraade(
            f.navn,
            tuple(CatalogueSystem(s.navn, s.leverandoer, s.beskrivelse) for s in f.systemer),
        )
        for f in bilag1.fagomraader
    )


def _uploaded_file(context: TurnContext) -> tuple[str, str] | None:
    for attachment in context.activity.attachments or []:
        if attachment.content_type == FILE_DOWNLOAD_INFO and isinstance(attachment.content, dict):
            url = attachment.content.get("downloadUrl")
            if url:
                return attachment.name or "bilag1.xlsx", str(url)
    return None


def _mentions(context: TurnContext) -> list[dict[str, Any]]:
    """The people @mentioned in the message, as {"id", "name"}."""
    found = []
    for entity in TurnContext.get_mentions(context.activity):
        # botbuilder deserialises mentions as plain Entity, keeping the fields aside.
        mentioned = getattr(entity, "mentioned", None) or entity.additional_properties.get(
            "mentioned"
        )
        if isinstance(mentioned, dict) and mentioned.get("id"):
            found.append({"id": str(mentioned["id"]), "name": str(mentioned.get("name") or "")})
        elif mentioned is not None and getattr(mentioned, "id", None):
            found.append({"id": mentioned.id, "name": mentioned.name or ""})
    return found


def _after_command(text: str) -> str:
    parts = _MENTION.sub("", text).strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _int(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None
