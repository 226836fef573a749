"""A prompt that accepts typed text or an Adaptive Card submit, leaving interpretation to the step.

botbuilder's TextPrompt ignores card submits (they carry `value`, not `text`), and its
choice recognisers have no Danish in botbuilder 4.17, so the waiting step parses input itself.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs.prompts import Prompt, PromptOptions, PromptRecognizerResult
from botbuilder.schema import ActivityTypes


class InputPrompt(Prompt):
    async def on_prompt(
        self,
        turn_context: TurnContext,
        state: dict[str, object],
        options: PromptOptions,
        is_retry: bool,
    ) -> None:
        if options.prompt is not None and not is_retry:
            await turn_context.send_activity(options.prompt)

    async def on_recognize(
        self,
        turn_context: TurnContext,
        state: dict[str, object],
        options: PromptOptions,
    ) -> PromptRecognizerResult:
        result = PromptRecognizerResult()
        activity = turn_context.activity
        if activity.type == ActivityTypes.message:
            # Every message is input, even one with only a file or an empty text: the
            # waiting step answers it, so nothing a person sends meets silence.
            value: Any = activity.value if isinstance(activity.value, dict) else None
            text = TurnContext.remove_recipient_mention(activity) or ""
            result.succeeded = True
            result.value = {"value": value, "text": text.strip()}
        return result
