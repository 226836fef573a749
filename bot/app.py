"""Composition root: builds the aiohttp application from Settings (STYLE §1)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from botbuilder.core import ConversationState, UserState
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from sqlalchemy import text

from bot.adapter import build_adapter
from bot.dialog_state import SqlStorage
from bot.log_context import request_id
from bot.outbox import OutboxMessenger, OutboxWorker
from bot.proactive import ProactiveSender, RetryPolicy, Throttle
from bot.reminders import ReminderRunner
from bot.settings import Settings
from bot.teams_bot import KortlaegningBot
from storage.conversations import ConversationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from storage.state_store import StateStore

logger = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", object)
BOT = web.AppKey("bot", KortlaegningBot)
ADAPTER = web.AppKey("adapter", object)
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
    return app


async def _wire_up(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine_for(settings.database_url)
    await upgrade_head(engine)
    sessions = make_sessionmaker(engine)
    storage = SqlStorage(StateStore(sessions))
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    conversations = ConversationRepository(sessions)
    outbox = OutboxRepository(sessions)
    sender, worker = build_delivery(settings, conversations, outbox)
    app[MESSENGER] = OutboxMessenger(outbox, worker)
    bot = KortlaegningBot(conversation_state, user_state, conversations)
    app[ENGINE] = engine
    app[BOT] = bot
    app[ADAPTER] = build_adapter(settings, conversation_state, bot.release)
    background = [
        asyncio.create_task(worker.run(), name=f"outbox-{lane}") for lane in range(worker.lanes)
    ]
    if settings.reminders_enabled:
        runner = ReminderRunner(
            ReminderRepository(sessions), outbox, settings, on_enqueued=worker.wake
        )
        background.append(asyncio.create_task(runner.run(), name="reminders"))
    logger.info("bot ready: auth=%s database=%s", settings.auth_enabled, engine.dialect.name)
    yield
    for task in background:
        task.cancel()
    for task in background:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await sender.close()
    await engine.dispose()


def build_delivery(
    settings: Settings, conversations: ConversationRepository, outbox: OutboxRepository
) -> tuple[ProactiveSender, OutboxWorker]:
    """The proactive sender and outbox worker, with Teams' limits from settings."""
    sender = ProactiveSender(
        ConfigurationBotFrameworkAuthentication(settings.bot_auth()),
        conversations,
        Throttle(settings.conversation_send_limits, settings.tenant_requests_per_second),
        app_id=settings.app_id,
    )
    worker = OutboxWorker(
        outbox,
        sender,
        retry=RetryPolicy(give_up_after=timedelta(seconds=settings.delivery_give_up_seconds)),
    )
    return sender, worker


async def _messages(request: web.Request) -> web.StreamResponse:
    """Validate the envelope ourselves so bad input gets a 4xx with a reason, never a 500."""
    if request.content_type != "application/json":
        return _problem(415, "Content-Type must be application/json")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _problem(400, "body is not valid JSON")
    if not isinstance(body, dict):
        return _problem(400, "body must be a JSON object (a Bot Framework activity)")
    if not isinstance(body.get("type"), str) or not body["type"]:
        return _problem(400, "activity has no 'type'")
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        return _problem(400, "activity has no 'serviceUrl'")
    if not isinstance(body.get("conversation"), dict) or not body["conversation"].get("id"):
        return _problem(400, "activity has no 'conversation.id'")

    adapter = request.app[ADAPTER]
    try:
        response = await adapter.process(request, request.app[BOT])  # type: ignore[attr-defined]
    except web.HTTPUnauthorized:
        logger.warning("activity refused: missing or invalid Bot Framework token")
        return _problem(401, "missing or invalid Bot Framework token")
    return response or web.Response(status=201)


async def _healthz(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    try:
        async with engine.connect() as connection:  # type: ignore[attr-defined]
            await connection.execute(text("SELECT 1"))
    except Exception:
        logger.exception("health check: database unreachable")
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


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
            request.path,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response
    finally:
        request_id.reset(token)


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
