"""The HTTP app: routes, request checks and the turn; the parts come from bot.bootstrap."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import hdrs, web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

from bot.bootstrap import open_storage, wire
from bot.download import DownloadEndpoint
from bot.log_context import request_id
from bot.outbox import OutboxMessenger
from bot.settings import Settings
from bot.teams_bot import KortlaegningBot, tenant_of
from storage.db import database_answers

logger = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", object)
BOT = web.AppKey("bot", KortlaegningBot)
ADAPTER = web.AppKey("adapter", CloudAdapter)
DOWNLOAD_KEY = web.AppKey("download_key", str)
"""The key download links are signed and checked with (bot.signing), fixed at start."""
DOWNLOADS = web.AppKey("downloads", DownloadEndpoint)
MESSENGER = web.AppKey("messenger", OutboxMessenger)
"""The dialogs' Messenger: every proactive message goes through the outbox."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(settings: Settings) -> web.Application:
    """Build the app; the database engine and the bot are made in its cleanup context."""
    app = web.Application(
        middlewares=[_request_ids, _errors_as_json],
        client_max_size=settings.max_request_bytes,
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_wire_up)
    app.router.add_post("/api/messages", _messages)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/download/{token}", _download)
    return app


async def _wire_up(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with open_storage(settings.database_url) as storage:
        wiring = wire(settings, storage)
        app[ENGINE] = storage.engine
        app[BOT] = wiring.bot
        app[ADAPTER] = wiring.adapter
        app[DOWNLOAD_KEY] = wiring.download_key
        app[DOWNLOADS] = wiring.downloads
        app[MESSENGER] = wiring.messenger
        wiring.start()
        logger.info(
            "bot ready: auth=%s database=%s graph=%s",
            settings.auth_enabled,
            storage.engine.dialect.name,
            settings.graph_enabled,
        )
        if not settings.public_url:
            logger.warning("PUBLIC_URL is not set: files are offered without a download link")
        if settings.auth_enabled and not settings.tilladte_tenants:
            logger.warning(
                "TILLADTE_TENANTS is empty: any tenant that installs the app is served; "
                "set it to the municipality's tenant id"
            )
        try:
            yield
        finally:
            await wiring.close()


async def _messages(request: web.Request) -> web.StreamResponse:
    """Check token, envelope and tenant before a turn may touch anything.

    Bad input gets a 4xx with a reason, never a 500. Authentication is botbuilder's own
    (`authenticate_request`), called here rather than inside `CloudAdapter.process` so that its
    failures cannot be confused with the turn's. With an app id, the token's signature,
    issuer, audience and lifetime are checked before the body is even parsed: a stranger's
    request costs no JSON parsing. Once the activity is parsed, the whole check runs again
    with it, for what only the body can show (the serviceUrl claim, the channel's endorsement);
    the tenant is then checked on an authenticated activity but before the turn stores anything.
    """
    if request.content_type != "application/json":
        return _problem(415, "Content-Type must be application/json")
    authentication = request.app[ADAPTER].bot_framework_authentication
    header = request.headers.get(hdrs.AUTHORIZATION, "")
    if request.app[SETTINGS].auth_enabled:
        # An activity with no channel and no serviceUrl makes botbuilder skip exactly the two
        # checks that need the body; everything else about the token is checked in full.
        refused = await _authenticate(authentication, Activity(), header)
        if isinstance(refused, web.Response):
            return refused
    activity = _activity_of(await request.read())
    if isinstance(activity, web.Response):
        return activity
    authenticated = await _authenticate(authentication, activity, header)
    if isinstance(authenticated, web.Response):
        return authenticated

    settings = request.app[SETTINGS]
    tenant_id = tenant_of(activity)
    if not settings.serves_tenant(tenant_id):
        # 403, not 200: the Bot Connector does not retry a 4xx, and the refusal shows up in the
        # Azure Bot's channel error log where an operator looks. Nothing is said to the user:
        # we do not write into a tenant we do not serve.
        # %r: the tenant id is text from the request body, so it cannot forge a log line.
        logger.warning("activity refused: tenant %r is not in TILLADTE_TENANTS", tenant_id)
        return _problem(403, "this bot does not serve the tenant")

    invoke_response = await request.app[ADAPTER].process_activity(
        authenticated, activity, request.app[BOT].on_turn
    )
    if invoke_response:
        return web.json_response(
            serializer_helper(invoke_response.body), status=invoke_response.status
        )
    return web.Response(status=201)


def _activity_of(raw: bytes) -> Activity | web.Response:
    """The activity in a request body, or the 400 that says why there is none."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError: not JSON, not UTF-8, or an integer longer than Python converts
        # (sys.get_int_max_str_digits); RecursionError: nested deeper than the parser goes.
        return _problem(400, "body is not valid JSON")
    if not isinstance(body, dict):
        return _problem(400, "body must be a JSON object (a Bot Framework activity)")
    if not isinstance(body.get("type"), str) or not body["type"]:
        return _problem(400, "activity has no 'type'")
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        return _problem(400, "activity has no 'serviceUrl'")
    if not _is_http_url(body["serviceUrl"]):
        # Replies go there; without authentication nothing else would stop it.
        return _problem(400, "activity's 'serviceUrl' is not an http(s) URL")
    if not isinstance(body.get("conversation"), dict) or not body["conversation"].get("id"):
        return _problem(400, "activity has no 'conversation.id'")
    try:
        return Activity().deserialize(body)
    except (ValueError, RecursionError):
        # msrest's DeserializationError (a ValueError), e.g. a timestamp that is not a date.
        return _problem(400, "body is not a Bot Framework activity")


def _is_http_url(text: str) -> bool:
    try:
        url = urllib.parse.urlsplit(text)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.hostname)


async def _authenticate(
    authentication: BotFrameworkAuthentication, activity: Activity, header: str
) -> AuthenticateRequestResult | web.Response:
    """botbuilder's verdict on the request's token, or the 401/503 that answers it."""
    try:
        return await authentication.authenticate_request(activity, header)
    except PermissionError as exc:
        # botbuilder's own refusal. Caught before OSError, of which it is a subclass.
        return _unauthenticated(exc)
    except OSError:
        # Any other OSError is `requests` failing to fetch the signing keys: our side, and
        # passing, so 503 lets the Bot Connector deliver the activity again.
        logger.exception("Bot Framework signing keys unreachable; activity not verified")
        return _problem(503, "cannot verify the Bot Framework token right now")
    except Exception as exc:
        # Fail closed. Besides PermissionError, botbuilder 4.17.1 lets PyJWT's errors (expired,
        # bad signature, not a JWT), an IndexError (unknown key id), a KeyError (no issuer) and
        # bare Exceptions (algorithm, endorsements) escape. Only the token check runs in this
        # try, so whatever it raises means "not authenticated".
        return _unauthenticated(exc)


async def _download(request: web.Request) -> web.Response:
    """A signed link to a Bilag 1, a draft or an e-mail file (bot.download)."""
    return await request.app[DOWNLOADS].handle(request)


async def _healthz(request: web.Request) -> web.Response:
    if not await database_answers(request.app[ENGINE]):  # type: ignore[arg-type]
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def _unauthenticated(exc: Exception) -> web.Response:
    # The reason's type only: the token is a credential and never logged.
    logger.warning("activity refused: invalid Bot Framework token (%s)", type(exc).__name__)
    return _problem(401, "missing or invalid Bot Framework token")


def _problem(status: int, detail: str) -> web.Response:
    logger.info("request rejected: %d %s", status, detail)
    return web.json_response({"status": status, "error": detail}, status=status)


@web.middleware
async def _request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:12]
    token = request_id.set(rid)
    started = time.perf_counter()
    try:
        response = await handler(request)
        response.headers["X-Request-Id"] = rid
        logger.debug(
            "%s %s -> %d in %.1f ms",
            request.method,
            _loggable_path(request),
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response
    finally:
        request_id.reset(token)


def _loggable_path(request: web.Request) -> str:
    """The route's pattern (/download/{token}), never a signed token from the actual path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path


@web.middleware
async def _errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error answer has a JSON body; an unexpected one is logged with its request id."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"status": exc.status, "error": exc.reason}, status=exc.status)
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return web.json_response(
            {"status": 500, "error": "internal error", "request_id": request_id.get()},
            status=500,
        )
