"""What dialogs need from the outside world, as Protocols that bot/ implements and hands in.

Dialogs may not import bot/ (STYLE §1); when a dialog must reach someone other than the
person it talks to, it goes through one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from storage.domain.delivery import FailureReason
from storage.outbox import Undelivered
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A proactive message: Danish text and/or an Adaptive Card (the card's JSON)."""

    text: str | None = None
    card: dict[str, Any] | None = None
    kind: str = "notice"
    dedupe_key: str | None = None
    """Messages with the same key are sent once, whatever retries or restarts happen."""
    extra: dict[str, Any] = field(default_factory=dict)


QUEUED = "queued"
"""DeliveryReport.reason while the outbox is still trying (Teams throttled, or the worker has
the message right now): the message is on its way."""
CANCELLED = "cancelled"
"""DeliveryReport.reason for a message dropped unsent because it no longer held when its turn
came (a reminder about an area submitted meanwhile): neither on its way nor failed."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    person_id: int
    delivered: bool
    reason: str | None = None
    """Why not: a FailureReason value ("blocked" for 403, "not_found" for 404,
    "no_conversation", "gave_up", "rejected"); or QUEUED while it is on its way."""

    @property
    def on_its_way(self) -> bool:
        """Not arrived yet, but the outbox is still delivering it."""
        return not self.delivered and self.reason == QUEUED

    @property
    def failure(self) -> FailureReason | None:
        """Why delivery has finally failed; None when it arrived or is on its way."""
        if self.delivered or self.reason in (QUEUED, CANCELLED):
            return None
        return FailureReason(self.reason or FailureReason.REJECTED)


class Messenger(Protocol):
    async def send_to_person(
        self, tenant_id: str, person_id: int, message: OutgoingMessage
    ) -> DeliveryReport:
        """Deliver (through the outbox) to the person's 1:1 chat, creating it when needed."""
        ...

    async def send_to_coordinators(
        self, tenant_id: str, message: OutgoingMessage, *, except_person_id: int | None = None
    ) -> None:
        """Deliver to every coordinator of the tenant who can be reached.

        except_person_id is the person who acted, when a coordinator: she knows already.
        """
        ...

    async def undelivered(self, tenant_id: str) -> list[Undelivered]:
        """The people whose latest message finally failed, with why, oldest failure first."""
        ...


@dataclass(frozen=True, slots=True)
class Member:
    """A person in the municipality's Teams, as the roster knows them."""

    aad_object_id: str
    navn: str
    email: str | None
    teams_user_id: str | None = None


class Roster(Protocol):
    """The Teams roster: who is in the team or chat the bot is part of."""

    async def member(self, context: Any, teams_user_id: str) -> Member | None:
        """The member behind an id (as in an @mention), or None when unknown."""
        ...

    async def find(self, context: Any, email: str) -> Member | None:
        """A member by e-mail/UPN in the current conversation or the teams the bot is in."""
        ...

    async def members(self, context: Any) -> list[Member]:
        """Members to pick from: the current team or group chat, else the known teams."""
        ...


class FileTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"file larger than {limit} bytes")
        self.limit = limit


class FileUnavailable(Exception):
    """The file could not be downloaded (gone, refused, network)."""


class FileAddressRefused(FileUnavailable):
    """The file's address is not one the bot downloads from (not https, or not public)."""


class Files(Protocol):
    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """Download an uploaded file; FileTooLarge or FileUnavailable when it cannot be had."""
        ...

    async def upload(self, url: str, content: bytes) -> None:
        """Put a file into the upload session Teams opened on a file consent; FileUnavailable."""
        ...


@dataclass(frozen=True, slots=True)
class Link:
    """A signed download link and when it stops working."""

    url: str
    expires_at: datetime


class DownloadLinks(Protocol):
    def link(self, file_id: str) -> Link | None:
        """A link that downloads this one file until it expires; None without PUBLIC_URL."""
        ...


@dataclass(frozen=True, slots=True)
class Mail:
    """An e-mail to KOMBIT as the coordinator sees it before and after it is sent."""

    to: str
    subject: str
    body: str
    attachment_name: str
    attachment: bytes
    reply_to: str | None = None
    """The coordinator, so KOMBIT's confirmation of receipt reaches a person."""


class MailNotSent(Exception):
    """The mail server did not take the message (after retries when it was worth retrying)."""

    def __init__(self, *, attempts: int, reason: str, permanent: bool) -> None:
        super().__init__(f"mail not sent after {attempts} attempts: {reason}")
        self.attempts = attempts
        self.reason = reason
        """Short and English, for logs and the archive: "smtp 451", "ConnectionRefusedError"."""
        self.permanent = permanent


class Mailer(Protocol):
    @property
    def configured(self) -> bool:
        """Whether an SMTP server is set up; otherwise the coordinator gets an .eml file."""
        ...

    async def send(self, mail: Mail) -> tuple[bytes, int]:
        """Send through SMTP; returns the message as sent and the attempts it took.

        Raises MailNotSent when the server refused or could not be reached.
        """
        ...

    def eml(self, mail: Mail) -> bytes:
        """The message as an unsent .eml file that Outlook opens ready to send."""
        ...


class DeliveryHooks(Protocol):
    """What the survey tells the delivery of Bilag 1 about (implemented in dialogs.delivery)."""

    async def all_submitted(self, tenant_id: str, *, by_person_id: int) -> None:
        """The last fagområde was submitted: assemble, archive and offer the final workbook."""
        ...

    async def answers_changed(
        self, tenant_id: str, *, navn: str, uow: UnitOfWork
    ) -> OutgoingMessage | None:
        """An answer or an added system changed: the coordinators' notice, if the workbook
        was sent already and they have not heard yet; to send after the turn commits."""
        ...
