"""What dialogs need from the outside world, as Protocols that bot/ implements and hands in.

Dialogs may not import bot/ (tests/unit/test_architecture.py checks it); when a dialog
must reach someone other than the person it talks to, it goes through one of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from storage.domain.delivery import FailureReason
from storage.domain.kitos import KitosSystem
from storage.domain.model import Person
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


class LookupProblem(StrEnum):
    DIRECTORY_CONSENT = "directory_consent"
    """Graph answered 403: the app registration lacks the permission or the admin consent."""
    DIRECTORY_UNAVAILABLE = "directory_unavailable"
    """Graph did not answer usefully (throttled beyond the wait, 5xx, no answer)."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """Who a look-up found, and where it looked, so "nobody" can say what was tried."""

    members: tuple[Member, ...] = ()
    rosters: tuple[str, ...] = ()
    """Names of the teams and group chats the bot is installed in, all searched."""
    problem: LookupProblem | None = None


class Roster(Protocol):
    """The people the bot can find: every team and group chat it is in, and the directory."""

    @property
    def uses_directory(self) -> bool:
        """Whether people outside the known rosters are looked up in Microsoft Graph."""
        ...

    async def member(self, context: Any, teams_user_id: str) -> Member | None:
        """The member behind an id (as in an @mention), or None when unknown."""
        ...

    async def find(self, context: Any, query: str) -> Lookup:
        """A person by e-mail/UPN, AAD object id or name, wherever the coordinator writes."""
        ...

    async def members(self, context: Any) -> list[Member]:
        """Members to pick from: the current conversation and every known team and chat."""
        ...

    async def known_rosters(self, tenant_id: str) -> list[str]:
        """Names of the teams and group chats the bot is installed in."""
        ...


class ReachStatus(StrEnum):
    CHAT = "chat"
    """The person has a 1:1 chat with the bot."""
    WILL_CREATE = "will_create"
    """They share a team or group chat with the bot: the chat is opened on the first message."""
    WILL_INSTALL = "will_install"
    """Graph installs the app for them, which opens the chat."""
    UNREACHABLE = "unreachable"


class UnreachableReason(StrEnum):
    NO_SHARED_ROSTER = "no_shared_roster"
    """In no team or group chat the bot is in, and Graph is off."""
    NOT_IN_DIRECTORY = "not_in_directory"
    CONSENT_MISSING = "consent_missing"
    """Graph refused (403): the admin has not consented to the app's permissions."""
    DIRECTORY_UNAVAILABLE = "directory_unavailable"
    BLOCKED = "blocked"
    """The last message was refused: the person blocked or removed the app."""


@dataclass(frozen=True, slots=True)
class Reachability:
    status: ReachStatus
    reason: UnreachableReason | None = None

    @property
    def reachable(self) -> bool:
        return self.status is not ReachStatus.UNREACHABLE


class Reacher(Protocol):
    """How a person will be reached: decided before a message is sent to them."""

    async def assess(
        self, context: Any, tenant_id: str, people: Sequence[Person]
    ) -> dict[int, Reachability]:
        """For each person (by id), how they would be reached now; changes nothing."""
        ...

    async def prepare(self, tenant_id: str, person: Person) -> Reachability:
        """Make a 1:1 chat possible (with Graph: install the app and store its chat)."""
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


class KitosSource(Protocol):
    """KITOS' API, when KITOS_URL and KITOS_TOKEN are set (bot.kitos.KitosReader)."""

    async def system_usages(self, kommune: str) -> list[KitosSystem]:
        """The systems the kommune uses, as KITOS has them.

        Raises storage.domain.kitos.KitosError (401, 429 beyond the wait, no organisation ...).
        """
        ...
