"""Card submits whose values have the wrong shape: a polite "forstod ikke", never an error."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import texts
from storage.domain.model import Anvendelse
from tests.protocol.conftest import RunningBot, card_of, card_text, submit_data
from tests.protocol.test_survey import ANNE, answers, last_card, press
from tests.support.activities import Activities
from tests.support.connector import BotConnector
from tests.support.fixtures import SetUp

WRONG_SHAPES: dict[str, dict[str, Any]] = {
    "action as a list": {"action": ["start"], "fagomraade_id": 1},
    "action as an object": {"action": {"start": 1}, "fagomraade_id": 1},
    "a 30-digit id": {"action": "start", "fagomraade_id": 10**29},
    "a lone surrogate in text": {"action": "start", "fagomraade_id": 1, "navn": "\ud800"},
    "a coordinator action as a list": {"action": ["tildel"], "fagomraade_id": 1},
}


@pytest.mark.parametrize("value", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
async def test_a_submit_of_the_wrong_shape_is_not_understood_and_logs_no_error(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    caplog: pytest.LogCaptureFixture,
    value: dict[str, Any],
) -> None:
    response = await bot.post(activities.submit(ANNE, value))

    assert response.status < 300
    assert connector.texts(ANNE.personal_conversation) == [texts.NOT_UNDERSTOOD]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    "spoiled",
    [{"system_id": 10**29}, {"bemaerkning": "udfaset \ud800"}],
    ids=["a 30-digit id", "a lone surrogate in a remark"],
)
async def test_a_spoiled_answer_in_a_running_survey_is_not_understood_and_nothing_stored(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
    spoiled: dict[str, Any],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    card = last_card(connector, ANNE)
    value = {**submit_data(card_of(card), "Anvender"), **spoiled}

    await bot.post(activities.submit(ANNE, value, card["id"]))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.NOT_UNDERSTOOD
    assert await answers(db, world.esdh.id) == {}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_remark_with_nul_is_stored_without_it_and_the_survey_goes_on(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))

    await press(bot, activities, connector, ANNE, "Anvender", bemaerkning="kun\x00 til arkiv")

    assert "Acadre" in card_text(card_of(last_card(connector, ANNE)))
    assert (await answers(db, world.esdh.id))["SBSYS"] == (Anvendelse.ANVENDER, "kun til arkiv")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
