"""Teams-shaped activities, as Teams (or the Agents Playground) would POST them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

TENANT = "tenant-kommune-1"
BOT_ID = "28:kortlaegningsbot"
_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    name: str
    aad_object_id: str
    email: str

    @property
    def teams_id(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.teams_id}"

    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad_object_id}

    def roster_entry(self) -> dict[str, Any]:
        given, _, surname = self.name.partition(" ")
        return {
            **self.account(),
            "email": self.email,
            "userPrincipalName": self.email,
            "givenName": given,
            "surname": surname,
            "tenantId": TENANT,
            "userRole": "user",
        }


@dataclass
class Activities:
    """Builds activities for one service URL (the local connector)."""

    service_url: str
    tenant_id: str = TENANT
    sent_ids: list[str] = field(default_factory=list)

    def _base(self, user: TeamsUser, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
        activity_id = f"act-{next(_ids)}"
        self.sent_ids.append(activity_id)
        return {
            "id": activity_id,
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "timestamp": "2026-11-26T10:00:00.000Z",
            "from": user.account(),
            "recipient": {"id": BOT_ID, "name": "Kortlægningsbot"},
            "conversation": conversation,
            "channelData": {"tenant": {"id": self.tenant_id}},
            "locale": "da-DK",
            **extra,
        }

    def personal(self, user: TeamsUser) -> dict[str, Any]:
        return {
            "id": user.personal_conversation,
            "conversationType": "personal",
            "tenantId": self.tenant_id,
        }

    def message(self, user: TeamsUser, text: str, **extra: Any) -> dict[str, Any]:
        return self._base(
            user, self.personal(user), type="message", text=text, textFormat="plain", **extra
        )

    def submit(
        self, user: TeamsUser, value: dict[str, Any], reply_to: str | None = None
    ) -> dict[str, Any]:
        """An Adaptive Card Action.Submit: a message with a value and no text."""
        extra: dict[str, Any] = {"value": value}
        if reply_to:
            extra["replyToId"] = reply_to
        return self._base(user, self.personal(user), type="message", **extra)

    def file_upload(self, user: TeamsUser, download_url: str, name: str) -> dict[str, Any]:
        """A file sent to the bot in the personal chat: Teams' file download info."""
        attachment = {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": name,
            "content": {"downloadUrl": download_url, "fileType": name.rsplit(".", 1)[-1]},
        }
        return self.message(user, "", attachments=[attachment])

    def invoke(
        self, user: TeamsUser, name: str, value: dict[str, Any], reply_to: str | None = None
    ) -> dict[str, Any]:
        """An invoke, as Teams sends it when a FileConsentCard is answered (fileConsent/invoke)."""
        extra: dict[str, Any] = {"name": name, "value": value}
        if reply_to:
            extra["replyToId"] = reply_to
        return self._base(user, self.personal(user), type="invoke", **extra)

    def installed(self, user: TeamsUser) -> dict[str, Any]:
        """The conversationUpdate Teams sends when the app is added to a personal chat."""
        return self._base(
            user,
            self.personal(user),
            type="conversationUpdate",
            membersAdded=[{"id": BOT_ID}],
        )
