"""The personal chat as the Playground's user has it, over the Playground's HTTP/WS interface.

These are the endpoints its own web page uses (internal to @microsoft/m365agentsplayground
0.2.28, hence pinned). Everything the user sends goes out as the config's current user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Self

import aiohttp

from tests.protocol.conftest import card_text

REPLY_TIMEOUT = 10.0
REPLAY_QUIET = 0.3
"""Seconds without a message after which the stream counts as drained."""


@dataclass(frozen=True, slots=True)
class Shown:
    """A message the bot created, or the new version of one it updated."""

    action: str
    conversation_id: str
    message_id: str
    text: str
    card: dict[str, Any] | None

    @property
    def card_text(self) -> str:
        assert self.card is not None, f"expected a card, got the text {self.text!r}"
        return card_text(self.card)


class Chat:
    def __init__(self, base_url: str, conversation_id: str | None, user_id: str) -> None:
        """Follow one conversation, or every conversation (None), e.g. proactive 1:1 chats."""
        self._base = base_url
        self._conversation_id = conversation_id
        self._user_id = user_id
        self._session = aiohttp.ClientSession()
        self._stream: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Self:
        self._stream = await self._session.ws_connect(
            self._base.replace("http", "ws", 1) + "/_ws_conversation/v1/conversations/stream"
        )
        await self.drain()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._stream is not None:
            await self._stream.close()
        await self._session.close()

    async def drain(self, quiet: float = REPLAY_QUIET) -> list[Shown]:
        """Everything shown and not yet read, once the stream has been quiet for `quiet` s.

        On connect the stream replays what it buffered while no client listened.
        """
        shown: list[Shown] = []
        while (event := await self._receive(quiet)) is not None:
            shown.append(_shown(event))
        return shown

    async def install(self) -> None:
        """Add the app, as a user does in Teams: installationUpdate and conversationUpdate."""
        await self._post(f"/_debug/conversation/{self._conversation_id}/installation", None)

    async def say(self, text: str, attachments: list[dict[str, Any]] | None = None) -> None:
        message: dict[str, Any] = {
            "from": {"id": self._user_id},
            "text": text,
            "textFormat": "plain",
        }
        if attachments:
            message["attachments"] = attachments
        await self._post(
            f"/_conversation/v1/conversations/{self._conversation_id}/messages", message
        )

    async def send_raw(self, activity: dict[str, Any]) -> None:
        """Forward a raw activity through the Playground, for what its chat API drops."""
        await self._post("/_internal/v1/customActivities", activity)

    async def press(self, shown: Shown, title: str, **inputs: Any) -> None:
        """Press the card's Action.Submit with this title, with the inputs filled in."""
        assert shown.card is not None
        await self.submit(shown.message_id, {**button_data(shown.card, title), **inputs})

    async def submit(self, reply_to_id: str, value: dict[str, Any]) -> None:
        await self._post(
            "/_conversation/v1/submit",
            {
                "conversation": {"id": self._conversation_id},
                "from": {"id": self._user_id},
                "replyToId": reply_to_id,
                "value": value,
            },
        )

    async def next(self, action: str = "createMessage") -> Shown:
        """The next thing the bot shows; it must be of this kind (strict order)."""
        event = await self._receive(REPLY_TIMEOUT)
        assert event is not None, f"the bot showed nothing within {REPLY_TIMEOUT} s"
        assert event["action"] == action, f"expected {action}, got {json.dumps(event)[:500]}"
        return _shown(event)

    async def typing(self) -> None:
        """The typing indicator must come next (it carries no message)."""
        event = await self._receive(REPLY_TIMEOUT)
        assert event is not None, f"the bot showed nothing within {REPLY_TIMEOUT} s"
        assert event["action"] == "typing", f"expected typing, got {json.dumps(event)[:500]}"

    async def next_text(self) -> str:
        shown = await self.next()
        assert shown.card is None, f"expected text, got a card: {shown.card_text[:300]}"
        return shown.text

    async def next_card(self) -> Shown:
        shown = await self.next()
        assert shown.card is not None, f"expected a card, got the text {shown.text!r}"
        return shown

    async def _receive(self, timeout: float) -> dict[str, Any] | None:
        assert self._stream is not None
        try:
            frame = await self._stream.receive(timeout=timeout)
        except TimeoutError:
            return None
        assert frame.type == aiohttp.WSMsgType.TEXT, f"the stream ended: {frame!r}"
        event: dict[str, Any] = json.loads(frame.data)
        followed = (None, self._conversation_id)
        if self._conversation_id and event.get("actionConversationId") not in followed:
            return await self._receive(timeout)
        return event

    async def _post(self, path: str, body: dict[str, Any] | None) -> None:
        async with self._session.post(self._base + path, json=body) as response:
            assert response.status < 300, f"{path}: {response.status} {await response.text()}"


def _shown(event: dict[str, Any]) -> Shown:
    message = event["message"]
    cards = [
        a["content"]
        for a in message.get("attachments") or []
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]
    return Shown(
        action=event["action"],
        conversation_id=event.get("actionConversationId") or "",
        message_id=message["messageId"],
        text=message.get("text") or "",
        card=cards[0] if cards else None,
    )


def button_data(card: dict[str, Any], title: str, **match: Any) -> dict[str, Any]:
    """The data of the one Action.Submit with this title (and these data values)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("title") == title:
                data = node.get("data") or {}
                if all(data.get(k) == v for k, v in match.items()):
                    found.append(dict(data))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    assert len(found) == 1, f"{len(found)} buttons {title!r} {match or ''} on the card"
    return found[0]
