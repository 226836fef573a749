"""Attachment downloads with an app id: only https, only public addresses, on every hop.

An attachment's downloadUrl comes from the activity; a doctored one can point at the bot's
own network. These run a real aiohttp server on 127.0.0.1 that counts what reaches it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def _self_signed(tmp_path: Path, address: str) -> tuple[Path, Path]:
    """A certificate for an IP address, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


STAND_IN = "127.0.0.2"
"""Plays a public address: an https server there redirects to the bot's own network."""


@pytest.fixture
async def redirecting_server(
    tmp_path: Path, file_server: FileServer
) -> AsyncIterator[tuple[int, ssl.SSLContext]]:
    cert_path, key_path = _self_signed(tmp_path, STAND_IN)
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert_path, key_path)

    async def serve(request: web.Request) -> web.Response:
        targets = {
            "/ok": None,
            "/to-loopback": f"https://127.0.0.1:{file_server.port}/secret",
            "/to-localhost": f"https://localhost:{file_server.port}/secret",
            "/to-http": f"http://{STAND_IN}:{request.url.port}/ok",
        }
        target = targets[request.path]
        if target is None:
            return web.Response(body=b"workbook")
        raise web.HTTPFound(target)

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, STAND_IN, 0, ssl_context=server_ssl)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, ssl.create_default_context(cafile=str(cert_path))
    await runner.cleanup()


def _stand_in_files(client_ssl: ssl.SSLContext) -> HttpFiles:
    return HttpFiles(
        public_only=True,
        is_public=lambda address: address == ipaddress.ip_address(STAND_IN),
        ssl_context=client_ssl,
    )


async def test_with_an_app_id_a_public_https_file_is_fetched(
    redirecting_server: tuple[int, ssl.SSLContext],
) -> None:
    port, client_ssl = redirecting_server

    data = await _stand_in_files(client_ssl).download(
        f"https://{STAND_IN}:{port}/ok", max_bytes=1000
    )

    assert data == b"workbook"


@pytest.mark.parametrize("path", ["/to-loopback", "/to-localhost", "/to-http"])
async def test_with_an_app_id_a_redirect_to_the_bot_s_own_network_is_refused(
    redirecting_server: tuple[int, ssl.SSLContext], file_server: FileServer, path: str
) -> None:
    port, client_ssl = redirecting_server

    with pytest.raises(FileAddressRefused):
        await _stand_in_files(client_ssl).download(
            f"https://{STAND_IN}:{port}{path}", max_bytes=1000
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
