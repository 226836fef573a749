"""Every command the Teams app offers in its menus is one the bot answers (issue 8)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.packaging import command_lists
from bot.settings import Settings
from dialogs import texts
from dialogs.commands import Command
from tests.protocol.conftest import RunningBot
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.fixtures import set_up_small

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminders_enabled=False, koordinatorer=("kim@kommune.dk",)
    )


def _menu_words() -> list[str]:
    words = {c["title"] for menu in command_lists() for c in menu["commands"]}
    return sorted(words)


def test_the_menus_offer_every_command_in_its_danish_word() -> None:
    assert set(_menu_words()) == {texts.COMMAND_WORDS[c] for c in Command}


@pytest.mark.parametrize("word", _menu_words())
async def test_the_bot_answers_each_menu_command(
    word: str,
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    connector.add_member(KIM.personal_conversation, KIM.roster_entry())
    await set_up_small(db)

    await bot.post(activities.message(KIM, word))

    replies = connector.sent(KIM.personal_conversation)
    assert replies, f"no reply to {word!r}"
    assert all(r.get("text") != texts.NOT_UNDERSTOOD for r in replies)
    assert all(r.get("text") != texts.UNEXPECTED_ERROR for r in replies)
