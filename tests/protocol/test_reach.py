"""Reaching colleagues from the coordinator's 1:1 chat: every known roster, Microsoft Graph,
and what the coordinator is told when someone cannot be found or reached."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from dialogs.ports import Reachability, ReachStatus, UnreachableReason
from storage.models import FagomraadeRow, KnownRosterRow, PersonRow, TildelingRow
from tests.protocol.conftest import RunningBot, StartBot, card_of, card_text, submit_data
from tests.support.activities import BOT_ID, Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.graph import CATALOG_APP_ID, DirectoryUser, GraphStandIn, running_graph

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")
ANNE = TeamsUser("Anne Jensen", "aad-anne", "anne.jensen@kommune.dk")
BO = TeamsUser("Bo Hansen", "aad-bo", "bo.hansen@kommune.dk")
LARS = TeamsUser("Lars Nielsen", "aad-lars", "lars.nielsen@kommune.dk")
IDA = DirectoryUser("aad-ida", "Ida Holm", "ida.holm@kommune.dk")
TEAM_ID = "19:team-it@thread.tacv2"
TEAM_NAME = "Kommunens IT"
GROUP_CHAT_ID = "19:gruppe-okonomi@thread.v2"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminders_enabled=False, koordinatorer=("kim@kommune.dk",)
    )


@pytest.fixture
def rosters(connector: BotConnector) -> None:
    """Kim, Anne and Bo are in the IT team; Lars only in a group chat with Kim."""
    for user in (KIM, ANNE, BO):
        connector.add_member(TEAM_ID, user.roster_entry())
    for user in (KIM, LARS):
        connector.add_member(GROUP_CHAT_ID, user.roster_entry())


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    async for stand_in in running_graph():
        yield stand_in


@pytest.fixture
def graph_settings(settings: Settings, graph: GraphStandIn) -> Settings:
    return dataclasses.replace(
        settings,
        graph_enabled=True,
        graph_url=graph.url,
        teams_catalog_app_id=CATALOG_APP_ID,
    )


def bot_added_to_team(activities: Activities, by: TeamsUser) -> dict[str, Any]:
    """The conversationUpdate Teams sends when the app is added to a team."""
    activity = activities.installed(by)
    activity["conversation"] = {
        "id": TEAM_ID,
        "conversationType": "channel",
        "tenantId": activities.tenant_id,
    }
    activity["channelData"] = {
        **activity["channelData"],
        "eventType": "teamMemberAdded",
        "team": {"id": TEAM_ID, "name": TEAM_NAME},
    }
    return activity


def bot_removed_from_team(activities: Activities, by: TeamsUser) -> dict[str, Any]:
    activity = bot_added_to_team(activities, by)
    del activity["membersAdded"]
    activity["membersRemoved"] = [{"id": BOT_ID}]
    activity["channelData"]["eventType"] = "teamMemberRemoved"
    return activity


def in_group_chat(activity: dict[str, Any]) -> dict[str, Any]:
    return {
        **activity,
        "conversation": {
            "id": GROUP_CHAT_ID,
            "conversationType": "groupChat",
            "name": "Økonomigruppen",
            "tenantId": activity["conversation"]["tenantId"],
        },
    }


async def set_up(bot: RunningBot, activities: Activities) -> None:
    for text in ("opsæt", "Århus", "31-08-2099", "eksempel"):
        await bot.post(activities.message(KIM, text))


async def assigned(db: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with db() as session:
        rows = await session.execute(
            select(FagomraadeRow.navn, PersonRow.email)
            .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
            .join(PersonRow, PersonRow.id == TildelingRow.person_id)
            .order_by(TildelingRow.id)
        )
        return [(navn, email) for navn, email in rows]


async def arriving_card(connector: BotConnector, conversation: str) -> dict[str, Any]:
    """The first card sent into a conversation, waiting for it: the outbox's background
    worker may be the one that sends it."""
    async with asyncio.timeout(10):
        while not any(a.get("attachments") for a in connector.sent(conversation)):
            await asyncio.sleep(0.05)
    return card_of(next(a for a in connector.sent(conversation) if a.get("attachments")))


async def start_now(bot: RunningBot, activities: Activities, connector: BotConnector) -> None:
    """`start`, and Send nu on the question about the areas nobody has yet."""
    await bot.post(activities.message(KIM, "start"))
    question = last_card(connector, KIM.personal_conversation)
    await bot.post(activities.submit(KIM, submit_data(question, "Send nu")))


def last_card(connector: BotConnector, conversation: str) -> dict[str, Any]:
    return card_of([a for a in connector.sent(conversation) if a.get("attachments")][-1])


async def test_from_the_personal_chat_colleagues_in_any_known_roster_are_found(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up(bot, activities)
    await bot.post(bot_added_to_team(activities, KIM))
    await bot.post(in_group_chat(activities.message(KIM, "hej")))

    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Løn og personale Bo Hansen"))
    await bot.post(activities.message(KIM, "tildel Beskæftigelse lars"))

    said = connector.texts(KIM.personal_conversation)
    assert texts.tildel_done(fagomraade="Økonomi", navn="Anne Jensen", inviteret=False) in said
    assert texts.tildel_done(fagomraade="Løn og personale", navn="Bo Hansen", inviteret=False) in (
        said
    )
    assert (
        texts.tildel_done(fagomraade="Beskæftigelse", navn="Lars Nielsen", inviteret=False) in said
    )
    assert await assigned(db) == [
        ("Økonomi", "anne.jensen@kommune.dk"),
        ("Løn og personale", "bo.hansen@kommune.dk"),
        ("Beskæftigelse", "lars.nielsen@kommune.dk"),
    ]
    await bot.post(activities.message(KIM, "tildel"))
    picker = next(
        e
        for e in last_card(connector, KIM.personal_conversation)["body"]
        if e.get("id") == "person"
    )
    assert picker["style"] == "filtered"
    assert [c["title"] for c in picker["choices"]] == [
        "Anne Jensen (anne.jensen@kommune.dk)",
        "Bo Hansen (bo.hansen@kommune.dk)",
        "Kim Koordinator (kim@kommune.dk)",
        "Lars Nielsen (lars.nielsen@kommune.dk)",
    ]
    async with db() as session:
        known = (await session.execute(select(KnownRosterRow.kind, KnownRosterRow.navn))).all()
    assert sorted(known) == [("groupChat", "Økonomigruppen"), ("team", TEAM_NAME)]


async def test_a_person_nowhere_is_told_what_was_searched_and_what_to_do(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up(bot, activities)
    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))
    before_team = connector.texts(KIM.personal_conversation)[-1]
    await bot.post(bot_added_to_team(activities, KIM))

    await bot.post(activities.message(KIM, "tildel Økonomi ukendt@kommune.dk"))

    said = connector.texts(KIM.personal_conversation)[-1]
    assert said == texts.tildel_unknown_person(
        query="ukendt@kommune.dk", teams=[TEAM_NAME], graph=False
    )
    assert f"*{TEAM_NAME}*" in said and "opsætningspolitik" in said and "Graph" in said
    assert "endnu ikke med i noget team" in before_team
    assert "kommunens Teams" not in said + before_team
    assert await assigned(db) == []


async def test_a_team_the_bot_was_removed_from_is_kept_but_no_longer_searched(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up(bot, activities)
    await bot.post(bot_added_to_team(activities, KIM))
    await bot.post(bot_removed_from_team(activities, KIM))

    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.tildel_unknown_person(
        query="anne.jensen@kommune.dk", teams=[], graph=False
    )
    async with db() as session:
        removed = await session.scalar(select(KnownRosterRow.removed_at))
    assert removed is not None
    await bot.post(bot_added_to_team(activities, KIM))
    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))
    assert await assigned(db) == [("Økonomi", "anne.jensen@kommune.dk")]


async def test_tildel_alone_shows_how_each_owner_will_be_reached(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up(bot, activities)
    await bot.post(bot_added_to_team(activities, KIM))
    await bot.post(activities.message(ANNE, "hjælp"))  # Anne has a 1:1 chat
    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Løn og personale bo.hansen@kommune.dk"))
    await bot.post(bot_removed_from_team(activities, KIM))  # Bo now shares nothing with the bot

    await bot.post(activities.message(KIM, "tildel"))

    shown = card_text(last_card(connector, KIM.personal_conversation))
    chat = texts.owner_reach(navn="Anne Jensen", reach=Reachability(ReachStatus.CHAT))
    nowhere = Reachability(ReachStatus.UNREACHABLE, UnreachableReason.NO_SHARED_ROSTER)
    assert f"Økonomi\n{chat}" in shown
    assert f"Løn og personale\n{texts.owner_reach(navn='Bo Hansen', reach=nowhere)}" in shown
    assert (
        texts.unreachable_person(navn="Bo Hansen", reason=UnreachableReason.NO_SHARED_ROSTER)
        in shown
    )


async def test_with_graph_a_person_only_in_the_directory_is_invited_through_installation(
    start_bot: StartBot,
    graph_settings: Settings,
    graph: GraphStandIn,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(graph_settings)
    graph.add_user(IDA)
    graph.add_user(DirectoryUser("aad-ole", "Ole Berg", "ole.berg@kommune.dk"), installed=True)
    await set_up(bot, activities)
    await bot.post(activities.message(KIM, "tildel Økonomi ida.holm@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Ydelser Ole Berg"))
    await bot.post(activities.message(KIM, "tildel"))
    overview = card_text(last_card(connector, KIM.personal_conversation))
    assert texts.owner_reach(navn="Ida Holm", reach=Reachability(ReachStatus.WILL_INSTALL)) in (
        overview
    )

    await start_now(bot, activities, connector)

    for user_id, area in (("aad-ida", "Økonomi"), ("aad-ole", "Ydelser og borgerservice")):
        invitation = card_text(await arriving_card(connector, graph.chat_id(user_id)))
        assert f"Kortlægning af it-systemer: {area}" in invitation
    installs = [c.path for c in graph.calls if c.method == "POST"]
    assert installs == [
        "/v1.0/users/aad-ida/teamwork/installedApps",
        "/v1.0/users/aad-ole/teamwork/installedApps",  # answered 409: installed already
    ]
    assert all(c.authorization is None for c in graph.calls)  # a trial has no app id


async def test_missing_consent_is_explained_and_nothing_is_half_assigned(
    start_bot: StartBot,
    graph_settings: Settings,
    graph: GraphStandIn,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(graph_settings)
    graph.add_user(IDA)
    graph.add_user(DirectoryUser(ANNE.aad_object_id, ANNE.name, ANNE.email))
    await set_up(bot, activities)
    await bot.post(bot_added_to_team(activities, KIM))
    await bot.post(activities.message(KIM, "tildel Økonomi anne.jensen@kommune.dk"))
    await start_now(bot, activities, connector)
    graph.consent_missing = True

    await bot.post(activities.message(KIM, "tildel Ydelser ida.holm@kommune.dk"))
    graph.consent_missing = False
    await bot.post(activities.message(KIM, "tildel Ydelser Ida Holm"))  # found, now to install
    graph.consent_missing = True
    await bot.post(activities.message(KIM, "tildel Beskæftigelse aad-ida"))

    said = connector.texts(KIM.personal_conversation)
    assert texts.tildel_directory_consent(query="ida.holm@kommune.dk") in said
    assert said[-1] == texts.tildel_directory_consent(query="aad-ida")
    assert await assigned(db) == [
        ("Økonomi", "anne.jensen@kommune.dk"),
        ("Ydelser og borgerservice", "ida.holm@kommune.dk"),
    ]
    invitation = card_text(await arriving_card(connector, graph.chat_id(IDA.id)))
    assert "Kortlægning af it-systemer: Ydelser og borgerservice" in invitation


async def test_a_refused_installation_after_start_assigns_nothing(
    start_bot: StartBot,
    graph_settings: Settings,
    graph: GraphStandIn,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(graph_settings)
    graph.add_user(IDA)
    await set_up(bot, activities)
    await bot.post(activities.message(KIM, "tildel Økonomi mig"))
    await start_now(bot, activities, connector)
    graph.refuse_installations = True  # consent given for User.ReadBasic.All only

    await bot.post(activities.message(KIM, "tildel Ydelser ida.holm@kommune.dk"))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.tildel_unreachable(
        fagomraade="Ydelser og borgerservice",
        navn="Ida Holm",
        reason=UnreachableReason.CONSENT_MISSING,
    )
    assert await assigned(db) == [("Økonomi", "kim@kommune.dk")]


async def test_graph_throttling_is_waited_out_as_retry_after_says(
    start_bot: StartBot,
    graph_settings: Settings,
    graph: GraphStandIn,
    activities: Activities,
    connector: BotConnector,
    rosters: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(graph_settings)
    graph.add_user(IDA)
    await set_up(bot, activities)
    graph.throttle_next("1")

    await bot.post(activities.message(KIM, "tildel Økonomi ida.holm@kommune.dk"))

    first, second = (c for c in graph.calls if c.path == "/v1.0/users/ida.holm@kommune.dk")
    assert second.at - first.at >= 1.0
    assert await assigned(db) == [("Økonomi", "ida.holm@kommune.dk")]
