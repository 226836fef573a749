"""Graph tokens come from msal with the bot's own credentials, one client per tenant."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from bot import graph
from bot.graph import GRAPH_SCOPE, GraphError, GraphTokens


class FakeMsal:
    """Stands in for msal.ConfidentialClientApplication: Entra ID is offline in tests."""

    made: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[dict[str, Any]] = {"access_token": "graph-token", "expires_in": 3599}

    def __init__(self, client_id: str, *, client_credential: str, authority: str) -> None:
        self.made.append(
            {"client_id": client_id, "secret": client_credential, "authority": authority}
        )

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
        assert scopes == [GRAPH_SCOPE]
        return self.answer


@pytest.fixture
def fake_msal(monkeypatch: pytest.MonkeyPatch) -> type[FakeMsal]:
    FakeMsal.made = []
    FakeMsal.answer = {"access_token": "graph-token", "expires_in": 3599}
    monkeypatch.setattr(graph.msal, "ConfidentialClientApplication", FakeMsal)
    return FakeMsal


async def test_a_trial_without_an_app_id_sends_no_token(fake_msal: type[FakeMsal]) -> None:
    assert await GraphTokens("", "").authorization("tenant-1") is None
    assert fake_msal.made == []


async def test_one_msal_client_per_tenant_with_the_tenant_as_authority(
    fake_msal: type[FakeMsal],
) -> None:
    tokens = GraphTokens("app-id", "secret")

    assert await tokens.authorization("tenant-1") == "Bearer graph-token"
    assert await tokens.authorization("tenant-1") == "Bearer graph-token"
    assert await tokens.authorization("tenant-2") == "Bearer graph-token"

    assert [made["authority"] for made in fake_msal.made] == [
        "https://login.microsoftonline.com/tenant-1",
        "https://login.microsoftonline.com/tenant-2",
    ]
    assert {made["secret"] for made in fake_msal.made} == {"secret"}


async def test_a_refused_token_is_a_graph_error_not_a_crash(fake_msal: type[FakeMsal]) -> None:
    fake_msal.answer = {"error": "invalid_client", "error_description": "bad secret"}

    with pytest.raises(GraphError) as raised:
        await GraphTokens("app-id", "wrong").authorization("tenant-1")

    assert (raised.value.status, raised.value.code) == (None, "invalid_client")
