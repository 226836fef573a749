"""botbuilder Storage over our database, so dialog state survives a restart.

State objects (DialogState and friends) are flattened with jsonpickle, as botbuilder's own
Cosmos DB storage does; e_tags give optimistic concurrency between bot instances.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botbuilder.core import BotState, Storage, StoreItem, TurnContext
from botbuilder.core.bot_state import CachedBotState
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from storage.state_store import StateConflict, StateStore


class SqlStorage(Storage):
    def __init__(self, store: StateStore) -> None:
        super().__init__()
        self._store = store

    async def read(self, keys: Sequence[str]) -> dict[str, Any]:
        documents = await self._store.read(keys)
        result: dict[str, Any] = {}
        for key, document in documents.items():
            item = Unpickler().restore(json.loads(document.data))
            if isinstance(item, dict):
                item["e_tag"] = document.e_tag
            elif isinstance(item, StoreItem):
                item.e_tag = document.e_tag
            result[key] = item
        return result

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        await self.write_flattened(
            {key: (item, Pickler().flatten(item)) for key, item in changes.items()}
        )

    async def write_flattened(self, changes: dict[str, tuple[Any, Any]]) -> None:
        """Write (item, jsonpickle flattening of it) pairs; afterwards both carry the new
        e_tag. For TurnStates, which flattens each state once for its change check."""
        documents: dict[str, tuple[str, str | None]] = {}
        for key, (item, flattened) in changes.items():
            document = flattened
            if isinstance(flattened, dict):
                document = {k: v for k, v in flattened.items() if k != "e_tag"}
            documents[key] = (json.dumps(document), _e_tag_of(item))
        try:
            new_tags = await self._store.write(documents)
        except StateConflict as exc:
            # botbuilder's storages signal a lost race with KeyError.
            raise KeyError(str(exc)) from exc
        for key, (item, flattened) in changes.items():
            if isinstance(item, dict):
                item["e_tag"] = new_tags[key]
            elif hasattr(item, "e_tag"):
                item.e_tag = new_tags[key]
            if isinstance(flattened, dict) and isinstance(item, dict):
                flattened["e_tag"] = new_tags[key]

    async def delete(self, keys: Sequence[str]) -> None:
        await self._store.delete(keys)


_NEVER_STORED = str(Pickler().flatten(None))
"""The hash botbuilder gives a state read from storage that holds none (CachedBotState)."""


def _e_tag_of(item: Any) -> str | None:
    tag = item.get("e_tag") if isinstance(item, dict) else getattr(item, "e_tag", None)
    return str(tag) if tag else None


class TurnStates:
    """The bot states of a turn, written in one transaction at its end.

    `save_changes` writes every changed state with one storage write, which is one
    transaction in SqlStorage, and then records the saved hash as BotState.save_changes
    does. All states must share the storage given here. When one write conflicts
    (KeyError) none is written. The survey keeps no state here: its place is a row of
    its own (storage/survey.py); what remains is the coordinator's `opsæt` dialog.
    """

    def __init__(self, storage: SqlStorage, *states: BotState) -> None:
        self._storage = storage
        self._states = states

    async def save_changes(self, turn_context: TurnContext) -> None:
        # botbuilder flattens a state up to three times here (is_changed, the write, the new
        # hash); one flattening serves all three, the hash being str() of it as in
        # CachedBotState.compute_hash.
        changed: dict[str, tuple[CachedBotState, Any]] = {}
        for state in self._states:
            cached = state.get_cached_state(turn_context)
            if cached is None:
                continue
            flattened = Pickler().flatten(cached.state)
            if not flattened and cached.hash == _NEVER_STORED:
                # botbuilder would store the empty state of a conversation that has none; it
                # reads back the same as nothing, so the turn leaves it unwritten.
                continue
            if str(flattened) != cached.hash:
                changed[state.get_storage_key(turn_context)] = (cached, flattened)
        if not changed:
            return
        await self._storage.write_flattened(
            {key: (cached.state, flattened) for key, (cached, flattened) in changed.items()}
        )
        for cached, flattened in changed.values():
            cached.hash = str(flattened)
