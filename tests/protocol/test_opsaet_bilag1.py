"""opsæt with an unusual or hostile Bilag 1: the mapping card, and uploads that cannot stall."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from storage.archive import ArchiveRepository, render_bilag1
from storage.models import ItSystemRow, KortlaegningRow
from tests.protocol.conftest import RunningBot, card_of, card_text, submit_data
from tests.support.activities import TENANT, Activities, TeamsUser
from tests.support.bilag1_workbooks import workbook_bytes
from tests.support.connector import BotConnector

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminders_enabled=False, koordinatorer=("kim@kommune.dk",)
    )


@pytest.fixture
def roster(connector: BotConnector) -> None:
    connector.add_member(KIM.personal_conversation, KIM.roster_entry())


def unsure_workbook() -> bytes:
    """ESDH has two system-like columns and no recognisable answer column, Økonomi no answer
    column; Skole is clear."""
    workbook = Workbook()
    esdh = workbook.active
    esdh.title = "ESDH"
    esdh.append(["It-system", "Systemnavn", "Leverandør", "Status", "Noter"])
    esdh.append(["ESDH-A", "SBSYS", "KMD", None, None])
    esdh.append(["ESDH-B", "Acadre", "Formpipe", None, None])
    skole = workbook.create_sheet("Skole")
    skole.append(["It-system", "Leverandør", "Anvendelse"])
    skole.append(["Aula", "Netcompany", None])
    okonomi = workbook.create_sheet("Økonomi")
    okonomi.append(["It-system", "Leverandør", "Kolonne C"])
    okonomi.append(["Prisme", "Fujitsu", None])
    return workbook_bytes(workbook)


def upload(activities: Activities, connector: BotConnector, name: str) -> dict[str, Any]:
    return activities.file_upload(KIM, f"{connector.url}/files/{name}", name)


async def start_opsaet(bot: RunningBot, activities: Activities) -> None:
    for text in ("opsæt", "751", "31/8-2099"):
        await bot.post(activities.message(KIM, text))


async def test_an_unsure_reading_asks_on_a_card_and_the_chosen_columns_are_used(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    connector.files["usikker.xlsx"] = unsure_workbook()
    await start_opsaet(bot, activities)

    await bot.post(upload(activities, connector, "usikker.xlsx"))

    *_, intro, esdh_card, okonomi_card, ask = connector.sent(KIM.personal_conversation)
    assert (intro["text"], ask["text"]) == (texts.OPSAET_KOLONNER_INTRO, texts.OPSAET_KOLONNER_ASK)
    esdh_shown, okonomi_shown = card_text(card_of(esdh_card)), card_text(card_of(okonomi_card))
    assert texts.opsaet_kolonner_title(ark="ESDH") in esdh_shown
    assert texts.opsaet_kolonner_sheet(raekke=1) in esdh_shown
    assert texts.opsaet_kolonner_doubt(tvivl="no_answer_column", rolle="anvendelse") in esdh_shown
    assert texts.opsaet_kolonner_first(systemer=["ESDH-A", "ESDH-B"]) in esdh_shown
    assert texts.opsaet_kolonner_title(ark="Økonomi") in okonomi_shown
    assert await _count_kortlaegninger(db) == 0  # a sheet read without doubt gets no card

    # Typing instead of pressing a card asks again; no answer column is not accepted.
    await bot.post(activities.message(KIM, "ja"))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.OPSAET_KOLONNER_ASK
    esdh = pressed(card_of(esdh_card))
    await bot.post(activities.submit(KIM, {**esdh, "system": "2", "anvendelse": ""}))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.opsaet_kolonner_missing(
        ark="ESDH"
    )

    chosen = {"system": "2", "leverandoer": "3", "anvendelse": "4", "bemaerkning": "5"}
    await bot.post(activities.submit(KIM, {**esdh, **chosen}))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.opsaet_kolonner_confirmed(
        ark="ESDH", mangler=["Økonomi"]
    )
    await bot.post(activities.submit(KIM, {**pressed(card_of(okonomi_card)), "anvendelse": "3"}))

    assert "jeres uploadede Bilag 1" in connector.texts(KIM.personal_conversation)[-1]
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
        systems = (await session.scalars(select(ItSystemRow.navn).order_by(ItSystemRow.id))).all()
    assert systems == ["SBSYS", "Acadre", "Aula", "Prisme"]
    assert json.loads(kortlaegning.template_mapping or "") == {
        "ESDH": {
            "header_row": 1,
            "roles": {"system": 2, "leverandoer": 3, "anvendelse": 4, "bemaerkning": 5},
        },
        "Økonomi": {"header_row": 1, "roles": {"system": 1, "leverandoer": 2, "anvendelse": 3}},
    }
    # The draft Bilag 1 is written into the file itself, in the column chosen for answers.
    snapshot = await ArchiveRepository(db).snapshot(TENANT)
    draft = load_workbook(BytesIO(render_bilag1(snapshot, draft=True, today=date(2027, 8, 1))))
    esdh_sheet, okonomi_sheet = draft["ESDH"], draft["Økonomi"]
    assert [esdh_sheet.cell(row=row, column=4).comment.text for row in (2, 3)] == [
        "Mangler svar"
    ] * 2
    assert esdh_sheet.cell(row=2, column=1).value == "ESDH-A"
    assert okonomi_sheet["C2"].comment.text == "Mangler svar"


async def test_a_guessed_answer_column_holding_comments_asks_instead_of_refusing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    # "Status" looks like the answers by its cells, but one holds a comment; "Valg" is empty.
    workbook = Workbook()
    esdh = workbook.active
    esdh.title = "ESDH"
    esdh.append(["It-system", "Leverandør", "Status", "Valg"])
    esdh.append(["SBSYS", "KMD", "Anvender", None])
    esdh.append(["Acadre", "Formpipe", "Anvender ikke", None])
    esdh.append(["F2", "cBrain", "Skal udbydes 2027", None])
    connector.files["status.xlsx"] = workbook_bytes(workbook)
    await start_opsaet(bot, activities)

    await bot.post(upload(activities, connector, "status.xlsx"))

    *_, esdh_card, ask = connector.sent(KIM.personal_conversation)
    assert ask["text"] == texts.OPSAET_KOLONNER_ASK
    shown = card_text(card_of(esdh_card))
    assert texts.opsaet_kolonner_doubt(tvivl="not_answers", rolle="anvendelse") in shown
    assert texts.opsaet_kolonner_first(systemer=["SBSYS", "Acadre", "F2"]) in shown

    await bot.post(activities.submit(KIM, {**pressed(card_of(esdh_card)), "anvendelse": "4"}))

    assert "jeres uploadede Bilag 1" in connector.texts(KIM.personal_conversation)[-1]
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
        systems = (await session.scalars(select(ItSystemRow.navn).order_by(ItSystemRow.id))).all()
    assert systems == ["SBSYS", "Acadre", "F2"]
    assert json.loads(kortlaegning.template_mapping or "")["ESDH"]["roles"]["anvendelse"] == 4


async def test_a_hostile_upload_is_refused_at_once_while_healthz_keeps_answering(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    workbook = Workbook()
    workbook.active.title = "ESDH"
    workbook.active.append(["It-system", "Anvendelse"])
    workbook.active["A1048576"] = "x"
    connector.files["lang.xlsx"] = workbook_bytes(workbook)
    await start_opsaet(bot, activities)

    reply, health = await asyncio.gather(
        bot.post(upload(activities, connector, "lang.xlsx")), bot.client.get("/healthz")
    )

    assert reply.ok and health.status == 200
    refusal = connector.texts(KIM.personal_conversation)[-1]
    assert refusal.startswith('Filen "lang.xlsx", arket "ESDH" har celler under række 40.000.')
    assert await _count_kortlaegninger(db) == 0


def pressed(card: dict[str, Any]) -> dict[str, Any]:
    """What Teams sends for "Ser rigtigt ud" on an untouched card: the inputs' values + data."""
    inputs = {item["id"]: item.get("value", "") for item in card["body"] if "id" in item}
    return {**inputs, **submit_data(card, texts.OPSAET_KOLONNER_SUBMIT)}


async def _count_kortlaegninger(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return len((await session.scalars(select(KortlaegningRow))).all())
