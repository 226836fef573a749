"""Delivering Bilag 1 through /api/messages: the automatic final workbook, file consent, signed
links, e-mail to KOMBIT over a real SMTP server or as an .eml, the archive, receipt, changes."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from storage.bilag1.reader import read_bilag1
from storage.domain.model import Anvendelse
from storage.models import Bilag1VersionRow, StoredFileRow
from tests.protocol.conftest import RunningBot, StartBot, card_text, submit_data
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.delivery import (
    DeliveryWorld,
    Inbox,
    answers_in,
    free_port,
    set_up_answered,
    smtp_server,
)

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")
LIS = TeamsUser("Lis Koordinator", "aad-lis", "lis@kommune.dk")
ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")
PUBLIC_URL = "https://kortlaegning.aarhus.dk"
SUBJECT = "[Aarhus Kommune/kortlægning af it-systemer]"
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        reminders_enabled=False,
        public_url=PUBLIC_URL,
        signing_key="k" * 40,
        smtp_retry_seconds=0,
    )


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def smtp_bot(start_bot: StartBot, settings: Settings, smtp: tuple[Inbox, int]) -> RunningBot:
    return await start_bot(
        dataclasses.replace(
            settings,
            smtp_host="127.0.0.1",
            smtp_port=smtp[1],
            smtp_starttls=False,
            smtp_from="kortlaegning@aarhus.dk",
        )
    )


# --- helpers -------------------------------------------------------------------------------------


async def open_chats(bot: RunningBot, activities: Activities) -> None:
    """Each person has a 1:1 chat with the bot, so proactive notices can reach them."""
    for user in (KIM, LIS, ANNE):
        await bot.post(activities.message(user, "hjælp"))


async def submit_last(bot: RunningBot, activities: Activities, world: DeliveryWorld) -> None:
    response = await bot.post(
        activities.submit(ANNE, {"action": "indsend", "fagomraade_id": world.last.id})
    )
    assert response.status < 300


async def complete(
    bot: RunningBot, activities: Activities, db: async_sessionmaker[AsyncSession]
) -> DeliveryWorld:
    world = await set_up_answered(db)
    await open_chats(bot, activities)
    await submit_last(bot, activities, world)
    return world


def cards_to(connector: BotConnector, user: TeamsUser) -> list[dict[str, Any]]:
    return [
        a["attachments"][0]
        for a in connector.sent(user.personal_conversation)
        if a.get("attachments")
    ]


def last_adaptive(connector: BotConnector, user: TeamsUser) -> dict[str, Any]:
    return [a for a in cards_to(connector, user) if a["contentType"] == ADAPTIVE][-1]["content"]


def last_consent(connector: BotConnector, user: TeamsUser) -> tuple[str, dict[str, Any]]:
    """The id of the newest consent-card activity and its attachment."""
    activity = [
        a
        for a in connector.sent(user.personal_conversation)
        if a.get("attachments") and a["attachments"][0]["contentType"] == CONSENT
    ][-1]
    return activity["id"], activity["attachments"][0]


def link_of(card: dict[str, Any]) -> str:
    [url] = [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    assert url.startswith(PUBLIC_URL + "/download/")
    return urlsplit(url).path


async def press(
    bot: RunningBot, user: TeamsUser, activities: Activities, card: dict[str, Any], title: str
) -> None:
    response = await bot.post(activities.submit(user, submit_data(card, title)))
    assert response.status < 300


async def versions(db: async_sessionmaker[AsyncSession]) -> list[Bilag1VersionRow]:
    async with db() as session:
        rows = await session.scalars(select(Bilag1VersionRow).order_by(Bilag1VersionRow.nummer))
        return list(rows)


async def content_of(db: async_sessionmaker[AsyncSession], file_id: str) -> bytes:
    async with db() as session:
        return (await session.get_one(StoredFileRow, file_id)).content


def today() -> str:
    return datetime.now(Settings().zone).date().isoformat()


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def attachment_of(message: EmailMessage) -> tuple[str, bytes]:
    [part] = list(message.iter_attachments())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part.get_filename() or "", payload


# --- the final workbook appears by itself --------------------------------------------------------


async def test_the_last_submission_archives_the_final_workbook_and_offers_it_to_every_coordinator(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await complete(bot, activities, db)

    [version] = await versions(db)
    assert (version.nummer, version.reason, version.send_status) == (1, "all_submitted", "not_sent")
    assert version.created_by == world.anne.id
    workbook = await content_of(db, version.file_id)
    async with db() as session:
        stored = await session.get_one(StoredFileRow, version.file_id)
    assert stored.sha256 == hashlib.sha256(workbook).hexdigest()
    assert stored.filename == f"Bilag1-Aarhus-Kommune-{today()}.xlsx"
    assert answers_in(workbook) == world.expected
    forside = read_bilag1(workbook, filename="x.xlsx").forside
    assert (forside.navn, forside.kontaktperson, forside.email, forside.dato) == (
        "Aarhus Kommune",
        "Kim Koordinator",
        "kim@kommune.dk",
        today(),
    )
    for coordinator in (KIM, LIS):
        said = connector.texts(coordinator.personal_conversation)
        assert said[-1] == texts.coordinator_all_submitted(antal=14, version=1)
        notice = last_adaptive(connector, coordinator)
        assert stored.sha256 in card_text(notice)
        assert submit_data(notice, "Send til KOMBIT") == {"action": "bilag1_send"}
        assert submit_data(notice, "Hent Bilag 1")["version_id"] == version.id


async def test_a_submission_with_unanswered_systems_names_how_many_and_archives_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(db, leave_unanswered=2)
    await open_chats(bot, activities)
    await bot.post(
        activities.submit(
            ANNE, {"action": "indsend", "fagomraade_id": world.last.id, "force": True}
        )
    )

    assert connector.texts(KIM.personal_conversation)[-1] == (
        texts.coordinator_all_submitted_incomplete(antal=14, mangler=2)
    )
    await bot.post(activities.message(KIM, "send"))
    refusal = connector.texts(KIM.personal_conversation)[-1]
    assert refusal.startswith("Bilag 1 kan ikke gøres færdigt: 2 it-systemer mangler svar.")
    assert await versions(db) == []


async def test_send_refuses_while_areas_are_unsubmitted_and_names_them(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(db)
    await open_chats(bot, activities)

    await bot.post(activities.message(KIM, "send"))
    await bot.post(activities.message(KIM, "bilag1"))

    said = connector.texts(KIM.personal_conversation)
    assert said[-2] == texts.send_refused_unsubmitted(fagomraader=[world.last.navn])
    assert said[-1] == texts.bilag1_not_ready(ikke_indsendt=[world.last.navn])
    assert await versions(db) == []


async def test_a_systemejer_gets_no_workbook(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await complete(bot, activities, db)

    for text in ("udkast", "bilag1", "send", "historik"):
        await bot.post(activities.message(ANNE, text))

    said = connector.texts(ANNE.personal_conversation)
    assert (
        said[-4:]
        == [texts.not_koordinator(koordinatorer=["Kim Koordinator", "Lis Koordinator"])] * 4
    )
    assert not any(a["contentType"] == CONSENT for a in cards_to(connector, ANNE))


# --- Teams' file consent -------------------------------------------------------------------------


async def test_accepting_the_file_consent_uploads_the_archived_workbook_once(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await complete(bot, activities, db)
    await press(bot, KIM, activities, last_adaptive(connector, KIM), "Hent Bilag 1")
    [version] = await versions(db)
    workbook = await content_of(db, version.file_id)

    consent_id, consent = last_consent(connector, KIM)
    assert consent["name"] == f"Bilag1-Aarhus-Kommune-{today()}.xlsx"
    assert consent["content"]["sizeInBytes"] == len(workbook)
    assert consent["content"]["acceptContext"] == {"file_id": version.file_id}
    name = consent["name"]
    accept = activities.invoke(
        KIM,
        "fileConsent/invoke",
        {
            "type": "fileUpload",
            "action": "accept",
            "context": consent["content"]["acceptContext"],
            "uploadInfo": {
                "name": name,
                "uploadUrl": f"{connector.url}/upload/{name}",
                "contentUrl": f"https://kommune-my.sharepoint.com/personal/kim/{name}",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                "fileType": "xlsx",
            },
        },
        reply_to=consent_id,
    )

    first = await bot.post(accept)
    again = await bot.post(accept)  # Teams redelivers an invoke it thinks went unanswered

    assert (first.status, again.status) == (200, 200)
    assert connector.files[name] == workbook
    size = len(workbook)
    assert connector.upload_headers[name]["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert [c.path for c in connector.calls if c.path == f"/upload/{name}"] == [f"/upload/{name}"]
    info = connector.sent(KIM.personal_conversation)[-1]
    assert info["text"] == texts.file_uploaded(filnavn=name)
    [attachment] = info["attachments"]
    assert attachment["contentType"] == FILE_INFO
    assert attachment["contentUrl"].endswith(name)
    assert attachment["content"] == {
        "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
        "fileType": "xlsx",
    }
    assert connector.deleted() == [consent_id]


async def test_declining_the_file_consent_uploads_nothing_and_says_so(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await complete(bot, activities, db)
    await bot.post(activities.message(KIM, "bilag1"))
    consent_id, consent = last_consent(connector, KIM)

    response = await bot.post(
        activities.invoke(
            KIM,
            "fileConsent/invoke",
            {
                "type": "fileUpload",
                "action": "decline",
                "context": consent["content"]["declineContext"],
            },
            reply_to=consent_id,
        )
    )

    assert response.status == 200
    assert connector.files == {}
    assert connector.texts(KIM.personal_conversation)[-1] == texts.FILE_DECLINED
    assert connector.deleted() == [consent_id]
    assert len(await versions(db)) == 1  # bilag1 gave the archived version, it made no new one


# --- udkast and signed links ---------------------------------------------------------------------


async def test_udkast_types_then_offers_a_draft_that_is_not_archived(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(db, leave_unanswered=1)
    await open_chats(bot, activities)
    before = len(connector.sent(KIM.personal_conversation))

    await bot.post(activities.message(KIM, "udkast"))

    typing, card, consent = connector.sent(KIM.personal_conversation)[before:]
    assert typing["type"] == "typing"
    assert texts.udkast_ready(mangler=1, ikke_indsendt=[world.last.navn]) in card_text(
        card["attachments"][0]["content"]
    )
    assert consent["attachments"][0]["name"] == f"Bilag1-UDKAST-Aarhus-Kommune-{today()}.xlsx"
    draft = await bot.client.get(link_of(card["attachments"][0]["content"]))
    read_back = answers_in(await draft.read())
    unanswered = [key for key, answer in read_back.items() if answer is None]
    assert unanswered == [(world.last.navn, list(world.last.systems)[-1])]
    assert await versions(db) == []
    async with db() as session:
        kinds = (await session.scalars(select(StoredFileRow.kind))).all()
    assert kinds == ["udkast"]


async def test_a_signed_link_gives_its_own_file_and_a_tampered_or_expired_one_gets_403(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await complete(bot, activities, db)
    await bot.post(activities.message(KIM, "bilag1"))
    final_link = link_of(last_adaptive(connector, KIM))
    await bot.post(activities.message(KIM, "udkast"))
    draft_link = link_of(last_adaptive(connector, KIM))
    [version] = await versions(db)

    final = await bot.client.get(final_link)
    assert final.status == 200
    assert await final.read() == await content_of(db, version.file_id)
    assert (
        f'filename="Bilag1-Aarhus-Kommune-{today()}.xlsx"' in final.headers["Content-Disposition"]
    )
    assert final.headers["Cache-Control"] == "no-store"
    draft = await bot.client.get(draft_link)
    assert draft.status == 200
    assert "Bilag1-UDKAST-Aarhus-Kommune" in draft.headers["Content-Disposition"]

    token = final_link.rsplit("/", 1)[1]
    payload, _, mac = token.partition(".")
    forged = draft_link.rsplit("/", 1)[1].partition(".")[0] + "." + mac
    for bad in (f"{payload}.{mac[:-2]}{'AB' if mac[-2:] != 'AB' else 'CD'}", forged, "nonsense"):
        refused = await bot.client.get(f"/download/{bad}")
        assert refused.status == 403
        page = await refused.text()
        assert '<html lang="da">' in page and texts.DOWNLOAD_REFUSED_TITLE in page
        assert refused.headers["Content-Type"].startswith("text/html")

    with time_machine.travel(datetime.now().astimezone() + timedelta(hours=24, minutes=1)):
        expired = await bot.client.get(final_link)
    assert expired.status == 403
    assert texts.DOWNLOAD_REFUSED_TITLE in await expired.text()


# --- e-mail to KOMBIT ----------------------------------------------------------------------------


async def test_send_shows_the_mail_then_sends_it_to_kombit_with_the_workbook_attached(
    smtp_bot: RunningBot,
    smtp: tuple[Inbox, int],
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    inbox, _port = smtp
    world = await complete(smtp_bot, activities, db)
    await press(smtp_bot, KIM, activities, last_adaptive(connector, KIM), "Send til KOMBIT")

    preview_card = last_adaptive(connector, KIM)
    preview = card_text(preview_card)
    filename = f"Bilag1-Aarhus-Kommune-{today()}.xlsx"
    for shown in ("infrastruktur@kombit.dk", SUBJECT, filename, "kim@kommune.dk"):
        assert shown in preview
    assert inbox.envelopes == []  # nothing leaves before Send nu

    await press(smtp_bot, KIM, activities, preview_card, "Send nu")

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["infrastruktur@kombit.dk"]
    assert envelope.mail_from == "kortlaegning@aarhus.dk"
    message = parsed(envelope.original_content or b"")
    assert message["Subject"] == SUBJECT
    assert message["To"] == "infrastruktur@kombit.dk"
    assert message["Reply-To"] == "kim@kommune.dk"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Kommune: Aarhus Kommune" in text and "Fagområder: 14" in text
    assert "Kontaktperson: Kim Koordinator (kim@kommune.dk)" in text
    name, workbook = attachment_of(message)
    assert name == filename
    assert answers_in(workbook) == world.expected
    # The name carries the day the workbook was made, the date on its front page; never the
    # slutdato (31 August 2099 here), which every later version would share.
    assert read_bilag1(workbook, filename=name).forside.dato == today()
    assert "2099-08-31" not in name

    [version] = await versions(db)
    assert (version.send_status, version.send_attempts) == ("sent", 1)
    assert (version.recipient, version.subject, version.sent_by) == (
        "infrastruktur@kombit.dk",
        SUBJECT,
        world.kim.id,
    )
    assert workbook == await content_of(db, version.file_id)
    assert version.mail_file_id is not None
    archived_mail = parsed(await content_of(db, version.mail_file_id))
    assert archived_mail["Message-ID"] == message["Message-ID"]
    sent_card = card_text(last_adaptive(connector, KIM))
    assert texts.SENT_TITLE in sent_card and SUBJECT in sent_card and filename in sent_card

    await press(smtp_bot, KIM, activities, preview_card, "Send nu")
    assert len(inbox.envelopes) == 1  # a second press sends nothing
    assert connector.texts(KIM.personal_conversation)[-1] == texts.send_busy(version=1)


async def test_a_refusing_smtp_server_is_retried_then_reported_and_the_version_kept(
    smtp_bot: RunningBot,
    smtp: tuple[Inbox, int],
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    inbox, _port = smtp
    inbox.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    await complete(smtp_bot, activities, db)
    await smtp_bot.post(activities.message(KIM, "send"))
    await press(smtp_bot, KIM, activities, last_adaptive(connector, KIM), "Send nu")

    assert inbox.rcpt_attempts == 3
    failure = last_adaptive(connector, KIM)
    assert texts.send_failed(forsoeg=3, permanent=False) in card_text(failure)
    [version] = await versions(db)
    assert (version.send_status, version.send_attempts) == ("failed", 3)
    assert version.send_error == "smtp 451 recipient refused"
    async with db() as session:
        stored = await session.get_one(StoredFileRow, version.file_id)
    assert hashlib.sha256(stored.content).hexdigest() == stored.sha256

    inbox.refuse_with = None
    await press(smtp_bot, KIM, activities, failure, "Prøv igen")

    assert len(inbox.envelopes) == 1
    [version] = await versions(db)
    assert (version.send_status, version.send_attempts) == ("sent", 4)


async def test_an_unreachable_smtp_server_is_retried_then_reported(
    start_bot: StartBot,
    settings: Settings,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(
        dataclasses.replace(
            settings,
            smtp_host="127.0.0.1",
            smtp_port=free_port(),  # nothing listens there
            smtp_starttls=False,
            smtp_from="kortlaegning@aarhus.dk",
        )
    )
    await complete(bot, activities, db)
    await bot.post(activities.message(KIM, "send"))
    await press(bot, KIM, activities, last_adaptive(connector, KIM), "Send nu")

    assert texts.send_failed(forsoeg=3, permanent=False) in card_text(last_adaptive(connector, KIM))
    [version] = await versions(db)
    assert (version.send_status, version.send_attempts) == ("failed", 3)
    assert version.send_error == "ConnectionRefusedError"


async def test_without_smtp_the_coordinator_gets_the_eml_to_send_from_outlook(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await complete(bot, activities, db)

    await bot.post(activities.message(KIM, "send"))

    card = last_adaptive(connector, KIM)
    shown = card_text(card)
    filename = f"Bilag1-Aarhus-Kommune-{today()}.xlsx"
    assert texts.EML_TITLE in shown and texts.eml_ready(aendringsrapport=False) in shown
    for fact in ("infrastruktur@kombit.dk", SUBJECT, filename):
        assert fact in shown
    _consent_id, consent = last_consent(connector, KIM)
    assert consent["name"] == f"E-mail-til-KOMBIT-Aarhus-Kommune-{today()}.eml"
    download = await bot.client.get(link_of(card))
    assert download.headers["Content-Type"].startswith("message/rfc822")
    message = parsed(await download.read())
    assert message["X-Unsent"] == "1"
    assert (message["To"], message["Subject"]) == ("infrastruktur@kombit.dk", SUBJECT)
    name, workbook = attachment_of(message)
    assert name == filename and answers_in(workbook) == world.expected
    [version] = await versions(db)
    assert (version.send_status, version.recipient, version.subject) == (
        "eml",
        "infrastruktur@kombit.dk",
        SUBJECT,
    )


# --- archive, receipt and changes ----------------------------------------------------------------


async def test_modtaget_completes_the_task_and_status_says_so(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await complete(bot, activities, db)
    await bot.post(activities.message(KIM, "modtaget"))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.MODTAGET_NOTHING_SENT

    await bot.post(activities.message(KIM, "send"))
    await bot.post(activities.message(KIM, "modtaget"))
    await bot.post(activities.message(KIM, "modtaget"))
    await bot.post(activities.message(KIM, "status"))

    said = connector.texts(KIM.personal_conversation)
    assert said[-2] == texts.modtaget_done(version=1)
    assert "**fuldført** i KLIK" in said[-2]
    assert said[-1].startswith("KOMBITs modtagelse af version 1 blev allerede registreret")
    [version] = await versions(db)
    assert version.modtaget_at is not None
    status = card_text(last_adaptive(connector, KIM))
    assert "KOMBIT bekræftede modtagelsen" in status and "Opgaven er fuldført." in status


async def test_a_change_after_sending_is_announced_listed_and_reported_to_kombit(
    smtp_bot: RunningBot,
    smtp: tuple[Inbox, int],
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    inbox, _port = smtp
    world = await complete(smtp_bot, activities, db)
    await smtp_bot.post(activities.message(KIM, "send"))
    await press(smtp_bot, KIM, activities, last_adaptive(connector, KIM), "Send nu")
    area = world.areas[0]
    system, system_id = next(iter(area.systems.items()))
    assert world.expected[area.navn, system] is Anvendelse.ANVENDER

    for anvendelse in ("anvender_ikke", "sekundaer"):  # corrected twice: one change, one notice
        await smtp_bot.post(
            activities.submit(
                ANNE, {"action": "ret", "fagomraade_id": area.id, "system_id": system_id}
            )
        )
        await smtp_bot.post(
            activities.submit(
                ANNE,
                {
                    "action": "answer",
                    "fagomraade_id": area.id,
                    "system_id": system_id,
                    "anvendelse": anvendelse,
                },
            )
        )

    for coordinator in (KIM, LIS):
        notices = [
            t
            for t in connector.texts(coordinator.personal_conversation)
            if "har ændret et svar" in t
        ]
        assert len(notices) == 1 and notices[0].startswith("Anne Systemejer har ændret et svar")
    await smtp_bot.post(activities.message(KIM, "ændringer"))
    listing = last_adaptive(connector, KIM)
    line = f"{area.navn} · {system}: Anvender → Sekundær anvendelse (Anne Systemejer, "
    assert "1 ændring siden version 1 blev sendt" in card_text(listing)
    assert line in card_text(listing)

    await press(smtp_bot, KIM, activities, listing, "Send ændringsrapport til KOMBIT")
    assert texts.CHANGE_REPORT_PREVIEW_TITLE in card_text(last_adaptive(connector, KIM))
    await press(smtp_bot, KIM, activities, last_adaptive(connector, KIM), "Send nu")

    report = parsed(inbox.envelopes[-1].original_content or b"")
    assert report["Subject"] == SUBJECT
    body = report.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "siden version 1 blev sendt" in text and line in text
    name, workbook = attachment_of(report)
    assert name == f"Bilag1-Aarhus-Kommune-{today()}-v2.xlsx"
    assert answers_in(workbook)[area.navn, system] is Anvendelse.SEKUNDAER
    first, second = await versions(db)
    assert (first.send_status, second.send_status, second.reason) == (
        "sent",
        "sent",
        "change_report",
    )
    await smtp_bot.post(activities.message(KIM, "ændringer"))
    assert connector.texts(KIM.personal_conversation)[-1].startswith(
        "Intet er ændret, siden version 2 blev sendt"
    )


async def test_historik_lists_every_version_and_gives_any_one_back(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(db)
    await open_chats(bot, activities)
    await bot.post(activities.message(KIM, "historik"))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.HISTORIK_EMPTY
    await submit_last(bot, activities, world)
    await bot.post(activities.message(KIM, "send"))  # .eml: version 1 delivered
    area = world.areas[1]
    system_id = next(iter(area.systems.values()))
    await bot.post(
        activities.submit(ANNE, {"action": "ret", "fagomraade_id": area.id, "system_id": system_id})
    )
    await bot.post(
        activities.submit(
            ANNE,
            {
                "action": "answer",
                "fagomraade_id": area.id,
                "system_id": system_id,
                "anvendelse": "anvender",
            },
        )
    )
    await bot.post(activities.message(KIM, "send"))  # the change report: version 2

    await bot.post(activities.message(KIM, "historik"))

    historik = last_adaptive(connector, KIM)
    shown = card_text(historik)
    assert shown.index("Hent version 2") < shown.index("Hent version 1")
    assert "Udleveret som e-mail-fil" in shown and "ændringsrapport" in shown
    assert "samlet automatisk, da Anne Systemejer indsendte det sidste fagområde" in shown
    assert "Anne Systemejer · " not in shown
    first, second = await versions(db)
    await press(bot, KIM, activities, historik, "Hent version 1")
    facts = {
        fact["title"]: fact["value"]
        for block in last_adaptive(connector, KIM)["body"]
        if block["type"] == "FactSet"
        for fact in block["facts"]
    }
    assert facts["Samlet"] == "automatisk, da Anne Systemejer indsendte det sidste fagområde"
    assert "Af" not in facts
    _consent_id, consent = last_consent(connector, KIM)
    assert consent["content"]["acceptContext"] == {"file_id": first.file_id}
    assert consent["name"] == f"Bilag1-Aarhus-Kommune-{today()}.xlsx"
    assert second.file_id != first.file_id
