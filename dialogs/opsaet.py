"""opsæt: the coordinator sets up the kortlægning — kommune, slutdato and Bilag 1.

Each step re-asks with a specific Danish message until its answer is valid; one card can
answer all three at once. An uploaded workbook is downloaded size-limited and read once, in a
worker thread with a time limit, so a hostile file cannot stall the bot; a bad file changes
nothing. When the reader is unsure which column holds what, the coordinator is shown the
columns on a card and confirms or corrects them; the confirmed mapping is stored with the
kortlægning and used again when the final Bilag 1 is written.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from functools import cache
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
from dialogs.actions import ACTION_KEY, KoordinatorAction
from dialogs.context import caller_of
from dialogs.coordinator import KoordinatorConfig
from dialogs.forslag import FORSLAG_DIALOG_ID, ForslagDialog
from dialogs.ports import FileAddressRefused, Files, FileTooLarge, FileUnavailable
from dialogs.prompts import InputPrompt
from dialogs.survey_words import SurveyWord, recognise_survey_word
from dialogs.uploads import read_bilag1_off_loop, uploaded_file
from storage.bilag1.columns import Role
from storage.bilag1.errors import Bilag1Error
from storage.bilag1.layout import Bilag1, SheetMapping
from storage.bilag1.mapping import mapping_from_json, mapping_to_json
from storage.bilag1.reader import read_bilag1
from storage.catalogue.kommuner import load_kommuner
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.answers import normalise, parse_anvendelse
from storage.domain.dates import is_in_past, parse_danish_date
from storage.domain.kommuner import KommuneFound, KommuneSuggestions, find_kommune
from storage.domain.model import CatalogueFagomraade, CatalogueSystem, Kommune

logger = logging.getLogger(__name__)

OPSAET_DIALOG_ID = "opsaet"
_OPSAET_LOOP = "opsaet.steps"
_CONFIRM_PROMPT = "opsaet.confirm"
_KOMMUNE_PROMPT = "opsaet.kommune"
_SLUTDATO_PROMPT = "opsaet.slutdato"
_SKABELON_PROMPT = "opsaet.skabelon"
_KOLONNER_PROMPT = "opsaet.kolonner"
_ROLE_VALUES = frozenset(role.value for role in Role)


class OpsaetDialog(ComponentDialog):
    """Kommune → slutdato → Bilag 1, each step re-asking with a specific message until valid."""

    def __init__(
        self,
        coordination: CoordinationRepository,
        files: Files,
        config: KoordinatorConfig,
        forslag: ForslagDialog,
    ) -> None:
        super().__init__(OPSAET_DIALOG_ID)
        self._coordination = coordination
        self._files = files
        self._config = config
        self._forslag = forslag
        self.add_dialog(InputPrompt(_CONFIRM_PROMPT, self._confirm_is_answered))
        self.add_dialog(InputPrompt(_KOMMUNE_PROMPT, self._kommune_is_known))
        self.add_dialog(InputPrompt(_SLUTDATO_PROMPT, self._slutdato_is_valid))
        self.add_dialog(InputPrompt(_SKABELON_PROMPT, self._skabelon_is_readable))
        self.add_dialog(InputPrompt(_KOLONNER_PROMPT, self._kolonner_are_chosen))
        self.add_dialog(
            WaterfallDialog(
                _OPSAET_LOOP,
                [
                    self._confirm_rerun_step,
                    self._ask_kommune_step,
                    self._ask_slutdato_step,
                    self._ask_skabelon_step,
                    self._confirm_kolonner_step,
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
        ny_runde = await self._coordination.round_delivered(caller.tenant_id)
        question = texts.OPSAET_NY_RUNDE if ny_runde else texts.OPSAET_RERUN
        return await step.prompt(
            _CONFIRM_PROMPT, PromptOptions(prompt=MessageFactory.text(question))
        )

    async def _ask_kommune_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.result is False:
            await step.context.send_activity(texts.OPSAET_KEPT)
            return await step.end_dialog()
        card = step.values.pop("card", None)
        if isinstance(card, dict) and "kolonner" in card:
            # The mapping card of a set-up that is no longer waiting for it.
            await step.context.send_activity(texts.OPSAET_KOLONNER_STALE)
            return await step.end_dialog()
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
            # The whole card was filled in: take all three answers at once, and let the card
            # show what was chosen instead of empty fields and a live button.
            step.values.update(result)
            await _close_opsaet_card(step.context, result)
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
        reference = await asyncio.to_thread(_reference_catalogue)
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

    async def _confirm_kolonner_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        upload: dict[str, Any] | None = step.result
        if upload is None or not upload.get("cards"):
            return await step.next(upload)
        await step.context.send_activity(texts.OPSAET_KOLONNER_INTRO)
        for card in upload["cards"]:
            await step.context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))
        # The upload travels with the prompt's options, so its validator can read it again.
        return await step.prompt(
            _KOLONNER_PROMPT,
            PromptOptions(
                prompt=MessageFactory.text(texts.OPSAET_KOLONNER_ASK),
                validations={**upload, "cards": []},
            ),
        )

    async def _set_up_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        upload: dict[str, Any] | None = step.result
        if upload is None:
            filename, template, eksempel = "reference-bilag1.xlsx", load_reference_bilag1(), True
            catalogue, mapping = await asyncio.to_thread(_reference_catalogue), None
        else:
            filename, template, eksempel = upload["filename"], upload["data"], False
            catalogue, mapping = _catalogue_from_plain(upload["catalogue"]), upload["mapping"]
        caller = caller_of(step.context)
        kommune = _kommune(step.values["kommune"])
        slutdato = date.fromisoformat(step.values["slutdato"])
        first = await self._coordination.kortlaegning(caller.tenant_id) is None
        forslag_options = await self._forslag.last_round_options(caller.tenant_id)
        result = await self._coordination.set_up(
            caller.tenant_id,
            kommunekode=kommune.kode,
            slutdato=slutdato,
            catalogue=catalogue,
            template=template,
            template_filename=filename,
            template_is_reference=eksempel,
            by_person_id=caller.person_id,
            template_mapping=mapping,
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
        forslag = self._forslag.sources.forslag
        if result.ny_runde:
            # Last round's suggestions were for last round's answers.
            await forslag.clear(caller.tenant_id)
            await step.context.send_activity(
                texts.opsaet_ny_runde_done(tildelinger=forslag_options["ejere"])
            )
        elif not first and not (await forslag.oversigt(caller.tenant_id)).tom:
            # Correcting the template keeps the suggestions already loaded.
            await step.context.send_activity(texts.OPSAET_FORSLAG_KEPT)
            return await step.end_dialog()
        # The router begins the suggestions' dialog on its own, so that it waits only for
        # its card or a file and a coordinator's other messages pass by it.
        return await step.end_dialog({FORSLAG_DIALOG_ID: forslag_options})

    # --- validators: each explains what is wrong, specifically -----------------------------
    async def _confirm_is_answered(self, prompt: PromptValidatorContext) -> bool:
        text = (prompt.recognized.value or {}).get("text", "")
        if recognise_survey_word(text) in (SurveyWord.NEJ, SurveyWord.ANNULLER):
            prompt.recognized.value = False
            return True
        answer = parse_anvendelse(text)  # "ja"/"nej" share the anvendelse spellings
        if answer is None:
            question = prompt.options.prompt.text if prompt.options.prompt else None
            await prompt.context.send_activity(question or texts.OPSAET_RERUN)
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
        attachment = uploaded_file(prompt.context)
        if attachment is None:
            await prompt.context.send_activity(texts.OPSAET_SKABELON_HELP)
            return False
        filename, url = attachment
        try:
            data = await self._files.download(url, max_bytes=self._config.max_upload_bytes)
            bilag1 = await read_bilag1_off_loop(
                data, filename=filename, max_bytes=self._config.max_upload_bytes
            )
        except FileTooLarge as exc:
            await prompt.context.send_activity(
                texts.opsaet_file_too_large(filnavn=filename, max_bytes=exc.limit)
            )
            return False
        except FileAddressRefused:
            await prompt.context.send_activity(texts.file_address_refused(filnavn=filename))
            return False
        except FileUnavailable:
            await prompt.context.send_activity(texts.opsaet_file_download_failed(filnavn=filename))
            return False
        except Bilag1Error as exc:
            logger.info("uploaded template refused: %s", exc.kind)
            await prompt.context.send_activity(texts.bilag1_error(exc))
            return False
        if bilag1.doubtful:
            logger.info("uploaded template read with doubts on %d sheets", len(bilag1.doubtful))
        prompt.recognized.value = _upload(filename, data, bilag1)
        return True

    async def _kolonner_are_chosen(self, prompt: PromptValidatorContext) -> bool:
        """A mapping card's answer: one sheet's columns, checked; once every doubtful sheet
        is confirmed, the workbook is read again with them."""
        value = (prompt.recognized.value or {}).get("value")
        upload: dict[str, Any] = prompt.options.validations
        if not isinstance(value, dict) or not isinstance(value.get("kolonner"), dict):
            await prompt.context.send_activity(texts.OPSAET_KOLONNER_ASK)
            return False
        chosen = _chosen_sheet(value)
        if isinstance(chosen, str):
            await prompt.context.send_activity(chosen)
            return False
        sheet, sheet_mapping = chosen
        confirmed: dict[str, Any] = prompt.state.setdefault("confirmed", {})
        confirmed[sheet] = {
            "header_row": sheet_mapping.header_row,
            "roles": {role.value: column for role, column in sheet_mapping.roles.items()},
        }
        waiting = [name for name in upload["doubtful"] if name not in confirmed]
        if waiting:
            await prompt.context.send_activity(
                texts.opsaet_kolonner_confirmed(ark=sheet, mangler=waiting)
            )
            return False
        mapping = mapping_from_json(json.dumps(confirmed)) or {}
        try:
            bilag1 = await read_bilag1_off_loop(
                upload["data"],
                filename=upload["filename"],
                max_bytes=self._config.max_upload_bytes,
                mapping=mapping,
            )
        except Bilag1Error as exc:
            logger.info("template refused with the chosen columns: %s", exc.kind)
            await prompt.context.send_activity(texts.bilag1_error(exc))
            return False
        prompt.recognized.value = _upload(upload["filename"], upload["data"], bilag1, mapping)
        return True


def opsaet_options(*, card: dict[str, Any] | None = None) -> dict[str, Any]:
    """Options for OpsaetDialog; a card pressed outside the dialog is taken as its answers."""
    return {"confirmed": card is not None, "card": card}


async def _close_opsaet_card(context: TurnContext, answers: dict[str, str]) -> None:
    """Update the pressed opsæt card in place to the answers it gave, without a button."""
    card_id = context.activity.reply_to_id
    if not card_id:
        return
    used = cards.opsaet_card_used(
        kommune=_kommune(answers["kommune"]).officielt_navn,
        slutdato=date.fromisoformat(answers["slutdato"]),
    )
    await context.update_activity(
        Activity(id=card_id, type=ActivityTypes.message, attachments=[cards.as_attachment(used)])
    )


def _kommune(kode: str) -> Kommune:
    return next(k for k in load_kommuner() if k.kode == kode)


def _upload(
    filename: str,
    data: bytes,
    bilag1: Bilag1,
    mapping: dict[str, SheetMapping] | None = None,
) -> dict[str, Any]:
    """What the dialog keeps of an upload between turns: plain values only (dialog state).

    Without a mapping yet, a sheet read with doubts gets a mapping card for the coordinator.
    """
    doubtful = () if mapping else bilag1.doubtful
    return {
        "filename": filename,
        "data": data,
        "catalogue": _catalogue_to_plain(_catalogue_of(bilag1)),
        "mapping": mapping_to_json(mapping) if mapping else None,
        "doubtful": [reading.sheet for reading in doubtful],
        "cards": [cards.opsaet_kolonner_card(reading) for reading in doubtful],
    }


def _chosen_sheet(value: dict[str, Any]) -> tuple[str, SheetMapping] | str:
    """The sheet and columns chosen on a card, or the Danish message saying what is wrong."""
    sheet = value["kolonner"]
    if not isinstance(sheet.get("sheet"), str):
        return texts.OPSAET_KOLONNER_ASK
    roles = {
        Role(role): int(column)
        for role, column in dict(sheet.get("roles") or {}).items()
        if role in _ROLE_VALUES and str(column).isdigit()
    }
    chosen = {
        role: int(column)
        for role in cards.KOLONNE_ROLES
        if str(column := value.get(role.value) or "").isdigit()
    }
    if Role.SYSTEM not in chosen or Role.ANVENDELSE not in chosen:
        return texts.opsaet_kolonner_missing(ark=sheet["sheet"])
    if len(set(chosen.values())) < len(chosen):
        return texts.opsaet_kolonner_same(ark=sheet["sheet"])
    # A role kept from the reading gives way to a column the coordinator chose.
    kept = {r: c for r, c in roles.items() if r not in chosen and c not in chosen.values()}
    return sheet["sheet"], SheetMapping(int(sheet.get("header_row") or 1), kept | chosen)


@cache
def _reference_catalogue() -> tuple[CatalogueFagomraade, ...]:
    # The bundled workbook never changes while the bot runs: read it once per process.
    return _catalogue_of(read_bilag1(load_reference_bilag1(), filename="eksempel.xlsx"))


def _catalogue_to_plain(catalogue: tuple[CatalogueFagomraade, ...]) -> list[Any]:
    return [
        [area.navn, [[s.navn, s.leverandoer, s.beskrivelse] for s in area.systemer]]
        for area in catalogue
    ]


def _catalogue_from_plain(plain: list[Any]) -> tuple[CatalogueFagomraade, ...]:
    return tuple(
        CatalogueFagomraade(navn, tuple(CatalogueSystem(*system) for system in systemer))
        for navn, systemer in plain
    )


def _catalogue_of(bilag1: Bilag1) -> tuple[CatalogueFagomraade, ...]:
    return tuple(
        CatalogueFagomraade(
            f.navn,
            tuple(CatalogueSystem(s.navn, s.leverandoer, s.beskrivelse) for s in f.systemer),
        )
        for f in bilag1.fagomraader
    )
