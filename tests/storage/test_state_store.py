"""The bot's dialog state in our database: round trip, e_tags, and survival of a restart."""

from __future__ import annotations

import pytest
from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialog_state import SqlStorage
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from storage.state_store import StateConflict, StateStore


async def test_a_document_round_trips_with_a_new_e_tag(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = StateStore(sessions)

    [tag] = (await store.write({"k": ('{"a": 1}', None)})).values()
    stored = await store.read(["k", "missing"])

    assert list(stored) == ["k"]
    assert stored["k"].data == '{"a": 1}'
    assert stored["k"].e_tag == tag


async def test_a_write_with_a_stale_e_tag_is_refused_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = StateStore(sessions)
    [first] = (await store.write({"k": ('"one"', None)})).values()
    await store.write({"k": ('"two"', first)})

    with pytest.raises(StateConflict):
        await store.write({"k": ('"three"', first)})

    assert (await store.read(["k"]))["k"].data == '"two"'


async def test_botbuilder_storage_keeps_objects_and_reports_conflicts_as_key_error(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(StateStore(sessions))
    await storage.write({"conv": {"count": 1, "names": ["Anne"]}})
    first_read = (await storage.read(["conv"]))["conv"]
    second_read = (await storage.read(["conv"]))["conv"]

    first_read["count"] = 2
    await storage.write({"conv": first_read})
    second_read["count"] = 3

    with pytest.raises(KeyError):
        await storage.write({"conv": second_read})
    assert (await storage.read(["conv"]))["conv"]["count"] == 2

    await storage.delete(["conv"])
    assert await storage.read(["conv"]) == {}


async def _turn(storage: SqlStorage, text: str) -> list[str]:
    """Run one turn of a two-step waterfall with brand-new state objects, as after a restart."""
    conversation_state = ConversationState(storage)
    dialogs = DialogSet(conversation_state.create_property("dialog_state"))
    dialogs.add(TextPrompt("navn"))

    async def ask(step: WaterfallStepContext):  # type: ignore[no-untyped-def]
        return await step.prompt("navn", PromptOptions(prompt=MessageFactory.text("Navn?")))

    async def thank(step: WaterfallStepContext):  # type: ignore[no-untyped-def]
        await step.context.send_activity(f"Tak, {step.result}")
        return await step.end_dialog()

    dialogs.add(WaterfallDialog("hilsen", [ask, thank]))
    replies: list[str] = []

    async def logic(context: TurnContext) -> None:
        dialog_context = await dialogs.create_context(context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog("hilsen")
        await conversation_state.save_changes(context)

    adapter = TestAdapter(logic)
    await adapter.send(text)
    while adapter.activity_buffer:
        replies.append(adapter.activity_buffer.pop(0).text)
    return replies


async def test_dialog_state_survives_a_restart_on_the_same_database(database_url: str) -> None:
    first_engine = create_engine_for(database_url)
    await upgrade_head(first_engine)
    assert await _turn(SqlStorage(StateStore(make_sessionmaker(first_engine))), "hej") == ["Navn?"]
    await first_engine.dispose()

    restarted = create_engine_for(database_url)
    try:
        replies = await _turn(SqlStorage(StateStore(make_sessionmaker(restarted))), "Anne")
    finally:
        await restarted.dispose()

    assert replies == ["Tak, Anne"]
