"""Dialogs under botbuilder's TestAdapter, on real repositories (SQLite); fakes only for ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Clock, Ports, open_storage, wire
from bot.settings import Settings
from dialogs.context import CALLER_KEY, CLAIM_KEY, Caller
from dialogs.ports import (
    DeliveryReport,
    Link,
    Lookup,
    Mail,
    Member,
    OutgoingMessage,
    Reachability,
    ReachStatus,
)
from storage.domain.model import Person
from storage.outbox import Undelivered
from storage.unit_of_work import UnitOfWork
from tests.support.fixtures import TENANT, SetUp, set_up_small


@dataclass
class RecordingMessenger:
    """Records proactive messages instead of delivering them (a port, so a fake is fair)."""

    to_people: list[tuple[int, OutgoingMessage]] = field(default_factory=list)
    to_coordinators: list[OutgoingMessage] = field(default_factory=list)
    except_person_ids: list[int | None] = field(default_factory=list)

    async def send_to_person(
        self, tenant_id: str, person_id: int, message: OutgoingMessage
    ) -> DeliveryReport:
        self.to_people.append((person_id, message))
        return DeliveryReport(person_id, delivered=True)

    async def send_to_coordinators(
        self, tenant_id: str, message: OutgoingMessage, *, except_person_id: int | None = None
    ) -> None:
        self.to_coordinators.append(message)
        self.except_person_ids.append(except_person_id)

    async def undelivered(self, tenant_id: str) -> list[Undelivered]:
        return []


class NoRoster:
    uses_directory = False

    async def member(self, context: Any, teams_user_id: str) -> Member | None:
        return None

    async def find(self, context: Any, query: str) -> Lookup:
        return Lookup()

    async def members(self, context: Any) -> list[Member]:
        return []

    async def known_rosters(self, tenant_id: str) -> list[str]:
        return []


class ChatsOnly:
    """Everyone already has a 1:1 chat: these dialog tests are not about reaching people."""

    async def assess(
        self, context: Any, tenant_id: str, people: Sequence[Person]
    ) -> dict[int, Reachability]:
        return {person.id: Reachability(ReachStatus.CHAT) for person in people}

    async def prepare(self, tenant_id: str, person: Person) -> Reachability:
        return Reachability(ReachStatus.CHAT)


class NoFiles:
    async def download(self, url: str, *, max_bytes: int) -> bytes:
        raise AssertionError("no downloads in dialog tests")

    async def upload(self, url: str, content: bytes) -> None:
        raise AssertionError("no uploads in dialog tests")


class NoMail:
    configured = False

    async def send(self, mail: Mail) -> tuple[bytes, int]:
        raise AssertionError("no e-mail in dialog tests")

    def eml(self, mail: Mail) -> bytes:
        raise AssertionError("no e-mail in dialog tests")


class Unguarded:
    """A turn claim that lets every turn through: redelivery is the protocol tests' job."""

    async def take(self, uow: UnitOfWork) -> bool:
        return True

    async def is_new(self) -> bool:
        return True


class NoLinks:
    def link(self, file_id: str) -> Link | None:
        return None


class CardIdAdapter(TestAdapter):
    """botbuilder's TestAdapter, with each sent activity given the id it answers with, so a
    test can press a card that is no longer the live one (reply_to_id)."""

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> Any:
        responses = await super().send_activities(context, activities)
        for activity, response in zip(
            [a for a in activities if a.type != "trace"], responses, strict=True
        ):
            activity.id = response.id
        return responses


@dataclass
class Conversation:
    adapter: TestAdapter
    messenger: RecordingMessenger
    world: SetUp
    sessions: async_sessionmaker[AsyncSession]

    async def say(
        self,
        text: str | None = None,
        value: dict[str, Any] | None = None,
        *,
        reply_to: str | None = None,
    ) -> list[Activity]:
        """Send one message (text or card submit, pressed on the card `reply_to` when given)
        and return what the bot sent back."""
        activity = Activity(
            type=ActivityTypes.message,
            text=text,
            value=value,
            reply_to_id=reply_to,
            from_property=ChannelAccount(id="29:aad-anne", name="Anne Systemejer"),
        )
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer)
        self.adapter.activity_buffer.clear()
        return replies


TODAY = datetime(2027, 6, 1, 10, tzinfo=UTC)
"""The dialogs' clock: a day of the kortlægning set up by set_up_small."""


@pytest.fixture
async def conversation(tmp_path: Path) -> AsyncIterator[Conversation]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}"
    messenger = RecordingMessenger()
    async with open_storage(url) as storage:
        world = await set_up_small(storage.sessions)
        wiring = wire(
            Settings(database_url=url, max_upload_bytes=1024 * 1024),
            storage,
            clock=Clock(now=lambda: TODAY),
            ports=Ports(
                messenger=messenger,
                roster=NoRoster(),
                reacher=ChatsOnly(),
                files=NoFiles(),
                mailer=NoMail(),
                links=NoLinks(),
            ),
        )

        async def logic(context: TurnContext) -> None:
            context.turn_state[CALLER_KEY] = Caller(TENANT, world.anne.id, world.anne.navn)
            context.turn_state[CLAIM_KEY] = Unguarded()
            await wiring.router.on_message(context)
            await wiring.conversation_state.save_changes(context)

        yield Conversation(CardIdAdapter(logic), messenger, world, storage.sessions)
        await wiring.close()
