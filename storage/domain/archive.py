"""The delivered Bilag 1 as domain types: archived versions, their send status, and changes.

Stdlib only. What a change after sending is (net per system) and how delivered files are named
are rules, so they live here and are tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.domain.model import Anvendelse, Kilde


class FileKind(StrEnum):
    """What a stored file is. Values are stored."""

    UDKAST = "udkast"
    BILAG1 = "bilag1"
    EML = "eml"


class VersionReason(StrEnum):
    """Why a final workbook was made. Values are stored."""

    ALL_SUBMITTED = "all_submitted"
    REQUESTED = "requested"
    SEND = "send"
    CHANGE_REPORT = "change_report"
    EXPORT = "export"


class SendStatus(StrEnum):
    """Where a version is on its way to KOMBIT. Values are stored."""

    NOT_SENT = "not_sent"
    SENDING = "sending"
    SENT = "sent"
    """Accepted by the SMTP server."""
    EML = "eml"
    """Handed to the coordinator as an .eml file to send from their own mail program."""
    FAILED = "failed"

    @property
    def delivered(self) -> bool:
        """The municipality has (or has been handed) what goes to KOMBIT."""
        return self in (SendStatus.SENT, SendStatus.EML)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the bot hands out (draft, final workbook or e-mail), by an unguessable id."""

    id: str
    kortlaegning_id: int
    kind: FileKind
    filename: str
    sha256: str
    size: int
    created_at: datetime
    content: bytes = b""


@dataclass(frozen=True, slots=True)
class Bilag1Version:
    """One archived final workbook: when, who asked, its file, and how far it got to KOMBIT."""

    id: int
    kortlaegning_id: int
    nummer: int
    reason: VersionReason
    file: StoredFile
    created_at: datetime
    created_by: str | None
    send_status: SendStatus
    send_attempts: int = 0
    send_error: str | None = None
    sent_at: datetime | None = None
    sent_by: str | None = None
    recipient: str | None = None
    subject: str | None = None
    mail_file_id: str | None = None
    modtaget_at: datetime | None = None


class ChangeKind(StrEnum):
    ANSWER = "answer"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One audit row about an answer or an added system, as storage read it."""

    target: tuple[str, int]
    """("system", it_system id) or ("tilfoejet", tilfoejet id): what the change is about."""
    kind: ChangeKind
    fagomraade: str
    system: str
    before: Anvendelse | None
    after: Anvendelse | None
    by: str
    at: datetime
    before_bemaerkning: str | None = None
    after_bemaerkning: str | None = None
    kilde: Kilde | None = None
    """An answer's source (typed/pressed or a confirmed suggestion); None for additions."""


@dataclass(frozen=True, slots=True)
class Change:
    """A system whose answer differs from what KOMBIT was sent: first before, last after."""

    kind: ChangeKind
    fagomraade: str
    system: str
    before: Anvendelse | None
    after: Anvendelse | None
    by: str
    at: datetime
    before_bemaerkning: str | None = None
    after_bemaerkning: str | None = None
    kilde: Kilde | None = None
    """The last edit's source: shown as "bekræftet fra sidste runde" in ændringer and the
    change report."""


def net_changes(entries: Iterable[ChangeEntry]) -> list[Change]:
    """Collapse audit entries to one change per system, dropping what was changed back.

    KOMBIT needs the difference from the workbook it has, not the path there: SBSYS set to
    "anvender ikke" and back to "anvender" is no change, and an added system that was removed
    again never reached KOMBIT. Who and when are those of the last edit.
    """
    first: dict[tuple[str, int], ChangeEntry] = {}
    last: dict[tuple[str, int], ChangeEntry] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        first.setdefault(entry.target, entry)
        last[entry.target] = entry
    changes: list[Change] = []
    for target, start in first.items():
        end = last[target]
        if start.kind is ChangeKind.ADDED and end.kind is ChangeKind.REMOVED:
            continue
        if end.kind is ChangeKind.ANSWER and (start.before, start.before_bemaerkning) == (
            end.after,
            end.after_bemaerkning,
        ):
            continue
        changes.append(
            Change(
                kind=end.kind,
                fagomraade=end.fagomraade,
                system=end.system,
                before=start.before,
                after=end.after,
                by=end.by,
                at=end.at,
                before_bemaerkning=start.before_bemaerkning,
                after_bemaerkning=end.after_bemaerkning,
                kilde=end.kilde,
            )
        )
    return sorted(changes, key=lambda c: (c.fagomraade, c.system))


_LETTERS = {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"}


def file_safe(text: str) -> str:
    """Fold a name to ASCII letters, digits and dashes: "Høje-Taastrup" → "Hoeje-Taastrup".

    Attachment names travel through mail gateways and OneDrive that mangle anything else.
    """
    for letter, ascii_form in _LETTERS.items():
        text = text.replace(letter, ascii_form)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def bilag1_filename(kommune: str, day: date, *, nummer: int | None = None, draft: bool) -> str:
    """Bilag1-Aarhus-Kommune-2027-08-25.xlsx; a draft says UDKAST, later versions -v2, -v3.

    day is the day the workbook is made, the date on its front page: a change report made
    after slutdato then says when it was made, not when the survey was due.
    """
    parts = ["Bilag1", *(["UDKAST"] if draft else []), file_safe(kommune), day.isoformat()]
    if nummer is not None and nummer > 1:
        parts.append(f"v{nummer}")
    return "-".join(parts) + ".xlsx"


def eml_filename(workbook_filename: str) -> str:
    """The e-mail file that carries a workbook: E-mail-til-KOMBIT-<workbook name>.eml."""
    stem = workbook_filename.removesuffix(".xlsx").removeprefix("Bilag1-")
    return f"E-mail-til-KOMBIT-{stem}.eml"
