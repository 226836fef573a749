"""botbuilder's per-turn clients, built on first use instead of for every turn.

CloudAdapter builds a ConnectorClient and a UserTokenClient for every incoming activity
(msrest configuration, pipeline, credentials) and leaves them in the turn state. This bot
replies over its own ConnectorHttp (bot.adapter) and never asks for a user token, so for
most turns both are built for nothing: 15 % of the bot's CPU on SQLite, 23 % on PostgreSQL
by py-spy. The stand-ins here take their place in the turn state and build the real client
the first time a call needs it (a roster look-up, a deleted consent card, TeamsInfo).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.schema import Activity, TokenResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import UserTokenClient
from botframework.connector.token_api.models import (
    SignInUrlResponse,
    TokenExchangeRequest,
    TokenStatus,
)


class LazyConnectorClient:
    """ConnectorClient's operations, the client itself built when the first one is called.

    Every operation of botbuilder's async ConnectorClient is a coroutine, so the client can be
    built inside the first call. Only its operation groups are offered: its `config` exists
    after `get()`, which TeamsInfo's Teams-specific client needs.
    """

    def __init__(self, build: Callable[[], Awaitable[ConnectorClient]]) -> None:
        self._build = build
        self._client: ConnectorClient | None = None
        self.conversations = _Operations(self.get, "conversations")
        self.attachments = _Operations(self.get, "attachments")

    @property
    def built(self) -> bool:
        return self._client is not None

    async def get(self) -> ConnectorClient:
        """The real client, built now if no call has needed it yet."""
        if self._client is None:
            # Two calls racing here in one turn would build two clients; both work.
            self._client = await self._build()
        return self._client


class _Operations:
    """One operation group (`conversations`, `attachments`) of a client built on first call."""

    def __init__(self, client: Callable[[], Awaitable[ConnectorClient]], group: str) -> None:
        self._client = client
        self._group = group

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            operations = getattr(await self._client(), self._group)
            return await getattr(operations, name)(*args, **kwargs)

        return call


class LazyUserTokenClient(UserTokenClient):
    """A UserTokenClient that builds botbuilder's on the first call (OAuthPrompt, SSO)."""

    def __init__(self, build: Callable[[], Awaitable[UserTokenClient]]) -> None:
        self._build = build
        self._client: UserTokenClient | None = None

    @property
    def built(self) -> bool:
        return self._client is not None

    async def _get(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._build()
        return self._client

    async def get_user_token(
        self, user_id: str, connection_name: str, channel_id: str, magic_code: str
    ) -> TokenResponse:
        client = await self._get()
        return await client.get_user_token(user_id, connection_name, channel_id, magic_code)

    async def get_sign_in_resource(
        self, connection_name: str, activity: Activity, final_redirect: str
    ) -> SignInUrlResponse:
        client = await self._get()
        return await client.get_sign_in_resource(connection_name, activity, final_redirect)

    async def sign_out_user(self, user_id: str, connection_name: str, channel_id: str) -> Any:
        client = await self._get()
        return await client.sign_out_user(user_id, connection_name, channel_id)

    async def get_token_status(
        self, user_id: str, channel_id: str, include_filter: str
    ) -> list[TokenStatus]:
        client = await self._get()
        return await client.get_token_status(user_id, channel_id, include_filter)

    async def get_aad_tokens(
        self, user_id: str, connection_name: str, resource_urls: list[str], channel_id: str
    ) -> dict[str, TokenResponse]:
        client = await self._get()
        return await client.get_aad_tokens(user_id, connection_name, resource_urls, channel_id)

    async def exchange_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str,
        exchange_request: TokenExchangeRequest,
    ) -> TokenResponse:
        client = await self._get()
        return await client.exchange_token(user_id, connection_name, channel_id, exchange_request)
