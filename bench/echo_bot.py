"""The floor for this stack: CloudAdapter + an ActivityHandler that answers every message.

Same botbuilder, aiohttp and auth configuration (Settings.bot_auth()) as the real bot, no
database and no dialogs, so bench/load.py can state the bot's cost as a ratio to it.
It applies the bot's fix to msrest (bot.adapter.patch_msrest_retry_policy), so it stays the
floor of the stack as the bot runs it; ECHO_AS_SHIPPED=1 leaves the stack as botbuilder ships
it. Run as `python -m bench.echo_bot` with PORT (and optionally HOST) in the environment.
"""

from __future__ import annotations

import os

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Attachment

from bot.adapter import patch_msrest_retry_policy
from bot.settings import Settings

# About the size of the survey's system card, so the reply costs what a real one does.
FIXED_CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Echo · card 1 of 1", "isSubtle": True, "wrap": True},
        {"type": "TextBlock", "text": "Echo", "size": "Large", "weight": "Bolder"},
        {"type": "FactSet", "facts": [{"title": "Vendor", "value": "-"}]},
        {"type": "Input.Text", "id": "remark", "maxLength": 500, "value": ""},
    ],
    "actions": [
        {"type": "Action.Submit", "title": title, "data": {"action": "answer", "value": title}}
        for title in ("one", "two", "three")
    ],
}


_CARD = Attachment(content_type="application/vnd.microsoft.card.adaptive", content=FIXED_CARD)


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = turn_context.activity.text
        if text:
            await turn_context.send_activity(MessageFactory.text(text))
            return
        await turn_context.send_activity(MessageFactory.attachment(_CARD))


def create_echo_app(settings: Settings) -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(settings.bot_auth()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response or web.Response(status=201)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=settings.max_request_bytes)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    settings = Settings.from_env(os.environ)
    if os.environ.get("ECHO_AS_SHIPPED") != "1":
        patch_msrest_retry_policy()
    web.run_app(
        create_echo_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
