"""Attachment downloads with an app id: only https, only public addresses, on every hop.

An attachment's downloadUrl comes from the activity; a doctored one can point at the bot's
own network. These run a real aiohttp server on 127.0.0.1 that counts what reaches it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.files import HttpFiles
from bot.settings import Settings
from dialogs import texts
from dialogs.ports import FileAddressRefused
from tests.protocol.conftest import APP_ID, RunningBot, StartBot
from tests.protocol.test_koordinator import KIM, _upload, roster  # noqa: F401 (fixture)
from tests.support.activities import Activities
from tests.support.channel_tokens import ChannelTokenIssuer
from tests.support.connector import BotConnector


@dataclasses.dataclass
class FileServer:
    port: int
    requests: list[str]


@pytest.fixture
async def file_server() -> AsyncIterator[FileServer]:
    requests: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        requests.append(request.path)
        return web.Response(body=b"workbook")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield FileServer(server.port, requests)  # type: ignore[arg-type]
    await server.close()


async def test_without_an_app_id_a_local_file_is_fetched(file_server: FileServer) -> None:
    data = await HttpFiles().download(
        f"http://127.0.0.1:{file_server.port}/bilag.xlsx", max_bytes=1000
    )

    assert data == b"workbook"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/bilag.xlsx",
        "https://127.0.0.1:{port}/bilag.xlsx",
        "https://localhost:{port}/bilag.xlsx",
        "https://[::ffff:127.0.0.1]:{port}/bilag.xlsx",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/bilag.xlsx",
        "https://192.168.1.1/bilag.xlsx",
    ],
)
async def test_with_an_app_id_plain_http_and_non_public_addresses_are_refused_unfetched(
    file_server: FileServer, url: str
) -> None:
    with pytest.raises(FileAddressRefused):
        await HttpFiles(public_only=True).download(
            url.format(port=file_server.port), max_bytes=1000
        )

    assert file_server.requests == []


@pytest.fixture
def secured_settings(authenticated_settings: Settings) -> Settings:
    return dataclasses.replace(authenticated_settings, koordinatorer=("kim@kommune.dk",))


@pytest.mark.usefixtures("roster")
async def test_the_coordinator_is_told_in_danish_why_a_forwarded_file_is_not_fetched(
    start_bot: StartBot,
    secured_settings: Settings,
    token_issuer: ChannelTokenIssuer,
    activities: Activities,
    connector: BotConnector,
) -> None:
    bot: RunningBot = await start_bot(secured_settings)
    token = token_issuer.token(audience=APP_ID, service_url=activities.service_url)
    connector.files["kombit.xlsx"] = b"any workbook"

    for text in ("opsæt", "751", "31/8-2099"):
        await bot.post(activities.message(KIM, text), token=token)
    await bot.post(_upload(activities, connector, "kombit.xlsx"), token=token)

    assert connector.texts(KIM.personal_conversation)[-1] == texts.file_address_refused(
        filnavn="kombit.xlsx"
    )
    assert not [call for call in connector.calls if call.path.startswith("/files/")]
