"""The infrastrukturansvarlig's side in the Agents Playground: opsæt, tildel, start, status, udkast.

The Playground's current user is the coordinator (KOORDINATORER names
her), and its mocked connector answers the roster and 1:1-conversation calls from the config.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import openpyxl
import pytest
from aiohttp import web
from sqlalchemy import select

from dialogs import texts
from playground.demo import SLUTDATO
from storage import catalogue
from storage.coordination import CoordinationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.domain.model import Anvendelse
from storage.models import OutboxMessageRow
from storage.survey import SurveyRepository
from tests.e2e.chat import Chat
from tests.e2e.conftest import ANNE, Stack, StartStack

TEAM_ID = "19:team-digitalisering@thread.tacv2"
"""The team in playground/m365agentsplayground.yml."""
REFERENCE_BILAG1 = Path(catalogue.__file__).with_name("reference-bilag1.xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

pytestmark = pytest.mark.e2e


@pytest.fixture
async def file_host() -> AsyncIterator[str]:
    """A local stand-in for SharePoint/OneDrive, serving the file a user uploads in Teams."""

    async def bilag1(_: web.Request) -> web.FileResponse:
        return web.FileResponse(REFERENCE_BILAG1)

    app = web.Application()
    app.router.add_get("/bilag1.xlsx", bilag1)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_opsaet_with_the_bundled_example_says_it_is_not_kombits_list(
    start_stack: StartStack,
) -> None:
    stack = await start_stack(demo=False)
    async with stack.chat() as chat:
        await chat.say("opsæt")
        await chat.next_card()
        await chat.next()
        await chat.say("751")
        assert (await chat.next()).text == texts.opsaet_kommune_chosen(kommune="Aarhus Kommune")
        await chat.next()
        await chat.say(f"{SLUTDATO.day}/{SLUTDATO.month}-{SLUTDATO.year}")
        await chat.next()
        await chat.say("eksempel")
        done = await chat.next()

    assert done.text == texts.opsaet_done(
        kommune="Aarhus Kommune",
        slutdato=SLUTDATO,
        fagomraader=14,
        systemer=55,
        eksempel=True,
        bevaret=0,
        fjernet=0,
    )
    assert "ikke KOMBITs officielle liste" in done.text


async def test_opsaet_with_an_uploaded_bilag1_sets_up_all_fagomraader(
    start_stack: StartStack, file_host: str
) -> None:
    stack = await start_stack(demo=False)
    async with stack.chat() as chat:
        await chat.say("opsæt")
        assert (await chat.next_card()).card_text.startswith(texts.OPSAET_CARD_TITLE)
        assert (await chat.next()).text == texts.OPSAET_ASK_KOMMUNE
        await chat.say("Aarhus")
        assert (await chat.next()).text == texts.opsaet_kommune_chosen(kommune="Aarhus Kommune")
        assert (await chat.next()).text == texts.OPSAET_ASK_SLUTDATO
        await chat.say(f"{SLUTDATO.day}.{SLUTDATO.month}.{SLUTDATO.year}")
        assert (await chat.next()).text.startswith("Hvilken Bilag 1 skal bruges?")
        # A file sent to a bot in a personal chat arrives as Teams' file download info. The
        # Playground's chat API drops a user's attachments, so the message goes in raw.
        await chat.send_raw(
            {
                "type": "message",
                "id": "upload-bilag1",
                "channelId": "msteams",
                "serviceUrl": f"{stack.url}/_connector",
                "recipient": {"id": "28:kortlaegningsbot", "name": "Kortlægningsbot"},
                "text": "",
                "from": {
                    "id": stack.user.teams_id,
                    "aadObjectId": stack.user.aad_object_id,
                    "name": stack.user.navn,
                },
                "conversation": {
                    "id": stack.tenant.personal_chat_id,
                    "conversationType": "personal",
                    "tenantId": stack.tenant.tenant_id,
                },
                "channelData": {"tenant": {"id": stack.tenant.tenant_id}},
                "attachments": [
                    {
                        "contentType": "application/vnd.microsoft.teams.file.download.info",
                        "name": "Bilag 1.xlsx",
                        "content": {
                            "downloadUrl": f"{file_host}/bilag1.xlsx",
                            "uniqueId": "bilag1",
                            "fileType": "xlsx",
                        },
                    }
                ],
            }
        )
        done = await chat.next()
    assert "jeres uploadede Bilag 1" in done.text

    async with _coordination(stack) as repository:
        kortlaegning = await repository.kortlaegning(stack.tenant.tenant_id)
        assert kortlaegning is not None
        assert (kortlaegning.kommunekode, kortlaegning.slutdato) == ("751", SLUTDATO)
        assert len(await repository.fagomraader(stack.tenant.tenant_id)) == 14


async def test_tildel_finds_a_colleague_in_the_team_roster(start_stack: StartStack) -> None:
    stack = await start_stack()
    assert stack.demo is not None
    # Peter and Camilla have never written to the bot: only the team's roster knows them. A
    # 1:1 chat's roster is its one person, so before the bot has seen the team it says so.
    async with stack.chat() as chat:
        await chat.say("tildel Økonomi peter.soerensen@kommune.dk")
        before = (await chat.next()).text
    assert "endnu ikke med i noget team" in before and "opsætningspolitik" in before
    # The bot learns the team when it is added to it, as a Teams admin or owner would do.
    async with Chat(stack.url, TEAM_ID, stack.user.teams_id) as team:
        await team.install()
        await team.drain()
    async with stack.chat() as chat:
        await chat.say("tildel Økonomi peter.soerensen@kommune.dk")
        by_email = (await chat.next()).text
        await chat.say("tildel Skole Camilla Madsen")
        by_name = (await chat.next()).text

    assert by_email == texts.tildel_done(
        fagomraade="Økonomi", navn="Peter Sørensen", inviteret=False
    )
    assert by_name == texts.tildel_done(fagomraade="Skole", navn="Camilla Madsen", inviteret=False)
    async with _coordination(stack) as repository:
        okonomi = await repository.owners(stack.demo.fagomraader["Økonomi"].id)
        skole = await repository.owners(stack.demo.fagomraader["Skole"].id)
    assert "peter.soerensen@kommune.dk" in {p.email for p in okonomi}
    assert "camilla.madsen@kommune.dk" in {p.email for p in skole}


async def test_start_invites_each_systemejer_in_a_chat_of_their_own(
    start_stack: StartStack,
) -> None:
    stack = await start_stack()
    async with stack.chat() as chat:
        await chat.say("start")
        own = await chat.next_card()  # Mette owns ESDH too: hers comes to her own chat
        done = await chat.next_text()

    assert own.card_text.splitlines()[0] == texts.invitation_title(fagomraade="ESDH")
    assert done.startswith("Invitationerne er sendt til 4 systemejere.")
    # The Playground's connector created the other 1:1 chats and accepted each invitation;
    # the outbox marks a message sent only then. Its page shows only the current user's chats.
    engine = create_engine_for(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.execute(
                    select(OutboxMessageRow.person_id, OutboxMessageRow.conversation_id).where(
                        OutboxMessageRow.kind == "invitation",
                        OutboxMessageRow.status == "sent",
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert len(rows) == 5
    assert len({person for person, _ in rows}) == 4
    new_chats = {c for _, c in rows if c != stack.tenant.personal_chat_id}
    assert len(new_chats) == 3 and all(new_chats)


async def test_status_shows_answered_and_total_per_fagomraade(start_stack: StartStack) -> None:
    stack = await start_stack()
    await _anne_answers_two_esdh_systems(stack)
    async with stack.chat() as chat:
        await chat.say("status")
        status = await chat.next_card()
    assert "**ESDH** · 2/4" in status.card_text, status.card_text
    assert "**Skole** · 0/3" in status.card_text, status.card_text


async def test_udkast_gives_a_bilag1_with_the_answers_so_far(start_stack: StartStack) -> None:
    stack = await start_stack()
    await _anne_answers_two_esdh_systems(stack)
    async with stack.chat() as chat:
        await chat.say("udkast")
        await chat.typing()  # shown while the workbook is written
        reply = await chat.next()
    link = re.search(r"https?://[^\s)\"']+/download/[^\s)\"']+", reply.text + str(reply.card))
    assert link, f"no download link in {reply}"
    async with aiohttp.ClientSession() as session, session.get(link.group(0)) as response:
        assert response.status == 200 and response.content_type == XLSX
        workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    esdh = {row[1]: row[3] for row in workbook["ESDH"].iter_rows(values_only=True)}
    assert esdh["WorkZone"] == texts.anvendelse_label(Anvendelse.ANVENDER)
    assert esdh["Acadre"] == texts.anvendelse_label(Anvendelse.ANVENDER_IKKE)


async def _anne_answers_two_esdh_systems(stack: Stack) -> None:
    assert stack.demo is not None
    engine = create_engine_for(stack.database_url)
    try:
        survey = SurveyRepository(make_sessionmaker(engine))
        anne = stack.demo.people[ANNE]
        overview = await survey.overview(stack.demo.fagomraader["ESDH"].id, anne.id)
        workzone, acadre = (line.system.id for line in overview.systemer[:2])
        await survey.record_answer(anne.id, workzone, Anvendelse.ANVENDER)
        await survey.record_answer(anne.id, acadre, Anvendelse.ANVENDER_IKKE)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _coordination(stack: Stack) -> AsyncIterator[CoordinationRepository]:
    engine = create_engine_for(stack.database_url)
    try:
        yield CoordinationRepository(make_sessionmaker(engine))
    finally:
        await engine.dispose()
