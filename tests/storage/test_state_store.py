"""The bot's dialog state in our database: round trip, e_tags, and survival of a restart."""

from __future__ import annotations

import pytest
from botbuilder.core import (
    ConversationState,
    MessageFactory,
    StatePropertyAccessor,
    TurnContext,
    UserState,
)
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialog_state import SqlStorage, TurnStates
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


class CountingStorage(SqlStorage):
    """SqlStorage that records each read's keys and each write's keys."""

    def __init__(self, store: StateStore) -> None:
        super().__init__(store)
        self.reads: list[list[str]] = []
        self.writes: list[list[str]] = []

    async def read(self, keys):  # type: ignore[no-untyped-def]
        self.reads.append(sorted(keys))
        return await super().read(keys)

    async def write_flattened(self, changes):  # type: ignore[no-untyped-def]
        self.writes.append(sorted(changes))
        await super().write_flattened(changes)


def _turn_states(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[CountingStorage, TurnStates, StatePropertyAccessor, StatePropertyAccessor]:
    """Counting storage, both states over it, and a property of each (dialog, position)."""
    storage = CountingStorage(StateStore(sessions))
    conversation_state, user_state = ConversationState(storage), UserState(storage)
    return (
        storage,
        TurnStates(storage, conversation_state, user_state),
        conversation_state.create_property("dialog"),
        user_state.create_property("position"),
    )


async def test_turn_states_write_both_in_one_write_and_nothing_when_saved(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage, states, dialog, position = _turn_states(sessions)
    adapter = TestAdapter()

    async def turn(count: int) -> None:
        context = TurnContext(adapter, _message())
        assert await dialog.get(context) == (count - 1 or None)
        await dialog.set(context, count)
        await position.set(context, {"page": count})
        await states.save_changes(context)
        written = len(storage.writes)
        await states.save_changes(context)  # saved means unchanged, new e_tags included
        assert len(storage.writes) == written

    await turn(1)
    storage.writes.clear()
    await turn(2)

    conversation_key, user_key = "test/conversations/c1", "test/users/u1"
    assert storage.writes == [sorted([conversation_key, user_key])]
    stored = await storage.read([conversation_key, user_key])
    assert stored[conversation_key]["dialog"] == 2
    assert stored[user_key]["position"] == {"page": 2}


async def test_turn_states_write_nothing_when_nothing_changed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage, states, dialog, _position = _turn_states(sessions)
    await storage.write({"test/conversations/c1": {"dialog": 1}})
    storage.writes.clear()
    context = TurnContext(TestAdapter(), _message())

    assert await dialog.get(context) == 1
    await states.save_changes(context)

    assert storage.writes == []


async def test_a_conversation_without_state_gets_none_stored_by_a_turn_that_only_reads_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage, states, dialog, _position = _turn_states(sessions)
    context = TurnContext(TestAdapter(), _message())

    assert await dialog.get(context) is None  # a systemejer's text: is a dialog waiting?
    await states.save_changes(context)

    assert storage.writes == []
    assert await storage.read(["test/conversations/c1", "test/users/u1"]) == {}


def _message() -> Activity:
    return Activity(
        type="message",
        channel_id="test",
        conversation=ConversationAccount(id="c1"),
        from_property=ChannelAccount(id="u1"),
        text="hej",
    )
