"""botbuilder Storage over our database, so dialog state survives a restart (DESIGN §5).

State objects (DialogState and friends) are flattened with jsonpickle, as botbuilder's own
Cosmos DB storage does; e_tags give optimistic concurrency between bot instances.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botbuilder.core import Storage, StoreItem
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
        documents: dict[str, tuple[str, str | None]] = {}
        for key, item in changes.items():
            expected = _e_tag_of(item)
            flattened = Pickler().flatten(item)
            if isinstance(flattened, dict):
                flattened.pop("e_tag", None)
            documents[key] = (json.dumps(flattened), expected)
        try:
            new_tags = await self._store.write(documents)
        except StateConflict as exc:
            # botbuilder's storages signal a lost race with KeyError.
            raise KeyError(str(exc)) from exc
        for key, item in changes.items():
            if isinstance(item, dict):
                item["e_tag"] = new_tags[key]
            elif hasattr(item, "e_tag"):
                item.e_tag = new_tags[key]

    async def delete(self, keys: Sequence[str]) -> None:
        await self._store.delete(keys)


def _e_tag_of(item: Any) -> str | None:
    tag = item.get("e_tag") if isinstance(item, dict) else getattr(item, "e_tag", None)
    return str(tag) if tag else None
