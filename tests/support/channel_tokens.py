"""A local Bot Framework token issuer: OpenID metadata, its JWKS, and signed channel tokens.

Teams' Bot Connector signs every request to the bot with a key published at
login.botframework.com; botbuilder fetches that metadata and verifies the token. This stands in
for the publisher so the real verification runs offline. botbuilder 4.17.1 fetches with the
synchronous `requests` library from inside the event loop, so the server runs on a thread of
its own: an aiohttp server on the test's loop could never answer while the loop is blocked.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# The issuer botbuilder requires on tokens from the channel (AuthenticationConstants).
CHANNEL_ISSUER = "https://api.botframework.com"
KEY_ID = "local-channel-key"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"

# 2048-bit keys take a noticeable moment to make; two for the whole run is plenty.
_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class ChannelTokenIssuer:
    """Publishes one RSA key (endorsed for msteams) and signs tokens as the channel would."""

    def __init__(self) -> None:
        self.requested_paths: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def metadata_url(self) -> str:
        return self.base_url + METADATA_PATH

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = CHANNEL_ISSUER,
        expires_in: timedelta = timedelta(hours=1),
        signed_by_a_foreign_key: bool = False,
        key_id: str = KEY_ID,
    ) -> str:
        """A channel token as the Bot Connector sends it (claims as documented for v3.1)."""
        now = datetime.now(UTC)
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - timedelta(minutes=5),
            "iat": now - timedelta(minutes=5),
            "exp": now + expires_in,
        }
        key = _FOREIGN_KEY if signed_by_a_foreign_key else _SIGNING_KEY
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id})

    def _metadata(self) -> dict[str, Any]:
        return {
            "issuer": CHANNEL_ISSUER,
            "jwks_uri": self.base_url + KEYS_PATH,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def _keys(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(_SIGNING_KEY.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requested_paths.append(self.path)
                documents = {METADATA_PATH: issuer._metadata, KEYS_PATH: issuer._keys}
                if self.path not in documents:
                    self.send_error(404)
                    return
                body = json.dumps(documents[self.path]()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output clean; the requests are in requested_paths."""

        return Handler
