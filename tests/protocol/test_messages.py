"""POST real activities to /api/messages and read the replies at the local connector."""

from __future__ import annotations

import dataclasses
import json

import asyncpg
import pytest
from sqlalchemy import select

from dialogs import texts
from storage.db import create_engine_for, make_sessionmaker
from storage.models import ConversationReferenceRow, PersonRow
from tests.protocol.conftest import RunningBot
from tests.support.activities import Activities, TeamsUser
from tests.support.commits import turn_commits
from tests.support.connector import BotConnector
from tests.support.databases import PG_ADMIN_DSN

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")


async def test_installing_the_app_greets_in_danish(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    response = await bot.post(activities.installed(ANNE))

    assert response.status in (200, 201)
    assert connector.texts(ANNE.personal_conversation) == [texts.WELCOME]
    assert "Sekundær anvendelse" in texts.WELCOME


async def test_hjaelp_explains_the_three_answers(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    await bot.post(activities.message(ANNE, "Hjælp"))

    [reply] = connector.sent(ANNE.personal_conversation)
    assert reply["text"] == texts.HELP
    assert "ESDH" in reply["text"]
    assert reply["conversation"]["id"] == ANNE.personal_conversation


async def test_anything_unknown_gets_a_pointer_to_hjaelp(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    await bot.post(activities.message(ANNE, "hvad er klokken?"))

    assert connector.texts() == [texts.NOT_UNDERSTOOD]


async def test_the_writer_s_conversation_reference_is_stored(
    bot: RunningBot, activities: Activities, database_url: str
) -> None:
    await bot.post(activities.message(ANNE, "hjælp"))

    engine = create_engine_for(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            row = await session.scalar(select(ConversationReferenceRow))
    finally:
        await engine.dispose()
    assert row is not None
    assert row.user_key == ANNE.aad_object_id
    assert row.conversation_id == ANNE.personal_conversation
    assert json.loads(row.reference)["serviceUrl"] == activities.service_url


async def test_a_first_message_stores_the_person_with_roster_e_mail_and_reference_at_once(
    bot: RunningBot, activities: Activities, connector: BotConnector, database_url: str
) -> None:
    connector.add_member(ANNE.personal_conversation, ANNE.roster_entry())

    with turn_commits() as commits:
        await bot.post(activities.message(ANNE, "hjælp"))

    # Who wrote and how to reach them in one transaction (the roster asked before it), then
    # the turn's own: its redelivery claim.
    assert len(commits) == 2
    engine = create_engine_for(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            person = await session.scalar(
                select(PersonRow).where(PersonRow.aad_object_id == ANNE.aad_object_id)
            )
            reference = await session.scalar(select(ConversationReferenceRow))
    finally:
        await engine.dispose()
    assert person is not None and reference is not None
    assert (person.navn, person.email, person.teams_user_id) == (
        ANNE.name,
        ANNE.email,
        ANNE.teams_id,
    )
    assert reference.user_key == ANNE.aad_object_id


async def test_the_same_activity_delivered_twice_is_answered_once(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    activity = activities.message(ANNE, "hjælp")

    await bot.post(activity)
    await bot.post(activity)

    assert connector.texts() == [texts.HELP]


async def test_health_check_answers_when_the_database_does(bot: RunningBot) -> None:
    response = await bot.client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}


async def test_a_failing_turn_is_answered_with_a_danish_apology(
    bot: RunningBot, activities: Activities, connector: BotConnector, database_url: str
) -> None:
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP TABLE processed_activity")
    finally:
        await engine.dispose()

    response = await bot.post(activities.message(ANNE, "hjælp"))

    assert response.status < 500
    assert connector.texts(ANNE.personal_conversation) == [texts.UNEXPECTED_ERROR]


async def test_health_check_answers_503_when_the_database_is_gone(
    bot: RunningBot, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot be taken away from a running process portably")
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()

    response = await bot.client.get("/healthz")

    assert response.status == 503
    assert await response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_an_unchanged_reference_and_person_are_not_written_again_but_changes_are(
    bot: RunningBot, activities: Activities, database_url: str
) -> None:
    engine = create_engine_for(database_url)
    sessions = make_sessionmaker(engine)

    async def stored() -> tuple[str, object, str]:
        async with sessions() as session:
            reference = await session.scalar(select(ConversationReferenceRow))
            person = await session.scalar(
                select(PersonRow).where(PersonRow.aad_object_id == ANNE.aad_object_id)
            )
        assert reference is not None and person is not None
        return reference.service_url, reference.updated_at, person.navn

    try:
        await bot.post(activities.message(ANNE, "hjælp"))
        first = await stored()
        await bot.post(activities.message(ANNE, "hjælp"))
        assert await stored() == first

        renamed = dataclasses.replace(ANNE, name="Anne Gift Systemejer")
        moved = dataclasses.replace(activities, service_url=activities.service_url + "/")
        await bot.post(moved.message(renamed, "hjælp"))
        service_url, updated_at, navn = await stored()
    finally:
        await engine.dispose()
    assert service_url == activities.service_url + "/"
    assert updated_at != first[1]
    assert navn == "Anne Gift Systemejer"
